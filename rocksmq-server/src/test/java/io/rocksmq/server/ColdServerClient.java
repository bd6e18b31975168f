package io.rocksmq.server;

import io.rocksmq.api.MqClient;
import io.rocksmq.remote.ServerUnavailableException;

import java.time.Duration;

/**
 * Opens a client against a server just started in a child JVM. Calls keep a short deadline (5 s: a test
 * must notice a killed server quickly), but the first answer of a cold server JVM on a loaded machine can
 * take longer than that, so opening alone is retried until a bounded deadline.
 */
final class ColdServerClient {
    private static final Duration FIRST_ANSWER_DEADLINE = Duration.ofSeconds(120);

    private ColdServerClient() {
    }

    /** {@code rmq://127.0.0.1:port?timeout=5s}, once the server answers its first call. */
    static MqClient openWhenServing(int port) {
        long deadline = System.nanoTime() + FIRST_ANSWER_DEADLINE.toNanos();
        while (true) {
            try {
                return MqClient.open("rmq://127.0.0.1:" + port + "?timeout=5s");
            } catch (ServerUnavailableException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("the started server did not answer a first call within "
                            + FIRST_ANSWER_DEADLINE.toSeconds() + " s", e);
                }
            }
            try {
                Thread.sleep(100); // a pause between attempts, not a wait for anything
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for the server's first answer", e);
            }
        }
    }
}
