package io.rocksmq.cli;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.List;
import java.util.Locale;

/**
 * The PNG charts of {@code rmq perf --charts DIR}: throughput over time, and latency against
 * percentile on a "nines" axis (50%, 90%, 99%, 99.9%, ...), the usual way to read a latency tail.
 *
 * <p>Thread-safe: stateless.
 */
final class PerfCharts {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;

    private PerfCharts() {
    }

    /** One sample of the run: seconds since start, produce and delivery rates (msgs/s). */
    record Sample(double seconds, double produceRate, double consumeRate) {
    }

    /** Writes {@code throughput.png} and {@code latency.png} into {@code dir}; returns their paths. */
    static List<Path> write(Path dir, String title, List<Sample> samples, Histogram produce, Histogram endToEnd)
            throws IOException {
        Files.createDirectories(dir);
        XYSeries produced = new XYSeries("produced msgs/s");
        XYSeries consumed = new XYSeries("delivered msgs/s (all groups)");
        for (Sample s : samples) {
            produced.add(s.seconds(), s.produceRate());
            consumed.add(s.seconds(), s.consumeRate());
        }
        XYSeriesCollection rates = new XYSeriesCollection();
        rates.addSeries(produced);
        rates.addSeries(consumed);
        JFreeChart throughput = ChartFactory.createXYLineChart("Throughput — " + title, "seconds", "messages/s", rates);
        style(throughput);
        // A run shorter than one progress interval has a single sample: draw points, and let the time axis
        // start at 0 (on its own, the axis would span one instant and print the same label five times).
        XYPlot ratesPlot = throughput.getXYPlot();
        ((XYLineAndShapeRenderer) ratesPlot.getRenderer()).setDefaultShapesVisible(true);
        double end = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).seconds();
        ((NumberAxis) ratesPlot.getDomainAxis()).setRange(0, Math.max(end * 1.05, 0.001));
        Path throughputFile = dir.resolve("throughput.png");
        ChartUtils.saveChartAsPNG(throughputFile.toFile(), throughput, WIDTH, HEIGHT);

        XYSeriesCollection curves = new XYSeriesCollection();
        addCurve(curves, "produce call", produce);
        addCurve(curves, "end to end", endToEnd);
        JFreeChart latency = ChartFactory.createXYLineChart("Latency by percentile — " + title, "percentile",
                "microseconds", curves);
        XYPlot plot = latency.getXYPlot();
        NumberAxis nines = new NumberAxis("percentile");
        nines.setTickUnit(new NumberTickUnit(1, new NinesFormat()));
        plot.setDomainAxis(nines);
        LogAxis micros = new LogAxis("microseconds");
        micros.setBase(10);
        micros.setTickUnit(new NumberTickUnit(1)); // one tick per decade
        micros.setNumberFormatOverride(NumberFormat.getNumberInstance(Locale.ROOT));
        micros.setSmallestValue(0.1);
        plot.setRangeAxis(micros);
        style(latency);
        Path latencyFile = dir.resolve("latency.png");
        ChartUtils.saveChartAsPNG(latencyFile.toFile(), latency, WIDTH, HEIGHT);
        return List.of(throughputFile, latencyFile);
    }

    private static void style(JFreeChart chart) {
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    }

    /** x = log10(1 / (1 - p)), the number of nines: 0 is 0%, 1 is 90%, 2 is 99%, 3 is 99.9%. */
    private static void addCurve(XYSeriesCollection into, String name, Histogram h) {
        if (h.getTotalCount() == 0) {
            return;
        }
        XYSeries s = new XYSeries(name);
        for (HistogramIterationValue v : h.percentiles(5)) {
            double p = v.getPercentileLevelIteratedTo() / 100.0;
            if (p >= 1) {
                break;
            }
            s.add(Math.log10(1 / (1 - p)), Math.max(0.1, h.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0));
        }
        into.addSeries(s);
    }

    /** Labels the axis value x (a number of nines) with its percentile. */
    private static final class NinesFormat extends NumberFormat {
        private static final long serialVersionUID = 1L;

        @Override
        public StringBuffer format(double x, StringBuffer to, FieldPosition pos) {
            double percentile = 100 * (1 - Math.pow(10, -x));
            return to.append(BigDecimal.valueOf(percentile).setScale(6, RoundingMode.HALF_UP).stripTrailingZeros()
                    .toPlainString()).append('%');
        }

        @Override
        public StringBuffer format(long x, StringBuffer to, FieldPosition pos) {
            return format((double) x, to, pos);
        }

        @Override
        public Number parse(String source, ParsePosition pos) {
            throw new UnsupportedOperationException("labels only");
        }
    }
}
