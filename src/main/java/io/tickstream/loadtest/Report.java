package io.tickstream.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What a load test measured, printed as a table and written as JSON and as a self-contained
 * HTML page with the latency-percentile plot.
 */
public record Report(LoadTest.Config config, double seconds, int connectedAtEnd, int failedToConnect,
                     long delivered, long conflated, long snapshots, long malformedFrames, long gaps, long reorders,
                     long slowGaps, long slowReorders, Histogram latency, Histogram slowLatency, Histogram recentLatency,
                     Map<String, Long> closes, double cpuSeconds, long received) {

    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99};

    /** True when the healthy readers saw no gap and no reorder, and every frame was protocol JSON. */
    public boolean healthy() {
        return gaps == 0 && reorders == 0 && malformedFrames == 0;
    }

    public double deliveriesPerSecond() {
        return seconds > 0 ? delivered / seconds : 0;
    }

    public void print(PrintStream out) {
        out.println();
        out.printf("scenario %s: %d clients (%d connected at the end, %d failed to connect), %.1f s%n", config.name(),
                config.clients(), connectedAtEnd, failedToConnect, seconds);
        out.printf("  %-28s %,15d%n", "messages delivered", delivered);
        out.printf("  %-28s %,15.0f%n", "deliveries per second", deliveriesPerSecond());
        out.printf("  %-28s %,15d%n", "updates conflated", conflated);
        out.printf("  %-28s %,15d%n", "snapshots", snapshots);
        out.printf("  %-28s %15d / %d%n", "gaps / reorders (healthy)", gaps, reorders);
        if (malformedFrames > 0) {
            out.printf("  %-28s %,15d%n", "frames not protocol JSON", malformedFrames);
        }
        out.printf("  %-28s %15d / %d%n", "gaps / reorders (slow)", slowGaps, slowReorders);
        out.printf("  %-28s %15s%n", "disconnects by close code", new TreeMap<>(closes));
        out.println("  latency, feed write to receive (healthy readers):");
        for (double p : PERCENTILES) {
            out.printf("    p%-8s %12s%n", trim(p), LoadTest.micros(latency.getValueAtPercentile(p)));
        }
        out.printf("    %-9s %12s%n", "max", LoadTest.micros(latency.getMaxValue()));
        out.printf("  last %d s only: p50 %s, p99 %s (the steady state, if the run reached one)%n",
                LoadTest.RECENT_SECONDS, LoadTest.micros(recentLatency.getValueAtPercentile(50)),
                LoadTest.micros(recentLatency.getValueAtPercentile(99)));
        if (cpuSeconds > 0 && received > 0) {
            out.printf("  harness CPU: %.1f s, %.2f µs per message received (all of the run, snapshots included)%n",
                    cpuSeconds, cpuSeconds * 1e6 / received);
        }
        if (slowLatency.getTotalCount() > 0) {
            out.printf("  slow readers: p99 %s, max %s%n", LoadTest.micros(slowLatency.getValueAtPercentile(99)),
                    LoadTest.micros(slowLatency.getMaxValue()));
        }
    }

    public JsonObject toJson() {
        JsonObject lat = new JsonObject();
        for (double p : PERCENTILES) {
            lat.put("p" + trim(p), latency.getValueAtPercentile(p));
        }
        lat.put("max", latency.getMaxValue()).put("count", latency.getTotalCount()).put("unit", "microseconds");
        return new JsonObject().put("scenario", config.name()).put("url", config.url().toString())
                .put("clients", config.clients()).put("seconds", seconds).put("connectedAtEnd", connectedAtEnd)
                .put("failedToConnect", failedToConnect).put("delivered", delivered)
                .put("deliveriesPerSecond", deliveriesPerSecond()).put("conflated", conflated)
                .put("snapshots", snapshots).put("malformedFrames", malformedFrames).put("gaps", gaps).put("reorders", reorders).put("slowGaps", slowGaps)
                .put("slowReorders", slowReorders).put("closes", new JsonObject(Map.copyOf(closes)))
                .put("latency", lat).put("slowLatencyP99", slowLatency.getValueAtPercentile(99))
                .put("latencyLastSeconds", new JsonObject().put("seconds", LoadTest.RECENT_SECONDS)
                        .put("p50", recentLatency.getValueAtPercentile(50))
                        .put("p99", recentLatency.getValueAtPercentile(99)).put("count", recentLatency.getTotalCount()))
                .put("harnessCpuSeconds", cpuSeconds).put("received", received)
                .put("healthy", healthy());
    }

    /** Writes {@code NAME.json} and {@code NAME.html} (an inline SVG percentile plot) under the output directory. */
    public void write() throws IOException {
        Files.createDirectories(config.out());
        Files.writeString(config.out().resolve(config.name() + ".json"), toJson().encodePrettily());
        Files.writeString(config.out().resolve(config.name() + ".html"), html());
    }

    private String html() {
        // x: percentile on a "nines" scale (0 = p0, 1 = p90, 2 = p99, ...); y: latency, log scale.
        int w = 760;
        int h = 360;
        int pad = 50;
        double maxNines = 5;
        double top = Math.log10(Math.max(10, latency.getMaxValue()));
        JsonArray points = new JsonArray();
        StringBuilder path = new StringBuilder();
        for (double n = 0; n <= maxNines; n += 0.05) {
            double pct = 100 * (1 - Math.pow(10, -n));
            long v = Math.max(1, latency.getValueAtPercentile(pct));
            double x = pad + (w - 2 * pad) * n / maxNines;
            double y = h - pad - (h - 2 * pad) * Math.log10(v) / top;
            path.append(path.length() == 0 ? "M" : "L").append(String.format("%.1f,%.1f", x, y));
            points.add(new JsonArray().add(pct).add(v));
        }
        StringBuilder axes = new StringBuilder();
        String[] labels = {"p0", "p90", "p99", "p99.9", "p99.99", "p99.999"};
        for (int i = 0; i <= maxNines; i++) {
            double x = pad + (w - 2 * pad) * i / maxNines;
            axes.append(String.format("<line x1='%.0f' y1='%d' x2='%.0f' y2='%d' stroke='#ddd'/>"
                    + "<text x='%.0f' y='%d' text-anchor='middle'>%s</text>", x, pad, x, h - pad, x, h - pad + 18, labels[i]));
        }
        for (int d = 0; d <= Math.ceil(top); d++) {
            double y = h - pad - (h - 2 * pad) * d / top;
            if (y < pad - 1) {
                break;
            }
            axes.append(String.format("<line x1='%d' y1='%.0f' x2='%d' y2='%.0f' stroke='#eee'/>"
                    + "<text x='%d' y='%.0f' text-anchor='end'>%s</text>", pad, y, w - pad, y, pad - 6, y + 4,
                    LoadTest.micros((long) Math.pow(10, d))));
        }
        return "<!doctype html><html><head><meta charset='utf-8'><title>tickstream load test: " + config.name()
                + "</title><style>body{font-family:sans-serif;margin:24px}text{font-size:12px;fill:#444}"
                + "pre{background:#f6f8fa;padding:12px}</style></head><body><h1>Load test: " + config.name() + "</h1>"
                + "<p>" + config.clients() + " clients, " + String.format("%,.0f", deliveriesPerSecond())
                + " deliveries/s, gaps " + gaps + ", reorders " + reorders + "</p>"
                + "<svg width='" + w + "' height='" + h + "' xmlns='http://www.w3.org/2000/svg'>" + axes
                + "<path d='" + path + "' fill='none' stroke='#1f6feb' stroke-width='2'/></svg>"
                + "<p>Latency from the message's write to the feed to its receipt, by percentile.</p><pre>"
                + toJson().encodePrettily() + "</pre><script type='application/json' id='points'>" + points.encode()
                + "</script></body></html>";
    }

    private static String trim(double p) {
        return p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p);
    }
}
