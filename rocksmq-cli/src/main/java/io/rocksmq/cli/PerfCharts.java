package io.rocksmq.cli;

import io.rocksmq.charts.Charts;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The PNG charts of {@code rmq perf --charts DIR}: throughput over time, and latency against
 * percentile on the shared "nines" axis ({@link Charts#latency}).
 *
 * <p>Thread-safe: stateless.
 */
final class PerfCharts {
    private PerfCharts() {
    }

    /** One sample of the run: seconds since start, produce and delivery rates (msgs/s). */
    record Sample(double seconds, double produceRate, double consumeRate) {
    }

    /** Writes {@code throughput.png} and {@code latency.png} into {@code dir}; returns their paths. */
    static List<Path> write(Path dir, String title, List<Sample> samples, Histogram produce, Histogram endToEnd)
            throws IOException {
        XYSeries produced = new XYSeries("produced msgs/s");
        XYSeries consumed = new XYSeries("delivered msgs/s (all groups)");
        for (Sample s : samples) {
            produced.add(s.seconds(), s.produceRate());
            consumed.add(s.seconds(), s.consumeRate());
        }
        XYSeriesCollection rates = new XYSeriesCollection();
        rates.addSeries(produced);
        rates.addSeries(consumed);
        JFreeChart throughput = Charts.styled(ChartFactory.createXYLineChart("Throughput — " + title, "seconds",
                "messages/s", rates));
        // A run shorter than one progress interval has a single sample: draw points, and let the time axis
        // start at 0 (on its own, the axis would span one instant and print the same label five times).
        XYPlot ratesPlot = throughput.getXYPlot();
        ((XYLineAndShapeRenderer) ratesPlot.getRenderer()).setDefaultShapesVisible(true);
        double end = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).seconds();
        ((NumberAxis) ratesPlot.getDomainAxis()).setRange(0, Math.max(end * 1.05, 0.001));
        Path throughputFile = Charts.save(throughput, dir.resolve("throughput.png"));

        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        curves.put("produce call", curve(produce));
        curves.put("end to end", curve(endToEnd));
        JFreeChart latency = Charts.latency("Latency by percentile — " + title, curves);
        if (latency == null) { // nothing recorded: an empty chart says so better than no file
            latency = Charts.styled(ChartFactory.createXYLineChart("Latency by percentile — " + title
                    + " (no samples)", "percentile", "microseconds", new XYSeriesCollection()));
        }
        Path latencyFile = Charts.save(latency, dir.resolve("latency.png"));
        return List.of(throughputFile, latencyFile);
    }

    /** The histogram's percentile curve: {percentile, microseconds} points, 5 per halving of the tail. */
    private static List<double[]> curve(Histogram h) {
        List<double[]> points = new ArrayList<>();
        if (h.getTotalCount() == 0) {
            return points;
        }
        for (HistogramIterationValue v : h.percentiles(5)) {
            double percentile = v.getPercentileLevelIteratedTo();
            if (percentile >= 100) {
                break;
            }
            points.add(new double[] {percentile, h.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0});
        }
        return points;
    }
}
