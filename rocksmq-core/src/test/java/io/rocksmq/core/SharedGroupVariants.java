package io.rocksmq.core;

import io.rocksmq.api.StorageException;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * States of a shared group for {@link SharedGroupHistoryTest}: one that fails writes at random (before
 * writing anything, as a refused RocksDB write does), and the deliberately broken variants the history
 * test must catch. Each exists only to be run by that test.
 */
final class SharedGroupVariants {
    private SharedGroupVariants() {
    }

    /** The real state, whose writes fail with probability {@code rate} (nothing written when they do). */
    static class FlakyWrites extends SharedGroupState {
        private final SplittableRandom random;
        private final double rate;

        FlakyWrites(SharedGroupOptions options, long topicId, String name, long floor, long[] counters,
                    Map<Long, byte[]> records, long seed, double rate) {
            super(options, topicId, name, floor, counters, records);
            this.random = new SplittableRandom(seed);
            this.rate = rate;
        }

        static Factory factory(long seed, double rate) {
            return (o, t, n, f, c, r) -> new FlakyWrites(o, t, n, f, c, r, seed, rate);
        }

        /** Called under the group's position lock, so the random needs no lock of its own. */
        void maybeFail(String what) {
            if (random.nextDouble() < rate) {
                throw new StorageException("injected failure", what, null);
            }
        }

        @Override
        void commit(Op op, List<byte[][]> writes) {
            maybeFail("state write");
            super.commit(op, writes);
        }

        @Override
        boolean sendDeadLetter(Op op, String topic, ProducerMessage message, List<byte[][]> writes) {
            maybeFail("dead-letter write");
            return super.sendDeadLetter(op, topic, message, writes);
        }
    }

    /** BROKEN: an ack, release, reject or renew naming an earlier delivery attempt is accepted. */
    static final class NoFencing extends SharedGroupState {
        NoFencing(SharedGroupOptions o, long t, String n, long f, long[] c, Map<Long, byte[]> r) {
            super(o, t, n, f, c, r);
        }

        @Override
        boolean fences() {
            return false;
        }
    }

    /** BROKEN: delivery counts are not written, so a restart forgets them. */
    static final class CountsNotPersisted extends SharedGroupState {
        CountsNotPersisted(SharedGroupOptions o, long t, String n, long f, long[] c, Map<Long, byte[]> r) {
            super(o, t, n, f, c, r);
        }

        @Override
        void persistCounts(Op op, List<byte[][]> writes) {
            // the bug: nothing written
        }
    }

    /** BROKEN: the dead letter is produced, then the group's state written in a second write (which may fail). */
    static final class DeadLetterInTwoWrites extends FlakyWrites {
        DeadLetterInTwoWrites(SharedGroupOptions o, long t, String n, long f, long[] c, Map<Long, byte[]> r,
                              long seed, double rate) {
            super(o, t, n, f, c, r, seed, rate);
        }

        static Factory factory(long seed, double rate) {
            return (o, t, n, f, c, r) -> new DeadLetterInTwoWrites(o, t, n, f, c, r, seed, rate);
        }

        @Override
        boolean sendDeadLetter(Op op, String topic, ProducerMessage message, List<byte[][]> writes) {
            if (!super.sendDeadLetter(op, topic, message, List.of())) {
                return false;
            }
            commit(op, writes);
            return true;
        }
    }

    /**
     * Answers a delivery by message id and attempt only, on whatever incarnation of the group the name
     * finds now: an old incarnation's delivery can finish (or release) the same (id, attempt) of a
     * re-created group. For {@link SharedGroupRecreateHistoryTest}.
     */
    static final class UnfencedIncarnations {
        private UnfencedIncarnations() {
        }

        static void answerAs(SharedGroup g, SharedGroup.Delivery d, String kind, java.time.Duration delay) {
            switch (kind) {
                case "ack" -> g.ack(d.id(), d.attempt());
                case "release" -> g.release(d.id(), d.attempt(), delay);
                case "renew" -> g.renew(d.id(), d.attempt());
                default -> throw new AssertionError(kind);
            }
        }
    }
}
