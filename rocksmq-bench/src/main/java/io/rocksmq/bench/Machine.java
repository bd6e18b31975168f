package io.rocksmq.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A description of the machine and JVM, recorded next to every result (figures mean nothing without it).
 *
 * <p>Thread-safe: stateless.
 */
final class Machine {
    private Machine() {
    }

    static Map<String, Object> describe(Path dataDir) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpu", firstLine(Path.of("/proc/cpuinfo"), "model name"));
        m.put("memoryTotal", firstLine(Path.of("/proc/meminfo"), "MemTotal"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version"));
        try {
            Path existing = dataDir.toAbsolutePath();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing != null) {
                var store = Files.getFileStore(existing);
                m.put("dataDir", dataDir.toAbsolutePath().toString());
                m.put("dataFileSystem", store.name() + " (" + store.type() + ")");
            }
        } catch (IOException e) {
            m.put("dataFileSystem", "unknown: " + e);
        }
        return m;
    }

    private static String firstLine(Path file, String prefix) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(prefix)) {
                    int colon = line.indexOf(':');
                    return line.substring(colon + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux: leave it unknown
        }
        return "unknown";
    }
}
