package io.rocksmq.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Median, min and max over runs of every numeric metric, per workload and peer, and the ratios of our
 * figure to each peer's on the workload's headline metric.
 *
 * <p>Not thread-safe.
 */
final class Summary {
    /** The statistics of one metric over runs. */
    record Stat(double median, double min, double max, int runs) {
        static Stat of(List<Double> values) {
            List<Double> sorted = new ArrayList<>(values);
            sorted.sort(null);
            int n = sorted.size();
            double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            return new Stat(median, sorted.get(0), sorted.get(n - 1), n);
        }
    }

    /** One workload x load x peer row. */
    record Row(String workload, String load, String peer, Map<String, Stat> metrics) {
        Stat stat(String metric) {
            return metrics.get(metric);
        }
    }

    private final List<Row> rows = new ArrayList<>();

    Summary(List<Map<String, Object>> measurements) {
        Map<String, Map<String, List<Double>>> byRow = new LinkedHashMap<>();
        for (Map<String, Object> m : measurements) {
            Object load = m.getOrDefault("load", Load.IDLE.id());
            String key = m.get("workload") + "\u0000" + load + "\u0000" + m.get("peer");
            Map<String, List<Double>> metrics = byRow.computeIfAbsent(key, k -> new LinkedHashMap<>());
            @SuppressWarnings("unchecked")
            Map<String, Object> values = (Map<String, Object>) m.get("metrics");
            values.forEach((name, value) -> {
                if (value instanceof Number n) {
                    metrics.computeIfAbsent(name, k -> new ArrayList<>()).add(n.doubleValue());
                }
            });
        }
        byRow.forEach((key, metrics) -> {
            String[] parts = key.split("\u0000");
            Map<String, Stat> stats = new LinkedHashMap<>();
            metrics.forEach((name, values) -> stats.put(name, Stat.of(values)));
            rows.add(new Row(parts[0], parts[1], parts[2], stats));
        });
    }

    /** The rows measured on an idle machine (the figures of record); busy rows via {@link #rows(String, Load)}. */
    List<Row> rows() {
        return rows.stream().filter(r -> r.load().equals(Load.IDLE.id())).toList();
    }

    /** The idle rows of a workload. */
    List<Row> rows(String workload) {
        return rows(workload, Load.IDLE);
    }

    List<Row> rows(String workload, Load load) {
        return rows.stream().filter(r -> r.workload().equals(workload) && r.load().equals(load.id())).toList();
    }

    /** The same workload and peer measured under the other load, or null. */
    Row counterpart(Row row, Load load) {
        return rows(row.workload(), load).stream().filter(r -> r.peer().equals(row.peer())).findFirst().orElse(null);
    }

    /** The metric a workload is judged by. */
    static String headline(String workload) {
        return switch (workload) {
            case "W5" -> "p99Us";
            case "W8" -> "openSeconds";
            default -> "msgsPerSec";
        };
    }

    /** True if a larger headline value is better. */
    static boolean higherIsBetter(String workload) {
        return !workload.equals("W5") && !workload.equals("W8");
    }

    /** The peer whose figures are "ours" on a workload. */
    static String ours(String workload) {
        return workload.startsWith("W3") ? Peer.ROCKSMQ_FSYNC.id() : Peer.ROCKSMQ.id();
    }

    /** Our headline median divided by the row's (both under the row's load), or NaN when either is missing. */
    double ratio(Row row) {
        return row == null ? Double.NaN : ratio(row.workload(), Load.byId(row.load()), ours(row.workload()), row.peer());
    }

    /**
     * {@code numerator}'s headline median on the workload divided by {@code denominator}'s, both under
     * {@code load}; NaN when either is missing.
     */
    double ratio(String workload, Load load, String numerator, String denominator) {
        String metric = headline(workload);
        Stat top = stat(workload, load, numerator, metric);
        Stat bottom = stat(workload, load, denominator, metric);
        if (top == null || bottom == null || bottom.median() == 0) {
            return Double.NaN;
        }
        return top.median() / bottom.median();
    }

    private Stat stat(String workload, Load load, String peer, String metric) {
        return rows(workload, load).stream().filter(r -> r.peer().equals(peer)).findFirst()
                .map(r -> r.stat(metric)).orElse(null);
    }

    /** JSON-ready form: rows with stats and the ratio. */
    List<Map<String, Object>> toJson() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) { // idle and busy
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("workload", r.workload());
            m.put("peer", r.peer());
            m.put("load", r.load());
            m.put("headlineMetric", headline(r.workload()));
            double ratio = ratio(r);
            m.put("oursOverPeer", Double.isNaN(ratio) ? null : ratio);
            Map<String, Object> stats = new LinkedHashMap<>();
            r.metrics().forEach((name, s) -> stats.put(name, Map.of("median", s.median(), "min", s.min(),
                    "max", s.max(), "runs", s.runs())));
            m.put("metrics", stats);
            out.add(m);
        }
        return out;
    }
}
