package io.rocksmq.bench;

/** How big a harness run is. Thread-safe (immutable). */
public enum Mode {
    /** The measured run BENCHMARKS.md reports: full-size workloads, 3 runs, every peer. */
    FULL,
    /** A smoke run in under two minutes: small counts, one run, Kafka only when asked. */
    QUICK,
    /** The quickest run, for CI: tiny counts, to check the harness end to end. */
    SMOKE
}
