package io.rocksmq.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Human-readable output: aligned tables, sizes, counts and ids.
 *
 * <p>Thread-safe: stateless.
 */
final class Text {
    private Text() {
    }

    /** Prints rows as left-aligned columns separated by two spaces; the first row is the header. */
    static void table(PrintWriter out, List<List<String>> rows) {
        if (rows.isEmpty()) {
            return;
        }
        int columns = rows.get(0).size();
        int[] width = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                sb.append(row.get(c));
                if (c < columns - 1) {
                    sb.append(" ".repeat(width[c] - row.get(c).length() + 2));
                }
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    /** A table builder: header first, then rows. */
    static List<List<String>> rows(String... header) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of(header));
        return rows;
    }

    /** An id, or "-" for the API's "none" ({@code -1}). */
    static String id(long id) {
        return id < 0 ? "-" : Long.toString(id);
    }

    /** A count with thousands separators, for progress lines people read (tables print plain numbers). */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** "1 message", "2 messages", "1000 messages". */
    static String messages(long n) {
        return n + (n == 1 ? " message" : " messages");
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** A duration in its largest exact unit: 7d, 1h, 90m, 1500ms; "unlimited" for -1. */
    static String millis(long millis) {
        if (millis < 0) {
            return "unlimited";
        }
        long[] units = {86_400_000, 3_600_000, 60_000, 1000};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (millis > 0 && millis % units[i] == 0) {
                return millis / units[i] + names[i];
            }
        }
        return millis + "ms";
    }

    /** A byte limit, exact: 64MiB, 1GiB, 1000B; "unlimited" for -1. */
    static String limitBytes(long bytes) {
        if (bytes < 0) {
            return "unlimited";
        }
        String[] names = {"TiB", "GiB", "MiB", "KiB"};
        for (int i = 0; i < names.length; i++) {
            int shift = 40 - 10 * i;
            if (bytes > 0 && bytes % (1L << shift) == 0) {
                return (bytes >> shift) + names[i];
            }
        }
        return bytes + "B";
    }

    static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
