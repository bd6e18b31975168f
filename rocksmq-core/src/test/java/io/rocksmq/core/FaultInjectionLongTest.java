package io.rocksmq.core;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault-injection matrix ({@code mvn -Plong test -pl rocksmq-core -am -Dtest=FaultInjectionLongTest}):
 * each rule (see {@link FaultShim.Control}) is armed before the queue opens and stays armed through a
 * mixed workload of WAL and FSYNC produces and flushes ({@link FaultChild} scenario {@code matrix});
 * then it is lifted and the queue reopened. Checked for every rule: once a produce was refused, every
 * later produce is refused until the queue is reopened (no write after an I/O error); the reopened queue
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
            "fsync .log 0 1 5", "fsync .log 1 1 5", "fsync .log 3 1 5", "fsync .log 2 -1 5",
            // appends to the write-ahead log, early and late, once or for good; out of space
            "write .log 0 1 5", "write .log 1 1 5", "write .log 5 1 5", "write .log 40 1 5", "write .log 90 -1 5",
            "write .log 20 -1 28",
            // table files written by flushes: data, and their fsync
            "write .sst 0 1 5", "write .sst 3 -1 5", "fsync .sst 0 1 5", "fsync .sst 1 -1 5",
            // the MANIFEST (open, flushes): its appends and fsyncs
            "write MANIFEST 0 1 5", "write MANIFEST 2 1 5", "write MANIFEST 4 -1 5", "fsync MANIFEST 1 1 5",
            "fsync MANIFEST 3 -1 5",
            // renames at open: CURRENT, the OPTIONS file
            "rename CURRENT 0 1 5", "rename OPTIONS 0 1 5", "rename OPTIONS 0 -1 5",
            // fsyncs of the queue directory itself (new files' names)
            "fsync /queue$ 0 1 5", "fsync /queue$ 2 -1 5"})
    void everyAcknowledgedMessageSurvivesAndWritesStopAfterAnError(String rule) throws Exception {
        FaultInjectionTest.Outcome o = FaultInjectionTest.run(tmp, "matrix", rule, String.valueOf(rule.hashCode()));
        List<String> produces = new ArrayList<>();
        for (Map.Entry<String, String> s : o.steps.entrySet()) {
            if (s.getKey().startsWith("p") || s.getKey().equals("after-disarm")) {
                produces.add(s.getKey() + " " + s.getValue());
            }
        }
        boolean refusedBefore = false;
        for (String p : produces) {
            if (refusedBefore) {
                assertThat(p).as("a produce after a refused one, before reopening (rule %s)", rule).contains("REFUSED");
            }
            refusedBefore |= p.contains("REFUSED");
        }
        assertThat(o.ok("after-reopen")).as("produce after reopen; steps %s", o.steps).isTrue();
        assertThat(o.ok("after-reopen-fsync")).as("FSYNC produce after reopen; steps %s", o.steps).isTrue();
        o.checkStored(tmp, false);
        System.out.printf("rule '%s': %d injected, %d produces, %d acknowledged messages, first refusal: %s%n",
                rule, o.hits, produces.size(), o.acks.size(),
                produces.stream().filter(p -> p.contains("REFUSED")).findFirst().orElse("none"));
    }
}
