package io.rocksmq.charts;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
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
import java.util.Locale;
import java.util.Map;

/**
 * The charts {@code rmq perf} and the benchmark harness share: one style, one size, and the latency chart
 * (microseconds against percentile on a "nines" axis: 50%, 90%, 99%, 99.9%, ..., the usual way to read a
 * latency tail, both axes logarithmic in effect).
 *
 * <p>Thread-safe: stateless (JFreeChart objects are made per call).
 */
public final class Charts {
    public static final int WIDTH = 900;
    public static final int HEIGHT = 500;

    private Charts() {
    }

    /** White background, light grid: the look of every chart. */
    public static JFreeChart styled(JFreeChart chart) {
        if (chart.getPlot() instanceof XYPlot plot) {
            plot.setBackgroundPaint(Color.WHITE);
            plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
            plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        } else if (chart.getPlot() instanceof org.jfree.chart.plot.CategoryPlot plot) {
            plot.setBackgroundPaint(Color.WHITE);
            plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        }
        return chart;
    }

    /** Writes the chart as a PNG of the common size, creating the directory if needed. */
    public static Path save(JFreeChart chart, Path file) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        return file;
    }

    /**
     * A latency chart: one curve per name, each a list of {@code {percentile (0..100), microseconds}}
     * points. Points at the 100th percentile (off a nines scale) are left out; latencies under 0.1 µs are
     * drawn at 0.1 (the bottom of the logarithmic axis).
     *
     * @return the chart, or null if no curve has a point
     */
    public static JFreeChart latency(String title, Map<String, ? extends Iterable<double[]>> curves) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, ? extends Iterable<double[]>> c : curves.entrySet()) {
            XYSeries s = new XYSeries(c.getKey());
            for (double[] point : c.getValue()) {
                if (point[0] < 100) {
                    s.add(nines(point[0]), Math.max(0.1, point[1]));
                }
            }
            if (s.getItemCount() > 0) {
                data.addSeries(s);
            }
        }
        if (data.getSeriesCount() == 0) {
            return null;
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "percentile", "microseconds", data);
        XYPlot plot = chart.getXYPlot();
        NumberAxis x = new NumberAxis("percentile");
        x.setTickUnit(new NumberTickUnit(1, new NinesFormat()));
        plot.setDomainAxis(x);
        LogAxis micros = new LogAxis("microseconds");
        micros.setBase(10);
        micros.setTickUnit(new NumberTickUnit(1)); // one tick per decade
        micros.setNumberFormatOverride(NumberFormat.getNumberInstance(Locale.ROOT));
        micros.setSmallestValue(0.1);
        plot.setRangeAxis(micros);
        return styled(chart);
    }

    /** x = log10(1 / (1 - p)), the number of nines: 0 is 0%, 1 is 90%, 2 is 99%, 3 is 99.9%. */
    static double nines(double percentile) {
        return Math.log10(1 / (1 - percentile / 100));
    }

    /** Labels the axis value x (a number of nines) with its percentile. */
    static final class NinesFormat extends NumberFormat {
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
