package io.rocksmq.core;

/**
 * The deduplication ids of one topic's window, in memory, without one object per id: for each id a
 * 64-bit hash of it, the id of the message it names and the time it was stored, kept in primitive
 * arrays. The ids themselves stay on disk (in the deduplication log); a hash match is only a
 * <em>candidate</em> that the caller confirms against the stored id ({@link Candidate}), so a hash
 * collision never drops a message and the window stays exact.
 *
 * <h2>Why</h2>
 * One {@code String}, one record and one map node per id (about 150 bytes and three objects) made the
 * garbage collector copy and trace millions of live objects of the window on every young collection:
 * a produce with an id on every message ran at a third of the rate without. Here an id costs about
 * 40 to 80 bytes (depending on how full the ring is) in a few arrays that the collector does not trace.
 *
 * <h2>Layout</h2>
 * <ul>
 *   <li>A ring of entries in the order they were added (which is time order: the topic's publish
 *       times never go back under its produce lock), {@code [head, tail)} as sequence numbers; the
 *       entry of sequence {@code s} is at {@code s & mask}. Eviction pops from the head.</li>
 *   <li>An open-addressing table (linear probing, at most half full) keyed by the hash: each slot holds
 *       the low 32 bits of the hash (which place the slot) and the ring position + 1 (0: empty), so a
 *       probe reads the ring only when those 32 bits match, and a lookup usually touches one cache
 *       line of the table (a miss at every probe was what a lookup cost otherwise). Equal hashes (a collision, or an id stored again after its window passed
 *       but before it was evicted) take several slots; a lookup visits them all.</li>
 * </ul>
 * The ring doubles when full and halves when an eviction leaves it less than an eighth full (so memory
 * follows the window's occupancy); both rebuild the table.
 *
 * <p>Not thread-safe: changed and read only under the topic's produce lock ({@link Deduplication}).
 * All arrays of one size live in one {@link Table} reached through one field, so that a read made
 * outside the lock (only the deliberately broken variant in the tests does so) may see wrong answers
 * but never indexes out of bounds.
 */
final class DedupIdWindow {
    /** Confirms that the message stored at a time is the one a hash candidate claims to be. */
    interface Candidate {
        boolean matches(long messageId, long storedAt);
    }

    /** The least an eviction shrinks a window to that has held ids. */
    private static final int MIN_CAPACITY = 64;
    /**
     * A window that has never held an id: every topic has one, most never use it, and at {@link
     * #MIN_CAPACITY} the arrays cost 2.6 KB a topic (26 MB of heap for 10,000 topics). The first ids grow
     * it by doubling as any other add does.
     */
    private static final int UNUSED_CAPACITY = 1;

    /** One generation of arrays: ring of {@code capacity} entries and a table of {@code 2 x capacity} slots. */
    private static final class Table {
        final long[] hashes;
        final long[] messageIds;
        final long[] storedAts;
        final long[] slots;

        Table(int capacity) {
            hashes = new long[capacity];
            messageIds = new long[capacity];
            storedAts = new long[capacity];
            slots = new long[capacity * 2];
        }
    }

    private Table table = new Table(UNUSED_CAPACITY);
    /** Where {@link #prefetch} leaves its sum, so that its loads are not optimised away. */
    private long prefetched;
    private long head;
    private long tail;

    int size() {
        return (int) (tail - head);
    }

    /** Ring capacity (tests: memory follows occupancy). */
    int capacity() {
        return table.hashes.length;
    }

    /** Adds an id stored at {@code storedAt} (never before the last one added). */
    void add(long hash, long messageId, long storedAt) {
        if (size() == table.hashes.length) {
            resize(table.hashes.length * 2);
        }
        Table t = table;
        int at = (int) (tail & (t.hashes.length - 1));
        t.hashes[at] = hash;
        t.messageIds[at] = messageId;
        t.storedAts[at] = storedAt;
        insertSlot(t, hash, at);
        tail++;
    }

    /**
     * The message id of a held entry with this hash stored after {@code storedAfter} that the
     * candidate check confirms, or -1.
     */
    long find(long hash, long storedAfter, Candidate check) {
        Table t = table;
        long[] slots = t.slots;
        int mask = slots.length - 1;
        int low = (int) hash;
        for (int i = low & mask, probes = 0; slots[i] != 0 && probes < slots.length; i = (i + 1) & mask, probes++) {
            if ((int) (slots[i] >>> 32) != low) {
                continue;
            }
            int at = position(slots[i]);
            if (t.hashes[at] == hash && t.storedAts[at] > storedAfter && check.matches(t.messageIds[at], t.storedAts[at])) {
                return t.messageIds[at];
            }
        }
        return -1;
    }

    /**
     * Loads the table slots where the first {@code n} hashes' probes start, before any of them is
     * needed. The loads do not depend on each other, so the processor overlaps their cache misses;
     * looked up one by one, between the other work of each message, every id paid a full memory
     * latency in turn (the table of a window of millions of ids is far larger than the caches), and
     * that was most of what an id cost.
     */
    void prefetch(long[] hashes, int n) {
        long[] slots = table.slots;
        int mask = slots.length - 1;
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += slots[(int) hashes[i] & mask];
        }
        prefetched = sum;
    }

    /** Forgets the entries stored at or before {@code cutoff}. */
    void evictThrough(long cutoff) {
        Table t = table;
        int ringMask = t.hashes.length - 1;
        while (head < tail && t.storedAts[(int) (head & ringMask)] <= cutoff) {
            int at = (int) (head & ringMask);
            removeSlot(t, t.hashes[at], at);
            head++;
        }
        int capacity = t.hashes.length;
        if (capacity > MIN_CAPACITY && size() < capacity / 8) {
            resize(Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, size())) * 4));
        }
    }

    /**
     * Moves the entries into arrays of another capacity. The table is rebuilt in the order of the old
     * table's slots, not of the ring: slots near each other land near each other, so the rebuild walks
     * memory almost sequentially instead of missing the cache at every entry.
     */
    private void resize(int capacity) {
        Table old = table;
        Table t = new Table(capacity);
        int oldMask = old.hashes.length - 1;
        int newMask = capacity - 1;
        for (long s = head; s < tail; s++) {
            int from = (int) (s & oldMask);
            int to = (int) (s & newMask);
            t.hashes[to] = old.hashes[from];
            t.messageIds[to] = old.messageIds[from];
            t.storedAts[to] = old.storedAts[from];
        }
        int headAt = (int) (head & oldMask);
        for (long slot : old.slots) {
            if (slot != 0) {
                long sequence = head + ((position(slot) - headAt) & oldMask);
                insertSlot(t, slot >>> 32, (int) (sequence & newMask));
            }
        }
        table = t;
    }

    private static long slot(long hash, int at) {
        return (hash << 32) | (at + 1L);
    }

    private static int position(long slot) {
        return (int) slot - 1;
    }

    /** Where a slot's probe starts: its hash's low bits (kept in the slot's upper half). */
    private static int home(long slot, int mask) {
        return (int) (slot >>> 32) & mask;
    }

    private static void insertSlot(Table t, long hash, int at) {
        int mask = t.slots.length - 1;
        int i = (int) hash & mask;
        while (t.slots[i] != 0) {
            i = (i + 1) & mask;
        }
        t.slots[i] = slot(hash, at);
    }

    /** Removes the slot that points at ring position {@code at}, shifting later slots of its run back. */
    private static void removeSlot(Table t, long hash, int at) {
        long[] slots = t.slots;
        int mask = slots.length - 1;
        long target = slot(hash, at);
        int i = (int) hash & mask;
        while (slots[i] != target) {
            if (slots[i] == 0) {
                throw new IllegalStateException("deduplication window index lost an entry");
            }
            i = (i + 1) & mask;
        }
        // Backward-shift deletion: move up every later slot of the run whose home is not in (i, j].
        for (int j = (i + 1) & mask; slots[j] != 0; j = (j + 1) & mask) {
            int k = home(slots[j], mask);
            boolean stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
            if (!stays) {
                slots[i] = slots[j];
                i = j;
            }
        }
        slots[i] = 0;
    }
}
