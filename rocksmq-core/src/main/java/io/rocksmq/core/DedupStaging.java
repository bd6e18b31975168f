package io.rocksmq.core;

import java.util.Arrays;

/**
 * The deduplication ids that one write stores, in message-id order: for each its id, its hash and the
 * id of the message it names, in parallel arrays, with an open-addressing table (linear probing, at
 * most half full) to find an id staged earlier in the same write. Reused write after write.
 *
 * <h2>Why</h2>
 * A {@code LinkedHashMap<String, Long>} per write cost a node, a boxed {@code Long} and a
 * {@code String.hashCode} pass per message, then a second walk of the map to encode the log record and
 * a third to hash the ids again into the window; here staging is three array stores and one probe,
 * and {@link Deduplication#commit} and {@link DedupLogRecord#encode} read the arrays.
 *
 * <p>Not thread-safe: used only under the topic's produce lock ({@link Deduplication}). Memory: a
 * combined write of many small messages may grow the arrays; {@link #clear} gives them back once a
 * write uses less than a quarter of them.
 */
final class DedupStaging {
    /** What {@link #release} and a shrinking {@link #clear} give a staging that has been used back to. */
    private static final int INITIAL_CAPACITY = 128;
    /**
     * A staging no write has used yet: every topic has one, most never stage an id, and at {@link
     * #INITIAL_CAPACITY} the arrays cost about 4 KB a topic (40 MB of heap for 10,000 topics). The first
     * write grows it by doubling as any larger write does.
     */
    private static final int UNUSED_CAPACITY = 1;
    /** Arrays above this size are given back by {@link #clear} when a write uses little of them. */
    private static final int KEEP_CAPACITY = 4096;

    private String[] ids;
    /** The ids' UTF-8 bytes (what the log record holds and the hash was taken of). */
    private byte[][] utf8;
    private long[] hashes;
    private long[] messageIds;
    /** Index + 1 of the entry (0: empty); twice the capacity, so at most half full. */
    private int[] slots;
    private int count;

    DedupStaging() {
        allocate(UNUSED_CAPACITY);
    }

    private void allocate(int capacity) {
        ids = new String[capacity];
        utf8 = new byte[capacity][];
        hashes = new long[capacity];
        messageIds = new long[capacity];
        slots = new int[capacity * 2];
    }

    int count() {
        return count;
    }

    String id(int i) {
        return ids[i];
    }

    byte[] utf8(int i) {
        return utf8[i];
    }

    long messageId(int i) {
        return messageIds[i];
    }

    /** The hashes of the staged entries; the first {@link #count} are valid. */
    long[] hashes() {
        return hashes;
    }

    /** The message id an id staged in this write names, or -1. */
    long find(long hash, String id) {
        int mask = slots.length - 1;
        for (int i = (int) hash & mask; slots[i] != 0; i = (i + 1) & mask) {
            int at = slots[i] - 1;
            if (hashes[at] == hash && ids[at].equals(id)) {
                return messageIds[at];
            }
        }
        return -1;
    }

    /** Stages an id not staged yet, with its UTF-8 bytes; message ids come in ascending order. */
    void add(String id, byte[] bytes, long hash, long messageId) {
        if (count == ids.length) {
            grow();
        }
        ids[count] = id;
        utf8[count] = bytes;
        hashes[count] = hash;
        messageIds[count] = messageId;
        count++;
        insertSlot(hash, count);
    }

    private void insertSlot(long hash, int entry) {
        int mask = slots.length - 1;
        int i = (int) hash & mask;
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        slots[i] = entry;
    }

    private void grow() {
        int capacity = ids.length * 2;
        ids = Arrays.copyOf(ids, capacity);
        utf8 = Arrays.copyOf(utf8, capacity);
        hashes = Arrays.copyOf(hashes, capacity);
        messageIds = Arrays.copyOf(messageIds, capacity);
        slots = new int[capacity * 2];
        for (int e = 0; e < count; e++) {
            insertSlot(hashes[e], e + 1);
        }
    }

    /** Empties the staging and gives back what a large write grew it to (the purge: nothing kept past a write). */
    void release() {
        clear();
        if (ids.length > INITIAL_CAPACITY) {
            allocate(INITIAL_CAPACITY);
        }
    }

    /** Capacity in entries (tests). */
    int capacity() {
        return ids.length;
    }

    /**
     * Empties the staging for the next write. Clears only the slots in use: each entry's probe run
     * holds only entries staged before it, so emptying them newest first finds every one.
     */
    void clear() {
        if (count == 0) {
            return;
        }
        if (ids.length > KEEP_CAPACITY && count < ids.length / 4) {
            allocate(INITIAL_CAPACITY);
            count = 0;
            return;
        }
        int mask = slots.length - 1;
        for (int e = count; e > 0; e--) {
            int i = (int) hashes[e - 1] & mask;
            while (slots[i] != e) {
                i = (i + 1) & mask;
            }
            slots[i] = 0;
        }
        Arrays.fill(ids, 0, count, null);
        Arrays.fill(utf8, 0, count, null);
        count = 0;
    }
}
