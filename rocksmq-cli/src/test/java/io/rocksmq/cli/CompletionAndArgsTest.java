package io.rocksmq.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompletionAndArgsTest {
    @Test
    void completionPrintsABashScriptCoveringEveryCommand() {
        Cli.Result r = new Cli().run("completion");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("#!/usr/bin/env bash").contains("complete -F", "_picocli_rmq");
        for (String command : new String[] {"quickstart", "topics", "groups", "produce", "consume", "tail", "perf",
                "check", "serve-metrics", "completion"}) {
            assertThat(r.out()).contains(command);
        }
        assertThat(r.out()).contains("--to-earliest", "--from-time", "--metrics-port");
    }

    @Test
    void timesAcceptInstantsDatesEpochMillisAndAgo() {
        Clock clock = Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC);
        assertThat(Args.parseTime("2024-05-01T10:00:00Z", clock)).isEqualTo(Instant.parse("2024-05-01T10:00:00Z").toEpochMilli());
        assertThat(Args.parseTime("2024-05-01T10:00", clock)).isEqualTo(Instant.parse("2024-05-01T10:00:00Z").toEpochMilli());
        assertThat(Args.parseTime("2024-05-01", clock)).isEqualTo(Instant.parse("2024-05-01T00:00:00Z").toEpochMilli());
        assertThat(Args.parseTime("1714557600000", clock)).isEqualTo(1714557600000L);
        assertThat(Args.parseTime("-10m", clock)).isEqualTo(Instant.parse("2024-05-01T11:50:00Z").toEpochMilli());
        assertThat(Args.parseTime("-1d", clock)).isEqualTo(Instant.parse("2024-04-30T12:00:00Z").toEpochMilli());
        assertThatThrownBy(() -> Args.parseTime("yesterday", clock)).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("not a time");
        assertThatThrownBy(() -> Args.parseTime("-10x", clock)).isInstanceOf(TypeConversionException.class);
    }

    @Test
    void durationsAndProperties() {
        assertThat(Args.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Args.parseDuration("2H")).isEqualTo(Duration.ofHours(2));
        assertThatThrownBy(() -> Args.parseDuration("1.5s")).isInstanceOf(TypeConversionException.class);
        assertThat(new Args.Property().convert("k=v=w")).isEqualTo(Map.entry("k", "v=w"));
        assertThat(new Args.Property().convert("k=")).isEqualTo(Map.entry("k", ""));
        assertThatThrownBy(() -> new Args.Property().convert("=v")).isInstanceOf(TypeConversionException.class);
    }

    @Test
    void jsonWriterEscapesAndTheParserReadsItBack() {
        String json = Json.write(Json.object("s", "a\"b\\c\n\u0001é", "n", 1L, "d", 1.5, "nan", Double.NaN,
                "b", true, "null", null, "list", java.util.List.of(1L, "x")));
        assertThat(ParsedJson.object(json)).containsEntry("s", "a\"b\\c\n\u0001é").containsEntry("n", 1L)
                .containsEntry("d", 1.5).containsEntry("nan", null).containsEntry("b", true)
                .containsEntry("list", java.util.List.of(1L, "x"));
        assertThatThrownBy(() -> ParsedJson.parse("{\"a\":1} x")).isInstanceOf(IllegalArgumentException.class);
    }
}
