package io.rocksmq.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@link RecoveryReport} of an open: compares each topic with the {@link Watermark} and its
 * own id counter, and collects RocksDB's recovery diagnoses. Logs every finding at ERROR.
 *
 * <p>For a topic present after recovery, the ids it has are those below
 * {@code max(newest stored id + 1, retention cut, first id)}; everything from there up to the larger of
 * its id counter and its watermark was acknowledged and is gone. (Retention only ever deletes below
 * its cut, and the counter is written in the same atomic batch as the data, so no legitimate state
 * leaves ids missing there.) A topic in the watermark but not recovered is reported whole.
 *
 * <p>Not thread-safe: runs once, while the queue opens.
 */
final class RecoveryCheck {
    private static final Logger LOG = LoggerFactory.getLogger(RecoveryCheck.class);

    private RecoveryCheck() {
    }

    /**
     * @param topics     the recovered topics, with retention state loaded
     * @param lastStored newest stored id per topic id (-1 when none), as recovery found them
     */
    static RecoveryReport check(RocksStore store, Collection<Topic> topics, Map<Long, Long> lastStored,
                                Map<Long, Watermark.Entry> watermark, List<String> engineMessages, int repairs) {
        List<RecoveryReport.LostMessages> lost = new ArrayList<>();
        Map<Long, Topic> byId = new HashMap<>();
        for (Topic t : topics) {
            byId.put(t.id(), t);
            long present = Math.max(lastStored.getOrDefault(t.id(), -1L) + 1, Math.max(t.space().cutId(), t.startId()));
            Watermark.Entry w = watermark.get(t.id());
            long expected = Math.max(t.nextIdAfterCommitted(), w == null ? 0 : w.nextId());
            if (present < expected) {
                lost.add(new RecoveryReport.LostMessages(t.name(), present, expected - 1, false));
            }
        }
        for (Watermark.Entry w : watermark.values()) {
            if (!byId.containsKey(w.topicId())) { // destroyTopic rewrites the watermark: not destroyed
                lost.add(new RecoveryReport.LostMessages(w.topic(), w.startId(), w.nextId() - 1, true));
            }
        }
        lost.sort((a, b) -> a.topic().compareTo(b.topic()));
        RecoveryReport report = new RecoveryReport(lost, engineMessages, repairs);
        for (RecoveryReport.LostMessages l : lost) {
            LOG.error("queue in {} lost acknowledged messages: {}", store.directory(), l);
        }
        for (String m : engineMessages) {
            LOG.error("queue in {}: RocksDB recovery reported: {}", store.directory(), m);
        }
        return report;
    }
}
