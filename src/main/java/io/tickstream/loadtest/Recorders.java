package io.tickstream.loadtest;

import io.tickstream.feed.MicroClock;
import io.vertx.core.buffer.Buffer;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * What the connections receive, recorded: each frame's messages scanned into latency (per event
 * loop, in a {@link LoopRecorder}), deliveries, conflation, snapshots and malformed frames (adders),
 * and each connection's reorders and gaps (on its {@link Client}); and the measured window, which
 * decides which latencies and deliveries count.
 *
 * <p>Threading: {@link #onFrame} runs on the connection's event loop; the window is set and the
 * totals are collected and read by the reporting thread (the one running {@link LoadTest#run}).
 */
final class Recorders {

    /** Seconds at the end of a run whose latency is also reported on its own. */
    static final int RECENT_SECONDS = 10;
    /** "Not yet": far enough ahead never to come, near enough that {@code now - it} cannot overflow. */
    private static final long NEVER_NANOS = TimeUnit.DAYS.toNanos(365);

    private final List<Client> clients;
    private final boolean contiguous;
    private final double warmupSeconds;
    private final Map<Thread, LoopRecorder> loops = new ConcurrentHashMap<>();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder conflated = new LongAdder();
    private final LongAdder snapshots = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private volatile long measureFromNanos = System.nanoTime() + NEVER_NANOS;
    /** When measuring stops (the run is over); frames may still arrive after it. */
    private volatile long measureUntilNanos = System.nanoTime() + NEVER_NANOS;
    // the reporting thread's
    private final Histogram healthyTotal = new Histogram(LoopRecorder.MAX_MICROS, 3);
    private final Histogram slowTotal = new Histogram(LoopRecorder.MAX_MICROS, 3);
    /**
     * The healthy readers' latency of each of the last collections: {@link #RECENT_SECONDS} one
     * second apart, and the part second the final one adds at the end.
     */
    private final ArrayDeque<Histogram> recentSeconds = new ArrayDeque<>();

    /**
     * @param clients    every connection of the run, for their reorders and gaps
     * @param contiguous the subscriptions cover the whole feed: count the holes in {@code seq}
     */
    Recorders(List<Client> clients, boolean contiguous, double warmupSeconds) {
        this.clients = clients;
        this.contiguous = contiguous;
        this.warmupSeconds = warmupSeconds;
    }

    /** Measures from {@code nanos} ({@link System#nanoTime()}) on, until {@link #allAnswered} moves it. */
    void measureFrom(long nanos) {
        measureFromNanos = nanos;
    }

    /** Every connection attempt was answered: the ramp and the snapshots are over, the warm-up starts now. */
    void allAnswered() {
        measureFromNanos = System.nanoTime() + (long) (warmupSeconds * 1e9);
    }

    /** Stops measuring now; frames still arriving are recorded as unmeasured. */
    void stopMeasuring() {
        measureUntilNanos = System.nanoTime();
    }

    /** Seconds measured, from the later of {@code startNanos} and the window's start to its end. */
    double measuredSeconds(long startNanos) {
        return Math.max(0, (measureUntilNanos - Math.max(startNanos, measureFromNanos)) / 1e9);
    }

    /**
     * One frame received by {@code c} as a Vert.x buffer: copied into its loop's frame buffer, then
     * as {@link #onFrame(Client, byte[], int, int, FrameScanner.Sink)}. Event loop of {@code c}.
     */
    void onFrame(Client c, Buffer frame, FrameScanner.Sink sink) {
        LoopRecorder m = loopOf(c);
        int n = frame.length();
        if (m.frameBytes.length < n) {
            m.frameBytes = new byte[Math.max(n, m.frameBytes.length * 2)];
        }
        frame.getBytes(0, n, m.frameBytes, 0);   // into the loop's buffer: no allocation per frame
        onFrame(c, m.frameBytes, 0, n, sink);
    }

    /**
     * One frame received by {@code c}, its payload in {@code bytes[from, to)}, scanned into {@code sink}
     * (which hands its messages to {@link #onMessage}). Event loop of {@code c}; allocates nothing but
     * a loop's first {@link LoopRecorder}.
     */
    void onFrame(Client c, byte[] bytes, int from, int to, FrameScanner.Sink sink) {
        LoopRecorder m = loopOf(c);
        m.frameDeliveries = 0;
        m.frameMicros = MicroClock.nowMicros();
        long now = System.nanoTime();
        // 1 inside [measureFrom, measureUntil), else 0, without a branch (see LoopRecorder.recorders)
        m.frameMeasured = (int) (((now - measureFromNanos) >>> 63) ^ 1) & (int) ((now - measureUntilNanos) >>> 63);
        try {
            FrameScanner.scan(bytes, from, to, sink);
        } catch (IllegalArgumentException e) {
            malformed.increment();
        }
        delivered.add(m.frameDeliveries);
    }

    private LoopRecorder loopOf(Client c) {
        if (c.loop == null) {
            c.loop = loops.computeIfAbsent(Thread.currentThread(), t -> new LoopRecorder());
        }
        return c.loop;
    }

    /** One message of the frame {@link #onFrame} is scanning for {@code c}. Event loop of {@code c}. */
    void onMessage(Client c, long topicKey, long seq, long ts, int merged, boolean snapshot) {
        if (snapshot) {
            snapshots.increment();
            return;
        }
        LoopRecorder m = c.loop;
        m.frameDeliveries++;
        if (merged > 0) {
            conflated.add(merged);
        }
        m.recorders[m.frameMeasured * c.recorder]
                .recordValue(Math.min(LoopRecorder.MAX_MICROS, Math.max(1, m.frameMicros - ts)));
        if (c.lastByTopic.put(m.topicIds.id(topicKey), seq) >= seq) {
            c.reorders++;
        }
        if (contiguous) {
            c.gapCounter.message(seq, merged, m.frameMicros);
        }
    }

    /**
     * Moves what every event loop recorded since the last call into the totals and the last
     * seconds; returns the healthy readers' part of it. Reporting thread.
     */
    Histogram collectLatency() {
        Histogram interval = new Histogram(LoopRecorder.MAX_MICROS, 3);
        for (LoopRecorder m : loops.values()) {
            interval.add(m.healthy.getIntervalHistogram());
            slowTotal.add(m.slow.getIntervalHistogram());
            m.unmeasured.getIntervalHistogram();   // thrown away
        }
        healthyTotal.add(interval);
        recentSeconds.addLast(interval);
        if (recentSeconds.size() > RECENT_SECONDS + 1) {
            recentSeconds.removeFirst();
        }
        return interval;
    }

    /** The healthy readers' latency so far, in microseconds. Reporting thread. */
    Histogram healthyLatency() {
        return healthyTotal;
    }

    /** True while {@code nanos} ({@link System#nanoTime()}) is inside the measured window; any thread. */
    boolean measuring(long nanos) {
        return nanos - measureFromNanos >= 0 && nanos - measureUntilNanos < 0;
    }

    /** Updates the server conflated into the messages received so far, measured or not; any thread. */
    long conflated() {
        return conflated.sum();
    }

    /** Live messages received so far, measured or not; any thread. */
    long delivered() {
        return delivered.sum();
    }

    /**
     * Asks every connection's event loop to settle its gap count (see {@link GapCounter#lost});
     * waits up to 10 s, then says on {@code log} if some did not answer. Reporting thread.
     */
    void settleGaps(PrintStream log) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(clients.size());
        for (Client c : clients) {
            if (c.owner == null) {
                done.countDown();
                continue;
            }
            c.owner.execute(() -> {
                c.settled = contiguous ? c.gapCounter.lost(c.lastByTopic.minValue()) : 0;
                done.countDown();
            });
        }
        if (!done.await(10, TimeUnit.SECONDS)) {
            log.println("note: some connections did not report their gap count in time");
        }
    }

    /** The gaps and reorders the connections of one kind saw, summed. Any thread; racy while they receive. */
    Report.SeqCounts seqCounts(Client.Kind kind) {
        long gaps = 0;
        long reorders = 0;
        for (Client c : clients) {
            if (c.kind == kind) {
                gaps += c.gaps();
                reorders += c.reorders;
            }
        }
        return new Report.SeqCounts(gaps, reorders);
    }

    /**
     * What was received, for the report: deliveries measured (the latencies recorded, so the two
     * always agree) over {@code seconds}. Call after the last {@link #collectLatency}.
     */
    Report.Deliveries deliveries(double seconds) {
        long measured = healthyTotal.getTotalCount() + slowTotal.getTotalCount();
        return new Report.Deliveries(seconds, measured, conflated.sum(), snapshots.sum(), malformed.sum(),
                delivered.sum() + snapshots.sum());
    }

    /** The latency totals, and the healthy readers' over the last {@link #RECENT_SECONDS} collections. */
    Report.Latencies latencies() {
        Histogram recent = new Histogram(LoopRecorder.MAX_MICROS, 3);
        recentSeconds.forEach(recent::add);
        return new Report.Latencies(healthyTotal, slowTotal, recent);
    }
}
