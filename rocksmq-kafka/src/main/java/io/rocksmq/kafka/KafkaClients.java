package io.rocksmq.kafka;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The Kafka clients a {@link KafkaMqClient} has open, and the listeners told of them.
 *
 * <h2>States / Locks</h2>
 * {@link #open} and {@link #listeners} change only under this object's monitor, and every callback runs
 * under it too: a listener added while clients open and close is replayed exactly the clients open at that
 * moment and then hears every later change, in order, with none missed or doubled. The monitor is a leaf:
 * callbacks must not call back into the client (documented on {@link KafkaClientListener}).
 *
 * <p>Thread-safe.
 */
final class KafkaClients {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaClients.class);

    private final Set<KafkaClientInfo> open = new LinkedHashSet<>();
    private final List<KafkaClientListener> listeners = new ArrayList<>();

    synchronized void opened(KafkaClientInfo client) {
        if (open.add(client)) {
            for (KafkaClientListener l : listeners) {
                tell(l, client, true);
            }
        }
    }

    synchronized void closed(KafkaClientInfo client) {
        if (open.remove(client)) {
            for (KafkaClientListener l : listeners) {
                tell(l, client, false);
            }
        }
    }

    /** Adds {@code listener}, telling it first of every client open now. */
    synchronized void add(KafkaClientListener listener) {
        listeners.add(listener);
        for (KafkaClientInfo c : open) {
            tell(listener, c, true);
        }
    }

    /** Removes {@code listener}; it hears nothing more (no {@code closed} is sent for clients still open). */
    synchronized void remove(KafkaClientListener listener) {
        listeners.remove(listener);
    }

    private static void tell(KafkaClientListener l, KafkaClientInfo c, boolean opened) {
        try {
            if (opened) {
                l.opened(c);
            } else {
                l.closed(c);
            }
        } catch (RuntimeException e) {
            LOG.warn("Kafka client listener failed on {} {}", opened ? "opening" : "closing", c.role(), e);
        }
    }
}
