package io.rocksmq.charts;

import org.jfree.chart.JFreeChart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ChartsTest {
    @TempDir
    Path dir;

    @Test
    void theNinesAxisPlacesAndLabelsPercentiles() {
        assertThat(Charts.nines(0)).isZero();
        assertThat(Charts.nines(90)).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Charts.nines(99.9)).isCloseTo(3, org.assertj.core.data.Offset.offset(1e-9));
        Charts.NinesFormat f = new Charts.NinesFormat();
        assertThat(f.format(0.0)).isEqualTo("0%");
        assertThat(f.format(2.0)).isEqualTo("99%");
        assertThat(f.format(3.0)).isEqualTo("99.9%");
    }

    @Test
    void aLatencyChartLeavesOutWhatANinesScaleCannotShowAndSavesAPng() throws Exception {
        assertThat(Charts.latency("t", Map.of("empty", List.of(new double[] {100, 5})))).isNull();
        JFreeChart chart = Charts.latency("t", Map.of("a", List.of(new double[] {50, 10}, new double[] {99, 100},
                new double[] {100, 1000}, new double[] {99.9, 0})));
        assertThat(chart.getXYPlot().getDataset().getItemCount(0)).isEqualTo(3);
        Path png = Charts.save(chart, dir.resolve("sub/latency.png"));
        assertThat(Files.readAllBytes(png)).startsWith(0x89, 'P', 'N', 'G');
    }
}
