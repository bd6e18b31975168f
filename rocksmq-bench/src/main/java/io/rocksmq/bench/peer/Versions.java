package io.rocksmq.bench.peer;

import org.rocksdb.RocksDB;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Versions of the peers on the class path, read from the jars themselves (so results name what ran,
 * not what a pom meant).
 *
 * <p>Thread-safe: stateless.
 */
public final class Versions {
    private Versions() {
    }

    /** Peer name to version; "unknown" where a jar does not say. */
    public static Map<String, String> all() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("rocksdbjni", rocksdb());
        v.put("chronicle-queue", fromResource("/META-INF/maven/net.openhft/chronicle-queue/pom.properties", "version"));
        v.put("kafka", kafka());
        v.put("artemis", artemis());
        v.put("HdrHistogram", fromResource("/META-INF/maven/org.hdrhistogram/HdrHistogram/pom.properties", "version"));
        return v;
    }

    public static String rocksdb() {
        RocksDB.loadLibrary();
        return RocksDB.rocksdbVersion().toString();
    }

    public static String artemis() {
        return fromResource("/META-INF/maven/org.apache.activemq/artemis-server/pom.properties", "version");
    }

    public static String kafka() {
        return fromResource("/kafka/kafka-version.properties", "version");
    }

    private static String fromResource(String resource, String key) {
        try (InputStream in = Versions.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty(key, "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
