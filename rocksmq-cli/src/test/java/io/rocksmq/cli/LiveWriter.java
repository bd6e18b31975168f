package io.rocksmq.cli;

import io.rocksmq.core.Durability;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Child-process main for {@link LiveInspectionTest}: an application that holds the queue in
 * {@code args[0]} open for writing. It creates topic {@code orders} with group {@code billing} (unless they
 * exist), produces
 * {@code order 0..order 4}, lets {@code billing} consume two, prints {@value #READY}, then obeys its stdin
 * one line at a time: {@code produce TEXT} produces TEXT to {@code orders} and prints {@code produced ID};
 * {@code timed COUNT MILLIS} produces COUNT messages {@code t MICROS} (the wall clock at produce, in
 * microseconds), one every MILLIS, then prints {@code timed done};
 * end of input closes the queue and exits (so a parent that dies leaves no process behind).
 */
public final class LiveWriter {
    static final String READY = "READY";

    private LiveWriter() {
    }

    public static void main(String[] args) throws Exception {
        try (RocksMq mq = RocksMq.open(Path.of(args[0]))) {
            mq.createTopic("orders");
            if (!mq.consumerGroupExists("orders", "billing")) {
                mq.createConsumerGroup("orders", "billing");
            }
            for (int i = 0; i < 5; i++) {
                produce(mq, "order " + i);
            }
            mq.consume("orders", "billing", 2);
            System.out.println(READY);
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("produce ")) {
                    System.out.println("produced " + produce(mq, line.substring("produce ".length())));
                    System.out.flush();
                } else if (line.startsWith("timed ")) { // timed COUNT MILLIS: COUNT messages, one every MILLIS
                    String[] a = line.split(" ");
                    int count = Integer.parseInt(a[1]);
                    long periodNanos = Long.parseLong(a[2]) * 1_000_000;
                    long next = System.nanoTime();
                    for (int i = 0; i < count; i++) {
                        while (System.nanoTime() < next) {
                            Thread.sleep(1);
                        }
                        produce(mq, "t " + epochMicros()); // when it was produced, for the reader's delay
                        next += periodNanos;
                    }
                    System.out.println("timed done");
                    System.out.flush();
                }
            }
        }
    }

    static long epochMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    private static long produce(RocksMq mq, String text) {
        // WAL, the default: what a follower sees does not depend on fsync
        return mq.produce("orders", List.of(ProducerMessage.of(text.getBytes(StandardCharsets.UTF_8))),
                Durability.WAL)[0];
    }
}
