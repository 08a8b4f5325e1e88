package io.tickstream.loadtest;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The run second by second, as the report's timeline shows it: deliveries, open connections, the
 * healthy readers' latency of that second and the updates the server conflated. Filled by the
 * reporting thread once a second ({@link ProgressPrinter}); read once the run is over. Not thread-safe.
 */
public final class Timeline {

    /**
     * One second of the run (the last may be a part second).
     *
     * @param t           seconds from the start of the run to the end of this second
     * @param deliveries  live messages received per second in it, measured or not
     * @param connections connections open at its end
     * @param p50         the healthy readers' median latency in it, in microseconds; null when it measured none
     *                    (the ramp, the warm-up)
     * @param p99         the healthy readers' 99th percentile latency in it, in microseconds; null likewise
     * @param conflated   updates the server conflated into what was received, per second
     * @param measured    whether it ended inside the measured window (the ramp and warm-up are not)
     */
    public record Second(double t, double deliveries, int connections, Long p50, Long p99, double conflated,
                  boolean measured) {

        public JsonObject toJson() {
            return new JsonObject().put("t", round(t)).put("deliveries", Math.round(deliveries))
                    .put("connections", connections).put("p50", p50).put("p99", p99)
                    .put("conflated", Math.round(conflated)).put("measured", measured);
        }
    }

    private final long startNanos;
    private final List<Second> seconds = new ArrayList<>();
    private long lastNanos;
    private long lastDelivered;
    private long lastConflated;

    /** A timeline whose {@code t} counts from {@code startNanos} ({@link System#nanoTime()}). */
    Timeline(long startNanos) {
        this.startNanos = startNanos;
        this.lastNanos = startNanos;
    }

    /**
     * Adds the second ending at {@code nowNanos}.
     *
     * @param delivered  live messages received so far (the counter, not this second's share)
     * @param conflated  updates conflated so far (the counter)
     * @param lastSecond the healthy readers' latency recorded since the previous call
     */
    void add(long nowNanos, long delivered, int connections, Histogram lastSecond, long conflated, boolean measured) {
        double length = Math.max(1e-3, (nowNanos - lastNanos) / 1e9);
        boolean any = lastSecond.getTotalCount() > 0;
        seconds.add(new Second((nowNanos - startNanos) / 1e9, (delivered - lastDelivered) / length, connections,
                any ? lastSecond.getValueAtPercentile(50) : null, any ? lastSecond.getValueAtPercentile(99) : null,
                (conflated - lastConflated) / length, measured));
        lastNanos = nowNanos;
        lastDelivered = delivered;
        lastConflated = conflated;
    }

    List<Second> seconds() {
        return List.copyOf(seconds);
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }
}
