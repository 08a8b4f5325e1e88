package io.tickstream.loadtest;

import java.io.PrintStream;
import org.HdrHistogram.Histogram;

/**
 * Prints a line a second while the run lasts: connections open, messages a second, the healthy
 * readers' p99 so far and in the last second, their gaps and reorders so far. Collects the
 * latency as it goes ({@link Recorders#collectLatency}) and adds each second to the {@link Timeline}.
 * Used by the reporting thread only.
 */
final class ProgressPrinter {

    private final PrintStream log;
    private final int clients;
    private final Recorders recorders;
    private final Connections connections;
    private final Timeline timeline;
    private final Runnable atWindowStart;

    /** {@code atWindowStart} runs once, at the first second that ends inside the measured window. */
    ProgressPrinter(PrintStream log, int clients, Recorders recorders, Connections connections, Timeline timeline,
                    Runnable atWindowStart) {
        this.log = log;
        this.clients = clients;
        this.recorders = recorders;
        this.connections = connections;
        this.timeline = timeline;
        this.atWindowStart = atWindowStart;
    }

    /** Prints a line every second (and one for the part second at the end) until {@code endNanos}. */
    void printUntil(long endNanos) throws InterruptedException {
        long lastDelivered = 0;
        int second = 0;
        boolean inWindow = false;
        while (System.nanoTime() < endNanos) {
            Thread.sleep(Math.max(1, Math.min(1000, (endNanos - System.nanoTime()) / 1_000_000)));
            second++;
            long delivered = recorders.delivered();
            Histogram lastSecond = recorders.collectLatency();
            long now = System.nanoTime();
            boolean measuring = recorders.measuring(now);
            if (measuring && !inWindow) {
                atWindowStart.run();
            }
            inWindow |= measuring;
            timeline.add(now, delivered, connections.connected(), lastSecond, recorders.conflated(), measuring);
            Report.SeqCounts healthy = recorders.seqCounts(Client.Kind.HEALTHY);
            log.printf("t=%3ds  connections %d/%d  msgs/s %,d  p99 %s (last second %s)  gaps %d  reorders %d%n",
                    second, connections.connected(), clients, delivered - lastDelivered,
                    LoadTest.micros(recorders.healthyLatency().getValueAtPercentile(99)),
                    LoadTest.micros(lastSecond.getValueAtPercentile(99)), healthy.gaps(), healthy.reorders());
            lastDelivered = delivered;
        }
    }
}
