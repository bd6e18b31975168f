package io.rocksmq.testkit;

import java.time.Duration;

/**
 * The documented differences of a backend that the contract suite takes into account, declared by
 * overriding {@link MqClientContract#traits()}. Each trait that is off skips the tests of that
 * behaviour (they report as skipped, naming the trait); none relaxes a check that runs.
 *
 * <p>Thread-safe (immutable).
 */
public final class BackendTraits {
    /** The embedded backend: every trait on, short waits. */
    public static final BackendTraits DEFAULT = builder().build();

    private final boolean exclusiveSubscriptions;
    private final boolean immediateTopicDeletion;
    private final boolean deduplication;
    private final boolean expiry;
    private final boolean sharedSubscriptions;
    private final boolean scheduledDelivery;
    private final boolean sharedWithoutReadAhead;
    private final boolean sharedSubscriptionAdmin;
    private final Duration minLockDuration;
    private final Duration deliveryTimeout;
    private final Duration quietPeriod;

    private BackendTraits(Builder b) {
        this.minLockDuration = b.minLockDuration;
        this.sharedWithoutReadAhead = b.sharedWithoutReadAhead;
        this.sharedSubscriptionAdmin = b.sharedSubscriptionAdmin;
        this.exclusiveSubscriptions = b.exclusiveSubscriptions;
        this.immediateTopicDeletion = b.immediateTopicDeletion;
        this.deduplication = b.deduplication;
        this.expiry = b.expiry;
        this.sharedSubscriptions = b.sharedSubscriptions;
        this.scheduledDelivery = b.scheduledDelivery;
        this.deliveryTimeout = b.deliveryTimeout;
        this.quietPeriod = b.quietPeriod;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A second subscribe to an open subscription fails with {@code SubscriptionInUseException}. */
    public boolean exclusiveSubscriptions() {
        return exclusiveSubscriptions;
    }

    /**
     * {@code deleteTopic} takes effect before it returns: the topic is no longer listed, a topic created
     * again under the name is empty, and open consumers of it fail with {@code TopicNotFoundException}.
     */
    public boolean immediateTopicDeletion() {
        return immediateTopicDeletion;
    }

    /**
     * A message's deduplication id is honoured by the backend: a resend with an id already stored within
     * the window stores nothing and answers the original's id, across restarts. Off for Kafka, whose
     * idempotent producer only drops its own internal retries.
     */
    public boolean deduplication() {
        return deduplication;
    }

    /** A message whose expiry time passed before it is read is never delivered. */
    public boolean expiry() {
        return expiry;
    }

    /**
     * {@code SubscriptionType.SHARED} subscriptions work (a work queue: per-message acks, release, reject,
     * lock expiry, dead letters); off, the {@link SharedSubscriptionContract} tests are skipped naming it.
     */
    public boolean sharedSubscriptions() {
        return sharedSubscriptions;
    }

    /**
     * {@code Producer.schedule} works (a message appears when due, a cancelled one never); off, the backend
     * must refuse it with {@code FeatureNotSupportedException} ({@link ScheduleContract} checks that
     * instead). Off for Kafka, which has no scheduled delivery, and for the remote backend so far.
     */
    public boolean scheduledDelivery() {
        return scheduledDelivery;
    }

    /**
     * A SHARED consumer acquires only what the application takes (no read-ahead): what one consumer did
     * not take goes to the others at once, and with several consumers every first delivery counts 1. Off
     * for Kafka, where one poll locks up to {@code receiveBufferSize} records to the consumer until it
     * answered them.
     */
    public boolean sharedWithoutReadAhead() {
        return sharedWithoutReadAhead;
    }

    /**
     * {@code listSubscriptions} lists SHARED subscriptions too and {@code deleteSubscription} deletes one;
     * an open SHARED consumer then fails with {@code ConsumerGroupNotFoundException}, and with
     * {@code TopicNotFoundException} once its topic is deleted. Off for Kafka, whose share groups the
     * backend neither lists nor deletes (KafkaMqClient's javadoc) and whose share consumers do not watch
     * for a deleted topic.
     */
    public boolean sharedSubscriptionAdmin() {
        return sharedSubscriptionAdmin;
    }

    /**
     * The shortest lock duration a SHARED subscription may have on this backend (Kafka's brokers bound it:
     * {@code group.share.min.record.lock.duration.ms}); lock-expiry tests use at least this.
     */
    public Duration minLockDuration() {
        return minLockDuration;
    }

    /** How long a test waits for a message that must arrive (generous: a slow machine is not a failure). */
    public Duration deliveryTimeout() {
        return deliveryTimeout;
    }

    /**
     * How long a test watches for a message that must NOT arrive. A wrong delivery that comes later
     * than this goes unnoticed, so it only weakens a test, never makes it flaky.
     */
    public Duration quietPeriod() {
        return quietPeriod;
    }

    @Override
    public String toString() {
        return "BackendTraits{exclusiveSubscriptions=" + exclusiveSubscriptions + ", immediateTopicDeletion="
                + immediateTopicDeletion + ", deduplication=" + deduplication + ", expiry=" + expiry + ", sharedSubscriptions=" + sharedSubscriptions + ", scheduledDelivery=" + scheduledDelivery + ", sharedWithoutReadAhead=" + sharedWithoutReadAhead + ", sharedSubscriptionAdmin=" + sharedSubscriptionAdmin + ", minLockDuration=" + minLockDuration + ", deliveryTimeout=" + deliveryTimeout + ", quietPeriod=" + quietPeriod + '}';
    }

    /** Fluent builder. Not thread-safe. */
    public static final class Builder {
        private boolean exclusiveSubscriptions = true;
        private boolean immediateTopicDeletion = true;
        private boolean deduplication = true;
        private boolean expiry = true;
        private boolean sharedSubscriptions = true;
        private boolean scheduledDelivery = true;
        private boolean sharedWithoutReadAhead = true;
        private boolean sharedSubscriptionAdmin = true;
        private Duration minLockDuration = Duration.ofMillis(1);
        private Duration deliveryTimeout = Duration.ofSeconds(20);
        private Duration quietPeriod = Duration.ofMillis(300);

        private Builder() {
        }

        public Builder exclusiveSubscriptions(boolean value) {
            this.exclusiveSubscriptions = value;
            return this;
        }

        public Builder immediateTopicDeletion(boolean value) {
            this.immediateTopicDeletion = value;
            return this;
        }

        public Builder deduplication(boolean value) {
            this.deduplication = value;
            return this;
        }

        public Builder expiry(boolean value) {
            this.expiry = value;
            return this;
        }

        public Builder sharedSubscriptions(boolean value) {
            this.sharedSubscriptions = value;
            return this;
        }

        public Builder scheduledDelivery(boolean value) {
            this.scheduledDelivery = value;
            return this;
        }

        public Builder sharedWithoutReadAhead(boolean value) {
            this.sharedWithoutReadAhead = value;
            return this;
        }

        public Builder sharedSubscriptionAdmin(boolean value) {
            this.sharedSubscriptionAdmin = value;
            return this;
        }

        public Builder minLockDuration(Duration value) {
            this.minLockDuration = value;
            return this;
        }

        public Builder deliveryTimeout(Duration value) {
            this.deliveryTimeout = value;
            return this;
        }

        public Builder quietPeriod(Duration value) {
            this.quietPeriod = value;
            return this;
        }

        /** @throws IllegalArgumentException if a duration is null or not positive */
        public BackendTraits build() {
            if (deliveryTimeout == null || deliveryTimeout.isNegative() || deliveryTimeout.isZero()
                    || quietPeriod == null || quietPeriod.isNegative() || quietPeriod.isZero()
                    || minLockDuration == null || minLockDuration.isNegative() || minLockDuration.isZero()) {
                throw new IllegalArgumentException("durations must be positive");
            }
            return new BackendTraits(this);
        }
    }
}
