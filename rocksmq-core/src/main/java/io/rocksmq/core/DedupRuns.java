package io.rocksmq.core;

import java.util.Arrays;
import java.util.HashMap;

/**
 * The window's deduplication ids of the <em>sequence form</em>, {@code <prefix>:<sequence>} with the
 * sequence in canonical decimal (digits only, no leading zero unless it is {@code 0}, at most 18 digits),
 * kept as runs instead of one entry per id: per prefix (a producer), ranges of consecutive sequences
 * stored by one write at consecutive message ids, each as (first sequence, count, first message id,
 * stored at). A producer's batch of 100 consecutive sequences is one run. The client producer's
 * automatic ids ({@code name:epoch:sequence}) and the usual hand-made {@code producer-1:17} are of this form.
 *
 * <h2>Exactness</h2>
 * The form is a property of the string alone and maps one to one onto (prefix, sequence): {@code p:7}
 * is (p, 7), {@code p:07} is not of the form (it goes to {@link DedupIdWindow}, the general path, and
 * is a different id from {@code p:7} there). So one id always takes the same path, whichever stored it.
 * A producer's runs are kept in ascending, disjoint sequence order: a sequence at or above the
 * producer's highest one ({@link Producer#end}) is appended (the usual case: one compare says it is
 * new); a new sequence below it (a producer that went back) is <em>spilled</em> to the general path,
 * and the producer remembers until when it has spilled ids there ({@link Producer#spilledUntil}), so
 * its lookups consult the general path only while such ids may be held.
 *
 * <h2>States and who changes them</h2>
 * Everything here is changed and read under the topic's produce lock ({@link Deduplication}). Runs of
 * the current write are <em>pending</em> ({@code [committed, tail)} of their producer): lookups see them
 * (two messages of one id in one write become one), {@link #commit} makes them held after the write
 * succeeded, {@link #rollback} drops them if it failed. Held runs and spill marks are also in one ring
 * in the order they were stored; eviction pops it from the head (each producer's oldest run is the head's
 * when the head names it), and a producer with nothing left in the ring is forgotten.
 *
 * <p>Not thread-safe: used only under the topic's produce lock.
 */
final class DedupRuns {
    /** Longest sequence of the form: 18 decimal digits are always below 2^63. */
    static final int MAX_DIGITS = 18;
    private static final int MIN_RING = 16;

    /**
     * The runs of one prefix, in ascending sequence order (which is also the order they were stored),
     * packed in one array, {@link #STRIDE} longs a run: first sequence, count, first message id, stored
     * at. It starts with room for one run (a one-off prefix, {@code <uuid>:0}, costs one small array)
     * and doubles as runs come.
     */
    static final class Producer {
        /** Longs per run in {@link #runs}. */
        static final int STRIDE = 4;
        final String prefix;
        long[] runs = new long[STRIDE];
        int head;
        /** Runs before this are held; from it to {@link #tail} pending (the current write's). */
        int committed;
        int tail;
        /** Entries of the ring that name this producer (its held runs and spill marks). */
        int ringEntries;
        /** The latest time an id of this prefix was spilled to the general path. */
        long spilledUntil = Long.MIN_VALUE;
        boolean touched;
        boolean spilledInWrite;
        /** The prefix's UTF-8 bytes, kept once the producer writes a second time (a one-off keeps none). */
        private byte[] prefixUtf8;

        Producer(String prefix) {
            this.prefix = prefix;
        }

        byte[] prefixUtf8() {
            byte[] utf8 = prefixUtf8;
            if (utf8 == null) {
                utf8 = prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                if (committed > head) { // it held runs before this write: likely to write again
                    prefixUtf8 = utf8;
                }
            }
            return utf8;
        }

        long firstSeq(int at) {
            return runs[at * STRIDE];
        }

        int count(int at) {
            return (int) runs[at * STRIDE + 1];
        }

        long messageId(int at) {
            return runs[at * STRIDE + 2];
        }

        long storedAt(int at) {
            return runs[at * STRIDE + 3];
        }

        /** Runs this producer's array has room for (tests: memory follows occupancy). */
        int capacity() {
            return runs.length / STRIDE;
        }

        /** Just past the highest sequence held or pending, or {@code Long.MIN_VALUE} if none. */
        long end() {
            int last = (tail - 1) * STRIDE;
            return tail > head ? runs[last] + runs[last + 1] : Long.MIN_VALUE;
        }

        /** The message id of {@code seq} in a run stored after {@code storedAfter}, or -1. */
        long find(long seq, long storedAfter) {
            if (tail == head || seq >= end() || seq < firstSeq(head)) {
                return -1;
            }
            int lo = head;
            int hi = tail - 1;
            while (lo < hi) { // the last run whose first sequence is at most seq
                int mid = (lo + hi + 1) >>> 1;
                if (firstSeq(mid) <= seq) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            if (seq - firstSeq(lo) < count(lo) && storedAt(lo) > storedAfter) {
                return messageId(lo) + (seq - firstSeq(lo));
            }
            return -1;
        }

        /**
         * Appends {@code count} sequences from {@code seq} (at least {@link #end}) at message ids from
         * {@code messageId}; extends the last run if it continues it in both and was stored at the same
         * time, and it is pending or {@code extendHeld}.
         *
         * @return whether a new run was started
         */
        boolean append(long seq, int count, long messageId, long storedAt, boolean extendHeld) {
            int last = tail - 1;
            if (last >= head && (last >= committed || extendHeld)) {
                int b = last * STRIDE;
                long c = runs[b + 1];
                if (runs[b + 3] == storedAt && seq == runs[b] + c && messageId == runs[b + 2] + c
                        && c <= Integer.MAX_VALUE - count) {
                    runs[b + 1] = c + count;
                    return false;
                }
            }
            if (tail * STRIDE == runs.length) {
                makeRoom();
            }
            int b = tail * STRIDE;
            runs[b] = seq;
            runs[b + 1] = count;
            runs[b + 2] = messageId;
            runs[b + 3] = storedAt;
            tail++;
            return true;
        }

        /** Room for one more run: slides the runs down if half the array is free, else doubles it. */
        private void makeRoom() {
            int live = tail - head;
            int capacity = capacity();
            moveTo(live * 2 <= capacity ? capacity : capacity * 2);
        }

        private void moveTo(int capacity) {
            int live = tail - head;
            long[] to = capacity == capacity() ? runs : new long[capacity * STRIDE];
            System.arraycopy(runs, head * STRIDE, to, 0, live * STRIDE);
            runs = to;
            committed -= head;
            tail = live;
            head = 0;
        }

        /** Drops the oldest held run; gives memory back when the array is mostly empty. */
        int removeOldest() {
            int count = count(head);
            head++;
            int live = tail - head;
            int capacity = capacity();
            if (capacity > 16 && live < capacity / 8) {
                moveTo(Math.max(4, Integer.highestOneBit(Math.max(1, live)) * 4));
            }
            return count;
        }
    }

    /** Below this many producers the map is never rebuilt smaller. */
    private static final int MIN_MAP_REBUILD = 64;
    /**
     * The producers by prefix. A {@link HashMap}'s table never shrinks, so once the producers fall
     * below an eighth of the most it held since it was built, it is rebuilt for those left
     * ({@link #forget}): many short-lived prefixes leave no table behind.
     */
    private HashMap<String, Producer> producers = new HashMap<>();
    /** The most producers {@link #producers} held since it was built. */
    private int mapPeak;
    /** The producer the last id named (ids of one batch usually share it). */
    private Producer last;
    /** Held runs (false) and spill marks (true) in the order stored: producer, time, kind. */
    private Producer[] ringOwners = new Producer[MIN_RING];
    private long[] ringTimes = new long[MIN_RING];
    private boolean[] ringSpills = new boolean[MIN_RING];
    private long ringHead;
    private long ringTail;
    /** Producers touched by the current write. */
    private Producer[] touched = new Producer[4];
    private int touchedCount;
    /** The runs the current write started, in message-id order: owner and index from its {@code committed}. */
    private Producer[] writeRunOwners = new Producer[4];
    private int[] writeRunIndexes = new int[4];
    private int writeRuns;
    /** Ids held in runs. */
    private long heldIds;

    /**
     * The sequence of an id of the form {@code <prefix>:<canonical decimal>}, or -1 if it is not of
     * that form. One backward pass over the digits; the prefix is {@code id.length() - 1 - digits(seq)}
     * chars.
     */
    static long sequence(String id) {
        int n = id.length();
        int i = n - 1;
        int stop = Math.max(-1, n - 2 - MAX_DIGITS); // one digit too many is enough to say no
        long seq = 0;
        long scale = 1;
        for (; i > stop; i--) {
            int digit = id.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                break;
            }
            seq += digit * scale;
            scale *= 10;
        }
        int digits = n - 1 - i;
        if (digits == 0 || digits > MAX_DIGITS || i < 0 || id.charAt(i) != ':'
                || (digits > 1 && id.charAt(i + 1) == '0')) {
            return -1;
        }
        return seq;
    }

    /** The number of decimal digits of a sequence (at least 1). */
    static int digits(long seq) {
        int d = 1;
        for (long bound = 10; d < 19 && seq >= bound; bound *= 10) {
            d++;
        }
        return d;
    }

    /** The id of the form for a prefix and sequence (the inverse of {@link #sequence}). */
    static String id(String prefix, long seq) {
        return prefix + ':' + seq;
    }

    /**
     * The producer of an id of the form with this sequence, or null if it has none and {@code create}
     * is false.
     */
    Producer producer(String id, long seq, boolean create) {
        int prefixLength = id.length() - 1 - digits(seq);
        Producer p = last;
        if (p != null && p.prefix.length() == prefixLength && id.startsWith(p.prefix)) {
            return p;
        }
        return lookup(id.substring(0, prefixLength), create);
    }

    /**
     * The producer of a prefix (ids given as (prefix, sequence), never as a string), or null if it has
     * none and {@code create} is false: the same producer an id {@code prefix:<sequence>} names.
     */
    Producer producerOf(String prefix, boolean create) {
        Producer p = last;
        if (p != null && p.prefix.equals(prefix)) {
            return p;
        }
        return lookup(prefix, create);
    }

    /** The producer of a prefix from the map (created if {@code create}), remembered as the last one named; or null. */
    private Producer lookup(String prefix, boolean create) {
        Producer p = producers.get(prefix);
        if (p == null && create) {
            p = put(prefix);
        }
        if (p != null) {
            last = p;
        }
        return p;
    }

    /** Held ids in runs (tests, memory). */
    long heldIds() {
        return heldIds;
    }

    /** Ring capacity (tests: memory follows occupancy). */
    int ringCapacity() {
        return ringOwners.length;
    }

    /** Producers held (tests). */
    int producers() {
        return producers.size();
    }

    /** Stages, for the current write, a new id of {@code p} with {@code seq >= p.end()}. */
    void stage(Producer p, long seq, long messageId, long time) {
        touch(p);
        if (p.append(seq, 1, messageId, time, false)) {
            if (writeRuns == writeRunOwners.length) {
                writeRunOwners = Arrays.copyOf(writeRunOwners, writeRuns * 2);
                writeRunIndexes = Arrays.copyOf(writeRunIndexes, writeRuns * 2);
            }
            writeRunOwners[writeRuns] = p;
            writeRunIndexes[writeRuns] = p.tail - 1 - p.committed;
            writeRuns++;
        }
    }

    /** The current write stores a new id of {@code p} below its highest: it goes to the general path. */
    void spill(Producer p, long time) {
        touch(p);
        p.spilledInWrite = true;
        p.spilledUntil = Math.max(p.spilledUntil, time);
    }

    private void touch(Producer p) {
        if (!p.touched) {
            p.touched = true;
            if (touchedCount == touched.length) {
                touched = Arrays.copyOf(touched, touchedCount * 2);
            }
            touched[touchedCount++] = p;
        }
    }

    /** Runs the current write started. */
    int writeRuns() {
        return writeRuns;
    }

    Producer writeRunOwner(int r) {
        return writeRunOwners[r];
    }

    /** Index in the owner's arrays of the current write's run {@code r}. */
    int writeRunAt(int r) {
        return writeRunOwners[r].committed + writeRunIndexes[r];
    }

    /** After the write succeeded: its pending runs and spills become held. */
    void commit() {
        for (int i = 0; i < touchedCount; i++) {
            Producer p = touched[i];
            for (int r = p.committed; r < p.tail; r++) {
                addToRing(p, p.storedAt(r), false);
                heldIds += p.count(r);
            }
            if (p.spilledInWrite) {
                addToRing(p, p.spilledUntil, true);
            }
            p.committed = p.tail;
            untouch(p);
        }
        endWrite();
    }

    /** Before a write: drops what a write that failed left pending. */
    void rollback() {
        for (int i = 0; i < touchedCount; i++) {
            Producer p = touched[i];
            p.tail = p.committed;
            untouch(p);
            if (p.ringEntries == 0) {
                forget(p);
            }
        }
        endWrite();
    }

    private void untouch(Producer p) {
        p.touched = false;
        p.spilledInWrite = false;
    }

    /**
     * Between writes (the purge): gives back the per-write arrays a write touching many producers grew
     * (their entries are already cleared).
     */
    void trimWriteArrays() {
        if (touchedCount == 0 && writeRuns == 0 && (touched.length > 4 || writeRunOwners.length > 4)) {
            touched = new Producer[4];
            writeRunOwners = new Producer[4];
            writeRunIndexes = new int[4];
        }
    }

    /** Capacity of the per-write arrays (tests). */
    int writeArraysCapacity() {
        return Math.max(touched.length, writeRunOwners.length);
    }

    private void endWrite() {
        Arrays.fill(touched, 0, touchedCount, null);
        touchedCount = 0;
        Arrays.fill(writeRunOwners, 0, writeRuns, null);
        writeRuns = 0;
    }

    /**
     * At load, in stored order: a held run of {@code count} sequences. Appended (and extended when it
     * continues the producer's last run) if it is above the producer's highest sequence.
     *
     * @return false if it is not (the caller spills its ids to the general path, {@link #loadSpill})
     */
    boolean loadRun(String prefix, long firstSeq, int count, long messageId, long storedAt) {
        Producer p = lookup(prefix, true);
        if (firstSeq < p.end()) {
            return false;
        }
        if (p.append(firstSeq, count, messageId, storedAt, true)) {
            addToRing(p, storedAt, false);
        }
        p.committed = p.tail;
        heldIds += count;
        return true;
    }

    /** At load: an id of {@code prefix} stored at {@code storedAt} was put on the general path. */
    void loadSpill(String prefix, long storedAt) {
        Producer p = lookup(prefix, true);
        p.spilledUntil = Math.max(p.spilledUntil, storedAt);
        addToRing(p, storedAt, true);
    }

    private void addToRing(Producer p, long time, boolean spill) {
        if (ringTail - ringHead == ringOwners.length) {
            resizeRing(ringOwners.length * 2);
        }
        int at = (int) (ringTail & (ringOwners.length - 1));
        ringOwners[at] = p;
        ringTimes[at] = time;
        ringSpills[at] = spill;
        ringTail++;
        p.ringEntries++;
    }

    private void resizeRing(int capacity) {
        Producer[] owners = new Producer[capacity];
        long[] times = new long[capacity];
        boolean[] spills = new boolean[capacity];
        int mask = ringOwners.length - 1;
        for (long s = ringHead; s < ringTail; s++) {
            int from = (int) (s & mask);
            int to = (int) ((s - ringHead));
            owners[to] = ringOwners[from];
            times[to] = ringTimes[from];
            spills[to] = ringSpills[from];
        }
        ringTail -= ringHead;
        ringHead = 0;
        ringOwners = owners;
        ringTimes = times;
        ringSpills = spills;
    }

    /** Forgets the runs and spill marks stored at or before {@code cutoff}. */
    void evictThrough(long cutoff) {
        int mask = ringOwners.length - 1;
        while (ringHead < ringTail && ringTimes[(int) (ringHead & mask)] <= cutoff) {
            int at = (int) (ringHead & mask);
            Producer p = ringOwners[at];
            ringOwners[at] = null;
            ringHead++;
            if (!ringSpills[at]) {
                heldIds -= p.removeOldest();
            }
            if (--p.ringEntries == 0 && p.tail == p.head) {
                forget(p);
            }
        }
        int capacity = ringOwners.length;
        if (capacity > MIN_RING && ringTail - ringHead < capacity / 8) {
            resizeRing(Math.max(MIN_RING, Integer.highestOneBit((int) Math.max(1, ringTail - ringHead)) * 4));
        }
    }

    private Producer put(String prefix) {
        Producer p = new Producer(prefix);
        producers.put(prefix, p);
        mapPeak = Math.max(mapPeak, producers.size());
        return p;
    }

    private void forget(Producer p) {
        producers.remove(p.prefix, p);
        if (last == p) {
            last = null;
        }
        if (mapPeak >= MIN_MAP_REBUILD && producers.size() < mapPeak / 8) {
            producers = new HashMap<>(producers); // a table sized for those left
            mapPeak = producers.size();
        }
    }

    /** The most producers held since the map was last rebuilt (tests: the map's table follows its size). */
    int mapPeak() {
        return mapPeak;
    }
}
