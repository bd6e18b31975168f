package io.rocksmq.testkit.kafka;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.utils.Time;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The main class of the broker JVM that {@link KafkaBroker} starts: formats the storage, starts a
 * {@link KafkaRaftServer}, announces readiness with a file, and shuts down when its standard input says
 * {@value #STOP_COMMAND} or closes (so the broker dies with the JVM that started it).
 *
 * <p>Usage: {@code KafkaBrokerMain <server.properties> <cluster id>}. Not for direct use.
 *
 * <p>Not thread-safe; runs once per process.
 */
public final class KafkaBrokerMain {
    static final String STOP_COMMAND = "stop";
    static final String READY_FILE = "broker.ready";

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: KafkaBrokerMain <server.properties> <cluster id>");
            System.exit(2);
        }
        Path config = Path.of(args[0]);
        // execute(), not main(): main() calls System.exit when it is done.
        int formatted = StorageTool.execute(new String[] {"format", "-t", args[1], "-c", config.toString(),
                "--ignore-formatted"}, System.out);
        if (formatted != 0) {
            System.err.println("formatting the Kafka storage failed with status " + formatted);
            System.exit(3);
        }
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(config)) {
            props.load(in);
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
        // Written only once startup() returned, i.e. the broker is registered and unfenced.
        Path ready = config.resolveSibling(READY_FILE);
        Files.writeString(ready, "ready\n");
        System.out.println("Kafka broker ready");
        System.out.flush();

        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String line;
        do {
            line = stdin.readLine();
        } while (line != null && !STOP_COMMAND.equals(line.trim()));
        server.shutdown();
        server.awaitShutdown();
        System.out.println("Kafka broker stopped");
        System.out.flush();
        // Some Kafka threads are not daemons; the server is down, so end the JVM outright.
        Runtime.getRuntime().halt(0);
    }
}
