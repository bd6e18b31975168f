package io.rocksmq.api.internals;

import io.rocksmq.api.ProducerOptions;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The automatic deduplication ids of one producer ({@link ProducerOptions#producerName()}):
 * {@code name:epoch:sequence}, the epoch a random 63-bit number drawn when the producer is created (in
 * base 36) and the sequence counting from 0 in canonical decimal: the embedded queue keeps consecutive
 * sequences of one prefix as one run in its deduplication window instead of one entry per id, and the
 * embedded producer hands it the ids as ({@link #prefix()}, {@link #nextSequence()}) without building
 * their strings. Two producers, of one name or not, share an id only if
 * they draw the same epoch (a chance of 2^-63 per pair), so they never drop each other's messages; a
 * producer that restarts draws a new epoch and does not collide with the ids it used before.
 *
 * <p>Thread-safe.
 */
public final class AutoDeduplicationIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** {@code name:epoch}, without the colon before the sequence. */
    private final String prefix;
    private final AtomicLong sequence = new AtomicLong();

    private AutoDeduplicationIds(String producerName) {
        this.prefix = producerName + ':' + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }

    /** The ids of a producer with these options, or null if they name no producer (ids off). */
    public static AutoDeduplicationIds of(ProducerOptions options) {
        return options.producerName() == null ? null : new AutoDeduplicationIds(options.producerName());
    }

    /** The next id: {@code name:epoch:sequence}. */
    public String next() {
        return prefix + ':' + sequence.getAndIncrement();
    }

    /** What precedes {@code :sequence} in every id: {@code name:epoch}. */
    public String prefix() {
        return prefix;
    }

    /** The next id's sequence (the id is {@code prefix():sequence}); ids from {@link #next} take sequences too. */
    public long nextSequence() {
        return sequence.getAndIncrement();
    }
}
