package io.rocksmq.core;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault-injection matrix ({@code mvn -Plong test -pl rocksmq-core -am -Dtest=FaultInjectionLongTest}):
 * each rule (see {@link FaultShim.Control}) is armed before the queue opens ({@code open:}) or once it
 * is open ({@code run:}) and stays armed through a mixed workload of WAL and FSYNC produces and flushes ({@link FaultChild} scenario {@code matrix});
 * then it is lifted and the queue reopened. Checked for every rule: once a produce or a flush met an
 * I/O error, every later produce is refused until the queue is reopened; the reopened queue
 * takes produces again; nothing to repair at open; every acknowledged message is stored with its
 * payload. About 2 s per rule.
 */
@Tag("long")
class FaultInjectionLongTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {
            // fsync of the write-ahead log: once or for good, at the first to the fourth sync
            "run: fsync .log 0 1 5", "run: fsync .log 1 1 5", "run: fsync .log 3 1 5", "run: fsync .log 2 -1 5",
            // appends to the write-ahead log, at open and later, once or for good; out of space
            "open: write .log 0 1 5", "open: write .log 1 1 5", "run: write .log 0 1 5", "run: write .log 40 1 5",
            "run: write .log 90 -1 5", "run: write .log 20 -1 28",
            // table files written by flushes: data, and their fsync
            "run: write .sst 0 1 5", "run: write .sst 3 -1 5", "run: fsync .sst 0 1 5", "run: fsync .sst 1 -1 5",
            // the MANIFEST, at open and when flushes record their files: appends and fsyncs
            "open: write MANIFEST 0 1 5", "open: write MANIFEST 2 1 5", "open: fsync MANIFEST 1 1 5",
            "run: write MANIFEST 0 1 5", "run: write MANIFEST 2 -1 5", "run: fsync MANIFEST 0 1 5",
            "run: fsync MANIFEST 1 -1 5",
            // renames at open: CURRENT (creating the queue), the OPTIONS file
            "open: rename CURRENT 0 1 5", "open: rename OPTIONS 0 1 5", "open: rename OPTIONS 0 -1 5",
            // fsyncs of the queue directory itself (new files' names), at open and after flushes
            "open: fsync /queue$ 0 1 5", "run: fsync /queue$ 0 1 5", "run: fsync /queue$ 1 -1 5"})
    void everyAcknowledgedMessageSurvivesAndWritesStopAfterAnError(String point) throws Exception {
        String phase = point.substring(0, point.indexOf(':'));
        String rule = point.substring(point.indexOf(':') + 2);
        FaultInjectionTest.Outcome o = FaultInjectionTest.run(tmp, "matrix", rule,
                String.valueOf(point.hashCode()), phase);
        assertThat(o.hits).as("the fault point was reached (rule %s)", point).isPositive();
        String firstRefusal = o.writesRefusedAfterFirstError();
        assertThat(o.ok("after-reopen")).as("produce after reopen; steps %s", o.steps).isTrue();
        assertThat(o.ok("after-reopen-fsync")).as("FSYNC produce after reopen; steps %s", o.steps).isTrue();
        o.checkStored(tmp, false);
        System.out.printf("%s: %d injected, %d steps, %d acknowledged messages, first refusal: %.160s%n",
                point, o.hits, o.steps.size(), o.acks.size(), firstRefusal);
    }
}
