package io.rocksmq.bench;

import io.rocksmq.charts.Charts;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.data.category.DefaultCategoryDataset;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PNG charts: one throughput bar chart per throughput workload (median msgs/s per peer) and the
 * latency percentile curves of W5 (x: percentile on a "nines" scale, y: microseconds, both log).
 *
 * <p>Thread-safe: stateless (JFreeChart objects are made per call).
 */
final class ResultCharts {
    private ResultCharts() {
    }

    /** Writes the charts into {@code dir}; returns workload id to file name. */
    static Map<String, String> write(Summary summary, List<Map<String, Object>> measurements, Path dir)
            throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        List<String> workloads = new ArrayList<>();
        for (Summary.Row r : summary.rows()) {
            if (!workloads.contains(r.workload())) {
                workloads.add(r.workload());
            }
        }
        for (String w : workloads) {
            if (!Summary.headline(w).equals("msgsPerSec")) {
                continue;
            }
            DefaultCategoryDataset data = new DefaultCategoryDataset();
            for (Summary.Row r : summary.rows(w)) {
                Summary.Stat s = r.stat("msgsPerSec");
                if (s != null) {
                    data.addValue(s.median() / 1e6, "median", r.peer());
                }
            }
            JFreeChart chart = ChartFactory.createBarChart(w + ": throughput (median of runs)", "peer",
                    "million messages / s", data, PlotOrientation.HORIZONTAL, false, false, false);
            CategoryPlot plot = chart.getCategoryPlot();
            BarRenderer renderer = (BarRenderer) plot.getRenderer();
            renderer.setBarPainter(new StandardBarPainter());
            renderer.setSeriesPaint(0, new Color(0x3B6EA8));
            renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("0.###")));
            renderer.setDefaultItemLabelsVisible(true);
            String file = "throughput-" + w + ".png";
            Charts.save(Charts.styled(chart), dir.resolve(file));
            files.put(w, file);
        }
        String latency = latencyChart(measurements, dir);
        if (latency != null) {
            files.put("W5", latency);
        }
        return files;
    }

    /** W5 percentile curves, one series per peer and load (its first successful run). */
    private static String latencyChart(List<Map<String, Object>> measurements, Path dir) throws IOException {
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        for (Map<String, Object> m : measurements) {
            String peer = m.get("peer") + (Load.BUSY.id().equals(m.get("load")) ? " (busy)" : "");
            if (!"W5".equals(m.get("workload")) || curves.containsKey(peer)) {
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> metrics = (Map<String, Object>) m.get("metrics");
            if (metrics.get("percentileCurveUs") instanceof List<?> points) {
                List<double[]> curve = new ArrayList<>();
                for (Object o : points) {
                    if (o instanceof double[] p) {
                        curve.add(p);
                    } else if (o instanceof List<?> p) {
                        curve.add(new double[] {((Number) p.get(0)).doubleValue(), ((Number) p.get(1)).doubleValue()});
                    }
                }
                curves.put(peer, curve);
            }
        }
        JFreeChart chart = Charts.latency("W5: produce-to-receipt latency by percentile", curves);
        if (chart == null) {
            return null;
        }
        String file = "latency-W5.png";
        Charts.save(chart, dir.resolve(file));
        return file;
    }
}
