package io.rocksmq.core;

import org.rocksdb.InfoLogLevel;
import org.rocksdb.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * RocksDB's info log sent to SLF4J instead of a {@code LOG} file in the data directory: used where the
 * directory must not change (read-only opens). Keeps the messages it saw, so a caller can look for
 * RocksDB's own recovery diagnoses ("dropping N bytes").
 *
 * <p>Thread-safe: RocksDB calls {@link #log} from any of its threads; the kept lines are guarded by
 * this object's monitor.
 */
final class RocksLog extends Logger {
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger("org.rocksdb");
    private static final int KEPT_LINES = 1000;

    private final List<String> lines = new ArrayList<>();

    RocksLog(InfoLogLevel level) {
        super(level);
    }

    @Override
    protected void log(InfoLogLevel level, String message) {
        synchronized (this) {
            if (lines.size() < KEPT_LINES) {
                lines.add(message);
            }
        }
        switch (level) {
            case FATAL_LEVEL, ERROR_LEVEL -> LOG.error("{}", message);
            case WARN_LEVEL -> LOG.warn("{}", message);
            default -> LOG.debug("{}", message);
        }
    }

    /** The messages logged so far (the first {@value #KEPT_LINES}). */
    synchronized List<String> lines() {
        return List.copyOf(lines);
    }
}
