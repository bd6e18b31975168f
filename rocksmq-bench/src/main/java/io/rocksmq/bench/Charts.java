package io.rocksmq.bench;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

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
final class Charts {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;

    private Charts() {
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
            plot.setBackgroundPaint(Color.WHITE);
            plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
            String file = "throughput-" + w + ".png";
            ChartUtils.saveChartAsPNG(dir.resolve(file).toFile(), chart, WIDTH, HEIGHT);
            files.put(w, file);
        }
        String latency = latencyChart(measurements, dir);
        if (latency != null) {
            files.put("W5", latency);
        }
        return files;
    }

    /** W5 percentile curves, one series per peer (its first successful run). */
    private static String latencyChart(List<Map<String, Object>> measurements, Path dir) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        List<String> seen = new ArrayList<>();
        for (Map<String, Object> m : measurements) {
            String peer = (String) m.get("peer");
            if (!"W5".equals(m.get("workload")) || seen.contains(peer)) {
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> metrics = (Map<String, Object>) m.get("metrics");
            Object curve = metrics.get("percentileCurveUs");
            if (!(curve instanceof List<?> points)) {
                continue;
            }
            seen.add(peer);
            XYSeries series = new XYSeries(peer);
            for (Object o : points) {
                double percentile;
                double micros;
                if (o instanceof double[] p) {
                    percentile = p[0];
                    micros = p[1];
                } else if (o instanceof List<?> p) {
                    percentile = ((Number) p.get(0)).doubleValue();
                    micros = ((Number) p.get(1)).doubleValue();
                } else {
                    continue;
                }
                if (percentile >= 100.0 || micros <= 0) {
                    continue; // the 100th percentile is off a "nines" scale
                }
                series.add(1.0 / (1.0 - percentile / 100.0), micros);
            }
            data.addSeries(series);
        }
        if (data.getSeriesCount() == 0) {
            return null;
        }
        JFreeChart chart = ChartFactory.createXYLineChart("W5: produce-to-receipt latency by percentile",
                "percentile (1/(1-p): 10 = p90, 100 = p99, 1000 = p99.9)", "microseconds", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis x = new LogAxis("percentile (1/(1-p): 10 = p90, 100 = p99, 1000 = p99.9)");
        x.setBase(10);
        x.setSmallestValue(1);
        x.setTickUnit(new NumberTickUnit(1), false, true); // one tick per decade, labelled 1, 10, 100 ...
        x.setNumberFormatOverride(new DecimalFormat("0"));
        plot.setDomainAxis(x);
        LogAxis y = new LogAxis("microseconds");
        y.setBase(10);
        y.setSmallestValue(0.1);
        y.setTickUnit(new NumberTickUnit(1), false, true);
        y.setNumberFormatOverride(new DecimalFormat("0.#"));
        plot.setRangeAxis(y);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        String file = "latency-W5.png";
        ChartUtils.saveChartAsPNG(dir.resolve(file).toFile(), chart, WIDTH, HEIGHT);
        return file;
    }
}
