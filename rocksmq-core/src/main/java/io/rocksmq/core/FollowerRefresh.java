package io.rocksmq.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One refresh of a follower ({@link RocksMqConfig#follow()}): catches the secondary instance up with the
 * writer and loads the queue's metadata again, as an open does, until what it loaded agrees with itself.
 *
 * <p><b>Why check.</b> The writer stores a produce's messages and its topic's id counter in one atomic
 * batch, so on disk they always agree; a RocksDB secondary instance, though, sometimes ends a catch-up
 * with one column family behind the other (measured on RocksDB 10.10: about one catch-up in fifty,
 * while the writer flushes memtables, the messages a few produces behind the counter; the next catch-up
 * repairs it). A view whose counter runs ahead of the stored messages, or behind them, is caught up
 * again, up to {@value #ATTEMPTS} times; if it still disagrees it is used as it is (a reader then finds
 * the newest messages at a later refresh: nothing is skipped, as readers go by ids).
 *
 * <p><b>Holes.</b> A catch-up can also leave a run of messages missing in the middle for a while (the
 * produces of a memtable the writer was flushing; measured: about one catch-up in thirty while
 * producing 1 MB per produce with 1 MiB memtables; the next catch-up fills it in). A topic's ids have no
 * gaps between its retention cut and its newest message, so a follower's read ({@link #contiguous})
 * stops before a missing id instead of skipping it: a reader that goes by ids waits for the next
 * refresh rather than miss messages.
 *
 * <p>{@link #load} is not thread-safe: it runs under {@link TopicRegistry}'s lock, one refresh at a time.
 */
final class FollowerRefresh {
    private static final Logger LOG = LoggerFactory.getLogger(FollowerRefresh.class);
    /** Catch-ups per refresh at most. */
    static final int ATTEMPTS = 4;

    private FollowerRefresh() {
    }

    /**
     * A follower's load at open: as {@link Recovery#load}, catching up again (up to {@value #ATTEMPTS}
     * times) while the view is one an open would call damaged, which a secondary instance's first view
     * can be for a moment.
     */
    static Recovery.Result firstLoad(RocksStore store, long now) {
        for (int attempt = 1; ; attempt++) {
            try {
                return Recovery.load(store, now);
            } catch (io.rocksmq.api.StorageException e) {
                if (attempt >= ATTEMPTS) {
                    throw e;
                }
                store.catchUp();
            }
        }
    }

    /**
     * The reloaded topics, their retention state restored, not published yet; null when no catch-up
     * gave a view that could be loaded at all (the view then stays as it was).
     */
    static Recovery.Result load(RocksStore store, Retention retention, long now) {
        Recovery.Result loaded = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            store.catchUp();
            try {
                loaded = Recovery.load(store, now);
            } catch (io.rocksmq.api.StorageException halfCaughtUp) {
                // e.g. a destroyed topic's record gone but its counter not yet: what an open would call
                // damage is, for a follower, a catch-up that ended between two of the writer's flushes
                LOG.debug("{}: follower's view not loadable yet ({}); catching up again", store.directory(),
                        halfCaughtUp.getMessage());
                continue;
            }
            retention.restore(loaded.topics().values());
            if (consistent(loaded)) {
                return loaded;
            }
        }
        LOG.debug("{}: after {} catch-ups the follower's view still has counters and messages that disagree;"
                + " using it (a later refresh sees the rest)", store.directory(), ATTEMPTS);
        return loaded;
    }

    /**
     * The longest run of {@code read} (messages of one topic from id {@code from} on, in id order) that
     * starts at {@code from} and has no gap: empty if the message {@code from} is missing.
     *
     * @param from the first id the read could return (the requested id, or the retention cut if later)
     */
    static MessageList contiguous(MessageList read, long from) {
        long expected = from;
        for (int i = 0; i < read.size(); i++) {
            if (read.id(i) != expected) {
                return read.prefix(i);
            }
            expected++;
        }
        return read;
    }

    /**
     * True when every topic's counter matches its newest stored message: no counter was behind the
     * messages (recovery would have raised it), and no retained message the counter counts is missing.
     */
    static boolean consistent(Recovery.Result loaded) {
        if (loaded.repairs() > 0) {
            return false;
        }
        for (Topic t : loaded.topics().values()) {
            long latest = t.latestId();
            long lastStored = loaded.lastStored().getOrDefault(t.id(), -1L);
            if (latest >= 0 && latest >= t.space().cutId() && lastStored < latest) {
                return false;
            }
        }
        return true;
    }
}
