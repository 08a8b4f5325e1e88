package io.tickstream.loadtest;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Map;
import java.util.TreeMap;

/**
 * The server's own figures over the measured window, from two scrapes of its {@code /metrics}: the
 * ones {@code scripts/bench-summary.py} reads (messages sent, bytes allocated per delivery, GC
 * pauses) and its CPU, connections, conflation and slow-consumer closes, as the report's
 * {@code "server"} object. A figure the server does not expose is left out. Stateless.
 */
final class ServerFigures {

    private ServerFigures() {
    }

    /** {@code {"available": false, "url": ..., "reason": ...}}: the report says "not available" and why. */
    static JsonObject unavailable(URI url, String reason) {
        return new JsonObject().put("available", false).put("url", url.toString()).put("reason", reason);
    }

    /** The figures between scrape {@code a} and the later scrape {@code b}. */
    static JsonObject between(URI url, MetricsScrape.Sample a, MetricsScrape.Sample b) {
        double seconds = Math.max(1e-3, (b.atNanos() - a.atNanos()) / 1e9);
        Map<String, Double> x = a.values();
        Map<String, Double> y = b.values();
        JsonObject f = new JsonObject().put("available", true).put("url", url.toString())
                .put("seconds", round(seconds));
        Double sent = delta(x, y, "tickstream_messages_sent_total");
        putRate(f, "messagesSentPerSecond", sent, seconds);
        putRate(f, "feedMessagesPerSecond", delta(x, y, "tickstream_feed_messages_total"), seconds);
        putRate(f, "conflatedPerSecond", delta(x, y, "tickstream_messages_conflated_total"), seconds);
        put(f, "slowConsumerCloses", delta(x, y, "tickstream_slow_consumer_disconnects_total"));
        put(f, "connections", y.get("tickstream_connections"));
        Double cpuNanos = delta(x, y, "process_cpu_time_ns_total");
        if (cpuNanos != null) {
            f.put("cpuSeconds", round(cpuNanos / 1e9)).put("cpuCores", round(cpuNanos / 1e9 / seconds));
        } else if (y.get("process_cpu_usage") != null && y.get("system_cpu_count") != null) {
            f.put("cpuCores", round(y.get("process_cpu_usage") * y.get("system_cpu_count")));
        }
        put(f, "cpuCount", y.get("system_cpu_count"));
        Double allocated = delta(x, y, "jvm_allocated_bytes_total");
        if (allocated != null && sent != null && sent > 0) {
            f.put("allocatedBytesPerDelivery", round(allocated / sent));
        }
        put(f, "gcPauses", delta(x, y, "jvm_gc_pause_seconds_count"));
        Double pausedSeconds = delta(x, y, "jvm_gc_pause_seconds_sum");
        if (pausedSeconds != null) {
            f.put("gcPausedMs", round(pausedSeconds * 1e3));
        }
        JsonObject latency = new JsonObject();
        for (double q : new double[] {0.5, 0.99, 0.999}) {
            Double bound = quantile(x, y, "tickstream_delivery_latency_seconds_bucket", q);
            if (bound != null) {
                latency.put(q == 0.5 ? "p50" : q == 0.99 ? "p99" : "p99.9", bound.isInfinite() ? null : round(bound * 1e6));
            }
        }
        if (!latency.isEmpty()) {
            f.put("deliveryLatencyMicros", latency);
        }
        Double longest = y.get("jvm_gc_pause_seconds_max");
        if (longest != null) {
            f.put("gcPauseMaxMs", round(longest * 1e3));
        }
        return f;
    }

    /**
     * Quantile {@code q} of what histogram {@code bucket} counted between the scrapes: the upper bound
     * (seconds) of the first bucket that holds it, infinite above the last, null when it counted nothing.
     * Fixed buckets, so "at most this", as {@code scripts/histogram.py} reads them.
     */
    static Double quantile(Map<String, Double> a, Map<String, Double> b, String bucket, double q) {
        TreeMap<Double, Double> counts = new TreeMap<>();
        String prefix = bucket + "{le=";
        b.forEach((key, end) -> {
            if (key.startsWith(prefix)) {
                String le = key.substring(prefix.length(), key.length() - 1);
                double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
                counts.put(bound, end - a.getOrDefault(key, 0.0));
            }
        });
        if (counts.isEmpty() || counts.lastEntry().getValue() <= 0) {
            return null;
        }
        double total = counts.lastEntry().getValue();
        for (Map.Entry<Double, Double> e : counts.entrySet()) {
            if (e.getValue() >= q * total) {
                return e.getKey();
            }
        }
        return null;
    }

    private static Double delta(Map<String, Double> a, Map<String, Double> b, String name) {
        Double start = a.get(name);
        Double end = b.get(name);
        return start == null || end == null ? null : end - start;
    }

    private static void put(JsonObject f, String key, Double value) {
        if (value != null) {
            f.put(key, round(value));
        }
    }

    private static void putRate(JsonObject f, String key, Double count, double seconds) {
        if (count != null) {
            f.put(key, round(count / seconds));
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
