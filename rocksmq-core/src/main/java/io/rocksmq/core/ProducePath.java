package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.TopicNotFoundException;

import java.util.List;

/**
 * The write path of one validated produce: encodes the batch outside any lock, appends it to the topic
 * ({@link Topic#append}, where concurrent produces are combined), wakes the topic's consumers, holds the
 * producer back while retention catches up, and waits for the fsync a {@link Durability#FSYNC} produce
 * asked for.
 *
 * <p>Thread-safe: holds only immutable references; the locks it relies on are the topic's produce lock
 * (inside {@link Topic#append}) and the store's group commit.
 */
final class ProducePath {
    private final RocksMqConfig config;
    private final RocksStore store;
    private final TopicRegistry registry;
    /** The queue's lifecycle: a producer held back by retention stops waiting once the queue closes. */
    private final Lifecycle queue;

    ProducePath(RocksMqConfig config, RocksStore store, TopicRegistry registry, Lifecycle queue) {
        this.config = config;
        this.store = store;
        this.registry = registry;
        this.queue = queue;
    }

    /**
     * Checks a produce's arguments before anything is written: a non-empty list without nulls, a
     * durability, every message within the configured size limit, and each with a delivery time if and
     * only if {@code schedule} ({@link RocksMq#schedule}; {@link RocksMq#produce} refuses such messages).
     *
     * @throws InvalidArgumentException naming the first offending message by its index
     */
    static void validate(List<ProducerMessage> messages, Durability durability, RocksMqConfig config,
                         boolean schedule) {
        if (messages == null || messages.isEmpty()) {
            throw new InvalidArgumentException("messages must not be null or empty");
        }
        if (durability == null) {
            throw new InvalidArgumentException("durability must not be null");
        }
        for (int i = 0; i < messages.size(); i++) {
            ProducerMessage m = messages.get(i);
            if (m == null) {
                throw new InvalidArgumentException("message " + i + " is null");
            }
            if (m.scheduled() != schedule) {
                throw new InvalidArgumentException("message " + i + (schedule ? " has no delivery time"
                        : " has a delivery time: use schedule()"));
            }
            try {
                config.checkMessageSize(m);
            } catch (InvalidArgumentException e) {
                throw new InvalidArgumentException("message " + i + ": " + e.getMessage());
            }
        }
    }

    /**
     * Writes the messages to the topic as one atomic batch. The caller validated them and entered the
     * queue; this enters the topic for the write only (retention's backpressure and the fsync wait
     * happen outside it, so destroying the topic never waits for them).
     *
     * @return the id of each message, in order: consecutive for the messages stored; a message whose
     *         deduplication id was stored within the window gets the original's id instead
     */
    long[] produce(String topic, List<ProducerMessage> messages, Durability durability) {
        // Encode before taking the topic's lock: only id allocation and the write happen under it.
        return write(topic, new Topic.Append(messages, dedupIds(messages), config.maxBatchEntryBytes(),
                config.clock().millis()), durability);
    }

    /**
     * As {@link #produce}, with ids given as (prefix, sequence) ({@link RocksMq#produceWithSequenceIds},
     * checked by {@link #validateSequenceIds}): message {@code i} with {@code sequences[i] >= 0} has the id
     * {@code prefix:sequences[i]}, and no string of it is built unless the id must take the general path.
     */
    long[] produce(String topic, List<ProducerMessage> messages, String prefix, long[] sequences,
                   Durability durability) {
        String[] ids = dedupIds(messages);
        if (ids == null) {
            ids = new String[messages.size()];
        }
        return write(topic, new Topic.Append(messages, ids, prefix, sequences, config.maxBatchEntryBytes(),
                config.clock().millis()), durability);
    }

    /**
     * Checks ids given as (prefix, sequence) as {@link ProducerMessage} checks an id given as a string,
     * {@code prefix:sequence}: 1 to {@link ProducerMessage#MAX_DEDUPLICATION_ID_BYTES} UTF-8 bytes, no
     * unpaired surrogate; besides, one sequence per message, each below 10^18 (the sequence form's 18
     * digits), and none for a message with an id of its own.
     *
     * @throws InvalidArgumentException naming the first offending message by its index
     */
    static void validateSequenceIds(List<ProducerMessage> messages, String prefix, long[] sequences) {
        if (prefix == null || sequences == null) {
            throw new InvalidArgumentException("the id prefix and the sequences must not be null");
        }
        if (io.rocksmq.api.internals.Utf16.unpairedSurrogate(prefix) >= 0) {
            throw new InvalidArgumentException("the id prefix holds an unpaired surrogate");
        }
        if (sequences.length != messages.size()) {
            throw new InvalidArgumentException(sequences.length + " sequences for " + messages.size() + " messages");
        }
        int prefixBytes = StorageLayout.utf8Length(prefix);
        for (int i = 0; i < sequences.length; i++) {
            long seq = sequences[i];
            if (seq < 0) {
                continue;
            }
            if (seq > MAX_SEQUENCE) {
                throw new InvalidArgumentException("message " + i + ": sequence " + seq + " is above " + MAX_SEQUENCE);
            }
            if (prefixBytes + 1 + DedupRuns.digits(seq) > ProducerMessage.MAX_DEDUPLICATION_ID_BYTES) {
                throw new InvalidArgumentException("message " + i + ": deduplication id must be 1 to "
                        + ProducerMessage.MAX_DEDUPLICATION_ID_BYTES + " UTF-8 bytes");
            }
            if (messages.get(i).deduplicationId() != null) {
                throw new InvalidArgumentException("message " + i + " has a deduplication id and a sequence");
            }
        }
    }

    /** The highest sequence of an id given as (prefix, sequence): 18 decimal digits. */
    static final long MAX_SEQUENCE = 999_999_999_999_999_999L;

    /**
     * Checks a payload block's messages against the configured size limit, as {@link #validate} does
     * messages.
     *
     * @throws InvalidArgumentException naming the first offending message by its index
     */
    static void validate(PayloadBlock block, Durability durability, RocksMqConfig config) {
        if (block == null) {
            throw new InvalidArgumentException("payload block must not be null");
        }
        if (durability == null) {
            throw new InvalidArgumentException("durability must not be null");
        }
        for (int i = 0; i < block.count(); i++) {
            if (block.size(i) > config.maxMessageBytes()) {
                throw new InvalidArgumentException("message " + i + ": message of " + block.size(i) + " bytes (payload"
                        + " and properties) is larger than the queue's maximum of " + config.maxMessageBytes()
                        + " bytes (RocksMqConfig.maxMessageBytes)");
            }
        }
    }

    /**
     * As {@link #produce}, for a validated payload block: encoded straight from its bytes.
     *
     * @return the id of the first message; the others follow it
     */
    long producePayloads(String topic, PayloadBlock block, Durability durability) {
        return write(topic, new Topic.Append(block, config.maxBatchEntryBytes(), config.clock().millis()),
                durability)[0];
    }

    private long[] write(String topic, Topic.Append append, Durability durability) {
        Topic t = registry.enterTopic(topic);
        long ticket;
        boolean durable = durability == Durability.FSYNC;
        if (durable) {
            store.beginDurableWrite(); // a sync starting now waits for this write to join it
        }
        try {
            ticket = t.append(store, append);
            t.signal().signal();
        } finally {
            if (durable) {
                store.endDurableWrite();
            }
            t.lifecycle().exit();
        }
        t.space().awaitRoom(t.lifecycle(), queue);
        if (durable) {
            store.awaitDurable(ticket);
        }
        return append.ids;
    }

    /** The messages' deduplication ids, or null if none carries one (the usual case costs no lookup). */
    static String[] dedupIds(List<ProducerMessage> messages) {
        String[] ids = null;
        for (int i = 0; i < messages.size(); i++) {
            String d = messages.get(i).deduplicationId();
            if (d != null) {
                ids = ids == null ? new String[messages.size()] : ids;
                ids[i] = d;
            }
        }
        return ids;
    }

    /**
     * Produces one dead letter to {@code topic} with a shared group's records ({@code alsoWrite}) in the
     * same atomic batch; false, and nothing written, if the topic does not exist. The caller holds the
     * shared group's position lock (the produce lock comes after it in the lock order). No backpressure
     * and no fsync wait: the group's own writes have neither.
     */
    boolean produceDeadLetter(String topic, ProducerMessage message, List<byte[][]> alsoWrite) {
        Topic.Append append = new Topic.Append(List.of(message), null, config.maxBatchEntryBytes(),
                config.clock().millis());
        append.alsoWrite = alsoWrite;
        Topic t;
        try {
            t = registry.enterTopic(topic);
        } catch (TopicNotFoundException e) {
            return false;
        }
        try {
            t.append(store, append);
            t.signal().signal();
            return true;
        } finally {
            t.lifecycle().exit();
        }
    }
}
