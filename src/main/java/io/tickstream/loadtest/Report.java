package io.tickstream.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What a load test measured, printed as a table and written as JSON and as a self-contained
 * HTML page ({@link ReportPage}, drawn from the JSON).
 *
 * @param config         what was run
 * @param connections    connections open at the end, failed attempts, closes by code
 * @param deliveries     what the connections received
 * @param healthyReaders gaps and reorders the healthy readers saw
 * @param slowReaders    gaps and reorders the slow readers saw
 * @param latencies      latency from each message's write to the feed to its receipt
 * @param cpuSeconds     the harness's CPU time over the whole run (every thread, JIT and GC included), 0 if unknown
 * @param timeline       the run second by second, ramp included
 * @param server         the server's own figures over the measured window, from its {@code /metrics}
 *                       ({@code "available": false} and why when it had none)
 */
public record Report(LoadTest.Config config, ConnectionCounts connections, Deliveries deliveries,
                     SeqCounts healthyReaders, SeqCounts slowReaders, Latencies latencies, double cpuSeconds,
                     List<Timeline.Second> timeline, JsonObject server) {

    /**
     * @param connectedAtEnd  connections open when the run ended
     * @param failedToConnect connection attempts that failed
     * @param closes          connections closed during the run, by close code
     */
    public record ConnectionCounts(int connectedAtEnd, int failedToConnect, Map<String, Long> closes) {
    }

    /**
     * @param seconds         length of the measured window
     * @param delivered       live messages received inside it (one latency recorded for each)
     * @param conflated       updates the server conflated into the messages received
     * @param snapshots       snapshot messages received
     * @param malformedFrames frames that were not protocol JSON
     * @param received        every message received over the whole run, measured or not, snapshots included
     */
    public record Deliveries(double seconds, long delivered, long conflated, long snapshots, long malformedFrames,
                             long received) {
    }

    /** Messages lost ({@code seq} gaps, counted only on contiguous subscriptions) and received out of order. */
    public record SeqCounts(long gaps, long reorders) {
    }

    /**
     * Latency from the feed write to the receipt, in microseconds.
     *
     * @param healthy the healthy readers', over the measured window
     * @param slow    the slow readers', over the measured window
     * @param recent  the healthy readers', over the last 10 s of it
     */
    public record Latencies(Histogram healthy, Histogram slow, Histogram recent) {
    }

    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99};

    /** True when the healthy readers saw no gap and no reorder, and every frame was protocol JSON. */
    public boolean healthy() {
        return gaps() == 0 && reorders() == 0 && deliveries.malformedFrames() == 0;
    }

    public int connectedAtEnd() {
        return connections.connectedAtEnd();
    }

    public int failedToConnect() {
        return connections.failedToConnect();
    }

    /** Live messages received in the measured window. */
    public long delivered() {
        return deliveries.delivered();
    }

    public double deliveriesPerSecond() {
        return deliveries.seconds() > 0 ? deliveries.delivered() / deliveries.seconds() : 0;
    }

    /** The healthy readers' gaps. */
    public long gaps() {
        return healthyReaders.gaps();
    }

    /** The healthy readers' reorders. */
    public long reorders() {
        return healthyReaders.reorders();
    }

    /** The healthy readers' latency over the measured window, in microseconds. */
    public Histogram latency() {
        return latencies.healthy();
    }

    /** The healthy readers' latency over the last 10 s of the measured window, in microseconds. */
    public Histogram recentLatency() {
        return latencies.recent();
    }

    public void print(PrintStream out) {
        Histogram latency = latencies.healthy();
        Histogram recentLatency = latencies.recent();
        Histogram slowLatency = latencies.slow();
        out.println();
        out.printf("scenario %s: %d clients (%d connected at the end, %d failed to connect), %.1f s%n", config.name(),
                config.clients(), connections.connectedAtEnd(), connections.failedToConnect(), deliveries.seconds());
        out.printf("  %-28s %,15d%n", "messages delivered", deliveries.delivered());
        out.printf("  %-28s %,15.0f%n", "deliveries per second", deliveriesPerSecond());
        out.printf("  %-28s %,15d%n", "updates conflated", deliveries.conflated());
        out.printf("  %-28s %,15d%n", "snapshots", deliveries.snapshots());
        out.printf("  %-28s %15d / %d%n", "gaps / reorders (healthy)", healthyReaders.gaps(), healthyReaders.reorders());
        if (deliveries.malformedFrames() > 0) {
            out.printf("  %-28s %,15d%n", "frames not protocol JSON", deliveries.malformedFrames());
        }
        out.printf("  %-28s %15d / %d%n", "gaps / reorders (slow)", slowReaders.gaps(), slowReaders.reorders());
        out.printf("  %-28s %15s%n", "disconnects by close code", new TreeMap<>(connections.closes()));
        out.println("  latency, feed write to receive (healthy readers):");
        for (double p : PERCENTILES) {
            out.printf("    p%-8s %12s%n", trim(p), LoadTest.micros(latency.getValueAtPercentile(p)));
        }
        out.printf("    %-9s %12s%n", "max", LoadTest.micros(latency.getMaxValue()));
        out.printf("  last %d s only: p50 %s, p99 %s (the steady state, if the run reached one)%n",
                Recorders.RECENT_SECONDS, LoadTest.micros(recentLatency.getValueAtPercentile(50)),
                LoadTest.micros(recentLatency.getValueAtPercentile(99)));
        long received = deliveries.received();
        if (cpuSeconds > 0 && received > 0) {
            out.printf("  harness CPU: %.1f s, %.2f µs per message received (all of the run, snapshots included)%n",
                    cpuSeconds, cpuSeconds * 1e6 / received);
        }
        if (server.getBoolean("available", false)) {
            out.printf("  server (/metrics, %.0f s): %,.0f msgs sent/s, %.2f CPU cores, %s bytes allocated per delivery, "
                            + "%s GC pauses%n", server.getDouble("seconds"), server.getDouble("messagesSentPerSecond", 0.0),
                    server.getDouble("cpuCores", 0.0), server.getValue("allocatedBytesPerDelivery", "?"),
                    server.getValue("gcPauses", "?"));
        } else {
            out.printf("  server figures: not available (%s: %s)%n", server.getString("url"), server.getString("reason"));
        }
        if (slowLatency.getTotalCount() > 0) {
            out.printf("  slow readers: p99 %s, max %s%n", LoadTest.micros(slowLatency.getValueAtPercentile(99)),
                    LoadTest.micros(slowLatency.getMaxValue()));
        }
    }

    public JsonObject toJson() {
        Histogram latency = latencies.healthy();
        Histogram recentLatency = latencies.recent();
        JsonObject lat = new JsonObject();
        for (double p : PERCENTILES) {
            lat.put("p" + trim(p), latency.getValueAtPercentile(p));
        }
        lat.put("max", latency.getMaxValue()).put("count", latency.getTotalCount()).put("unit", "microseconds");
        return new JsonObject().put("scenario", config.name()).put("url", config.url().toString())
                .put("clients", config.clients()).put("seconds", deliveries.seconds())
                .put("connectedAtEnd", connections.connectedAtEnd())
                .put("failedToConnect", connections.failedToConnect()).put("delivered", deliveries.delivered())
                .put("deliveriesPerSecond", deliveriesPerSecond()).put("conflated", deliveries.conflated())
                .put("snapshots", deliveries.snapshots()).put("malformedFrames", deliveries.malformedFrames())
                .put("gaps", healthyReaders.gaps()).put("reorders", healthyReaders.reorders())
                .put("slowGaps", slowReaders.gaps()).put("slowReorders", slowReaders.reorders())
                .put("closes", new JsonObject(Map.copyOf(connections.closes())))
                .put("latency", lat).put("slowLatencyP99", latencies.slow().getValueAtPercentile(99))
                .put("latencyLastSeconds", new JsonObject().put("seconds", Recorders.RECENT_SECONDS)
                        .put("p50", recentLatency.getValueAtPercentile(50))
                        .put("p99", recentLatency.getValueAtPercentile(99)).put("count", recentLatency.getTotalCount()))
                .put("harnessCpuSeconds", cpuSeconds).put("received", deliveries.received())
                .put("healthy", healthy()).put("settings", settingsJson()).put("percentiles", percentileCurve(latency))
                .put("timeline", timelineJson())
                .put("server", server);
    }

    /** The run's settings by name, the access token left out (it is a secret). */
    private JsonObject settingsJson() {
        JsonObject o = new JsonObject();
        for (RecordComponent c : LoadTest.Config.class.getRecordComponents()) {
            try {
                Object v = c.getAccessor().invoke(config);
                if (!c.getName().equals("token")) {
                    o.put(c.getName(), v instanceof Number || v instanceof Boolean || v == null ? v : v.toString());
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return o.put("token", config.token() == null ? "unset" : "set");
    }

    /**
     * The latency-percentile curve, {@code [[percentile, micros], ...]}, every tenth of a nine
     * (p0, p20.6, p36.9, ... p90, ... p99, ...) up to the last percentile its count can tell apart
     * (at most p99.9999), ending at the maximum.
     */
    static JsonArray percentileCurve(Histogram h) {
        JsonArray points = new JsonArray();
        long count = h.getTotalCount();
        if (count == 0) {
            return points;
        }
        double last = Math.min(6, Math.log10(count));
        for (int tenth = 0; tenth < last * 10; tenth++) {
            double pct = 100 * (1 - Math.pow(10, -tenth / 10.0));
            points.add(new JsonArray().add(Math.round(pct * 1e4) / 1e4).add(h.getValueAtPercentile(pct)));
        }
        return points.add(new JsonArray().add(Math.round(100 * (1 - Math.pow(10, -last)) * 1e4) / 1e4)
                .add(h.getMaxValue()));
    }

    private JsonArray timelineJson() {
        JsonArray a = new JsonArray();
        timeline.forEach(s -> a.add(s.toJson()));
        return a;
    }

    /** Writes {@code NAME.json} and {@code NAME.html} (the {@link ReportPage}) under the output directory. */
    public void write() throws IOException {
        Files.createDirectories(config.out());
        JsonObject json = toJson();
        Files.writeString(config.out().resolve(config.name() + ".json"), json.encodePrettily());
        Files.writeString(config.out().resolve(config.name() + ".html"), ReportPage.html(json));
    }

    private static String trim(double p) {
        return p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p);
    }
}
