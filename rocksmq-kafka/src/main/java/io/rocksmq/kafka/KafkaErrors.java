package io.rocksmq.kafka;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.InvalidNameException;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.StorageException;
import io.rocksmq.api.TopicNotFoundException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.InterruptException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Maps Kafka's exceptions to the client API's, so that a caller branches on the same types whatever the
 * backend:
 * <ul>
 *   <li>unknown topic ({@code UnknownTopicOrPartitionException}, {@code UnknownTopicIdException}) →
 *       {@link TopicNotFoundException};</li>
 *   <li>illegal topic name → {@link InvalidNameException}; a record over the size limits →
 *       {@link InvalidArgumentException};</li>
 *   <li>a timeout (the cluster did not answer within the request timeout: unreachable, restarting, no
 *       leader) and every other Kafka failure → {@link StorageException}, whose {@code status()} keeps
 *       Kafka's exception class and message.</li>
 * </ul>
 * Interruption restores the thread's interrupt status and throws a plain {@link RocksMqException}.
 *
 * <p>Thread-safe: stateless.
 */
final class KafkaErrors {
    private KafkaErrors() {
    }

    /** Waits for an admin result with a bound, mapping every failure. */
    static <T> T get(KafkaFuture<T> future, long timeoutMs, String what, String topic) {
        try {
            return future.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RocksMqException("interrupted while waiting for Kafka to " + what, e);
        } catch (ExecutionException e) {
            throw map(e.getCause(), what, topic);
        } catch (TimeoutException e) {
            throw new StorageException("Kafka did not answer within " + timeoutMs + " ms to " + what,
                    "TimeoutException", e);
        }
    }

    /** The client-API exception for a Kafka failure while doing {@code what} (on {@code topic}, if any). */
    static RuntimeException map(Throwable t, String what, String topic) {
        Throwable cause = unwrap(t);
        if (cause instanceof RocksMqException r) {
            return r;
        }
        if (topic != null && (cause instanceof UnknownTopicOrPartitionException
                || cause instanceof UnknownTopicIdException)) {
            TopicNotFoundException e = new TopicNotFoundException(topic);
            e.initCause(cause);
            return e;
        }
        if (cause instanceof InvalidTopicException) {
            InvalidNameException e = new InvalidNameException("Kafka rejected topic name '" + topic + "': "
                    + cause.getMessage());
            e.initCause(cause);
            return e;
        }
        if (cause instanceof RecordTooLargeException) {
            InvalidArgumentException e = new InvalidArgumentException("Kafka rejected the message as too large ("
                    + cause.getMessage() + "); raise max.request.size / the topic's max.message.bytes");
            e.initCause(cause);
            return e;
        }
        if (cause instanceof InterruptException || cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new RocksMqException("interrupted while waiting for Kafka to " + what, cause);
        }
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException || cause instanceof TimeoutException) {
            return new StorageException("Kafka did not answer in time to " + what, status(cause), cause);
        }
        if (cause instanceof KafkaException || cause instanceof IllegalStateException) {
            return new StorageException("Kafka failed to " + what, status(cause), cause);
        }
        if (cause instanceof RuntimeException r) {
            return r;
        }
        return new StorageException("Kafka failed to " + what, status(cause), cause);
    }

    /** True if Kafka's answer may mean that the topic does not exist (any more). */
    static boolean maybeMissingTopic(Throwable t) {
        Throwable cause = unwrap(t);
        return cause instanceof UnknownTopicOrPartitionException || cause instanceof UnknownTopicIdException
                || cause instanceof org.apache.kafka.common.errors.TimeoutException;
    }

    static String status(Throwable t) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof ExecutionException || c instanceof CompletionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }
}
