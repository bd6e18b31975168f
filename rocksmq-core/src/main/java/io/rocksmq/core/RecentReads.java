package io.rocksmq.core;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last few reads of one topic, shared by every reader that asks for the same messages: consumer
 * groups that follow a topic in step (fan-out) read each batch from RocksDB and decode it once, not
 * once per group. A broker's entry cache for tailing consumers, in the small.
 *
 * <p>Correct because stored messages never change: an id always names the same message in one topic
 * incarnation, and new messages only append. An entry is therefore valid as long as its messages are
 * retained, which the caller checks against the retention cut ({@link MessageReader#read}); and a short
 * entry (one that stopped at the newest message of its time) serves only while nothing newer exists.
 *
 * <p>Memory is bounded twice: {@link #SLOTS} entries per topic, and a {@link Budget} shared by all
 * topics of a queue that counts the bytes of the stored batches the entries keep reachable. A read
 * that would not fit is simply not shared.
 *
 * <p>Thread-safe, lock-free: slots are replaced with atomic swaps; a {@link MessageList} is filled
 * before it is published and never changed after.
 */
final class RecentReads {
    /** Entries kept per topic: enough for groups that follow each other a few reads apart. */
    static final int SLOTS = 4;
    /** The largest read worth sharing, in bytes of stored batches it keeps reachable. */
    static final long MAX_ENTRY_BYTES = 8L << 20;

    /** The bytes of stored batches all topics' entries may keep reachable together. */
    static final class Budget {
        private final long limit;
        private final AtomicLong used = new AtomicLong();

        Budget(long limit) {
            this.limit = limit;
        }

        boolean tryTake(long bytes) {
            for (long u = used.get(); ; u = used.get()) {
                if (u + bytes > limit) {
                    return false;
                }
                if (used.compareAndSet(u, u + bytes)) {
                    return true;
                }
            }
        }

        void give(long bytes) {
            used.addAndGet(-bytes);
        }

        long used() {
            return used.get();
        }
    }

    private record Entry(long from, MessageList messages) {
    }

    private final Budget budget;
    private final AtomicReferenceArray<Entry> slots = new AtomicReferenceArray<>(SLOTS);
    private final AtomicInteger nextSlot = new AtomicInteger();

    RecentReads(Budget budget) {
        this.budget = budget;
    }

    /**
     * Up to {@code max} messages from {@code from} as a recent read found them, or null if no entry
     * serves: one must start at {@code from} and hold {@code max} messages, or hold every message
     * up to {@code latestId}.
     */
    MessageList find(long from, int max, long latestId) {
        for (int i = 0; i < SLOTS; i++) {
            Entry e = slots.get(i);
            if (e != null && e.from == from) {
                MessageList m = e.messages;
                if (m.size() >= max || m.id(m.size() - 1) >= latestId) {
                    return m.prefix(max);
                }
            }
        }
        return null;
    }

    /** Offers a fresh, non-empty read from {@code from} to later readers. */
    void offer(long from, MessageList messages) {
        long bytes = messages.retainedBytes();
        if (bytes > MAX_ENTRY_BYTES || !budget.tryTake(bytes)) {
            return;
        }
        int slot = Math.floorMod(nextSlot.getAndIncrement(), SLOTS);
        Entry old = slots.getAndSet(slot, new Entry(from, messages));
        if (old != null) {
            budget.give(old.messages.retainedBytes());
        }
    }

    /** Drops every entry and returns their bytes to the budget (the topic is being destroyed). */
    void clear() {
        for (int i = 0; i < SLOTS; i++) {
            Entry old = slots.getAndSet(i, null);
            if (old != null) {
                budget.give(old.messages.retainedBytes());
            }
        }
    }
}
