package io.tickstream.loadtest;

import io.tickstream.feed.MicroClock;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * The load-test harness: opens many WebSocket subscribers from one process (Vert.x, nothing
 * blocks), each with its own subscription mix, and measures what they receive: end-to-end
 * latency from each message's {@code ts}, deliveries per second, gaps and reorders from
 * {@code seq}, conflation, and disconnects by close code.
 *
 * <p>Threading: each connection's state is touched only on its event loop; totals are adders
 * and a latency {@link Recorder}, read by the reporting thread.
 */
public final class LoadTest {

    /**
     * What to run.
     *
     * @param url              the server's {@code ws://} or {@code wss://} URL of {@code /ws}
     * @param clients          connections to open
     * @param durationSeconds  how long to measure once the ramp has started
     * @param rampPerSecond    connections opened per second
     * @param symbolsPerClient random symbols each client subscribes to (when not on {@code stocks.*})
     * @param matchesPerClient random matches each client subscribes to
     * @param allStocksShare   share of clients on {@code stocks.*} instead of single symbols
     * @param allSportsShare   share of clients also on {@code sports.>} instead of single matches
     * @param slowShare        share of clients that read slowly on purpose (pause 4 s in every 5 s)
     * @param contiguous       the subscriptions cover the whole feed: check {@code seq} for gaps
     * @param out              directory for the JSON and HTML reports
     * @param name             scenario name, used in file names
     * @param seed             seed of the subscription mix
     * @param warmupSeconds    latency and deliveries/s count only this long after every connection
     *                         attempt was answered (ramp, snapshots)
     * @param token            access token for a server with auth on ({@code Authorization: Bearer}), or null
     * @param holdSeconds      how long to keep the connections open after the run, measuring nothing
     */
    public record Config(URI url, int clients, double durationSeconds, int rampPerSecond, int symbolsPerClient,
                         int matchesPerClient, double allStocksShare, double allSportsShare, double slowShare,
                         boolean contiguous, Path out, String name, long seed, double warmupSeconds, String token,
                         double holdSeconds) {
    }

    /** One connection's view; owned by its event loop. */
    private static final class Client {
        final boolean slow;
        /** Which of its loop's {@link Meters#recorders} this connection's measured latency goes to. */
        final int recorder;
        final LastSeqByTopic lastByTopic = new LastSeqByTopic();
        Meters meters;
        final GapCounter gapCounter = new GapCounter();
        long reorders;
        /** Messages lost, settled at the end on the connection's event loop; -1 before. */
        volatile long settled = -1;
        io.vertx.core.Context context;
        ClientWebSocket ws;
        /** The WebSocket is connected; set on the connection's event loop. */
        boolean open;

        long gaps() {
            return settled >= 0 ? settled : gapCounter.unexplained();
        }

        Client(boolean slow) {
            this.slow = slow;
            this.recorder = slow ? SLOW : HEALTHY;
        }
    }

    /**
     * What the connections of one event loop measured: written by that loop's thread only (no
     * contention between loops on the hot path), read by the reporting thread.
     */
    private static final class Meters {
        final SingleWriterRecorder healthy = new SingleWriterRecorder(60_000_000L, 3);
        final SingleWriterRecorder slow = new SingleWriterRecorder(60_000_000L, 3);
        /** Latency outside the measured window: recorded like the rest, then thrown away. */
        final SingleWriterRecorder unmeasured = new SingleWriterRecorder(60_000_000L, 3);
        /**
         * By index: {@code unmeasured}, {@code healthy}, {@code slow}. Each message's latency is
         * recorded, into {@code recorders[measured * connection's recorder]}, so that the code the
         * JIT compiled during the warm-up is the code that measures: a branch never taken until the
         * window opens may be compiled as a trap, and the first seconds measured would then time the
         * harness recompiling itself.
         */
        final SingleWriterRecorder[] recorders = {unmeasured, healthy, slow};
        /** 1 while the frame being scanned is inside the measured window, else 0. */
        int frameMeasured;
        /** The time of receipt of the frame being scanned, for every message in it. */
        long frameMicros;
        long frameDeliveries;
        /** Dense ids of the topics this loop's connections receive, for their per-topic arrays. */
        final TopicIds topicIds = new TopicIds();
        /** The frame being scanned, copied out of Netty's buffer; reused, grown as needed. */
        byte[] frameBytes = new byte[64 * 1024];
    }

    /** Seconds at the end of a run whose latency is also reported on its own. */
    static final int RECENT_SECONDS = 10;

    private final Config config;
    private final PrintStream log;
    private final Map<Thread, Meters> meters = new ConcurrentHashMap<>();
    private final Histogram healthyTotal = new Histogram(60_000_000L, 3);
    private final Histogram slowTotal = new Histogram(60_000_000L, 3);
    private final LongAdder delivered = new LongAdder();
    /** "Not yet": far enough ahead never to come, near enough that {@code now - it} cannot overflow. */
    private static final long NEVER_NANOS = TimeUnit.DAYS.toNanos(365);
    private volatile long measureFromNanos = System.nanoTime() + NEVER_NANOS;
    /** When measuring stops (the run is over); frames may still arrive after it. */
    private volatile long measureUntilNanos = System.nanoTime() + NEVER_NANOS;
    private static final int HEALTHY = 1;
    private static final int SLOW = 2;
    private final LongAdder conflated = new LongAdder();
    private final LongAdder snapshots = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger failedToConnect = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private final Map<String, LongAdder> closes = new ConcurrentHashMap<>();
    private final List<Client> clients = new ArrayList<>();

    public LoadTest(Config config, PrintStream log) {
        this.config = config;
        this.log = log;
    }

    /** Runs the scenario and returns the report; {@link Report#healthy()} tells whether readers saw gaps. */
    public Report run() throws Exception {
        List<String> symbols = new ArrayList<>();
        List<String> matches = new ArrayList<>();
        for (Object o : fetchTopics()) {
            String topic = ((JsonObject) o).getString("topic");
            (topic.startsWith("stocks.") ? symbols : matches).add(topic);
        }
        if (symbols.isEmpty()) {
            throw new IllegalStateException("the server knows no stock topics yet: is the simulator running?");
        }
        Random rnd = new Random(config.seed());
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Runtime.getRuntime().availableProcessors()));
        try {
            boolean tls = config.url().getScheme().equals("wss");
            WebSocketClient wsClient = vertx.createWebSocketClient(new WebSocketClientOptions()
                    .setMaxConnections(config.clients() + 16).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 24)
                    .setSsl(tls).setTrustAll(tls).setVerifyHost(false).setConnectTimeout(30_000));
            int port = config.url().getPort() > 0 ? config.url().getPort() : tls ? 443 : 80;
            long start = System.nanoTime();
            // Until every connection attempt has an answer, assume the ramp takes as long as asked.
            measureFromNanos = start + (long) ((config.clients() / (double) config.rampPerSecond()
                    + config.warmupSeconds()) * 1e9);
            int slowCount = (int) Math.round(config.clients() * config.slowShare());
            for (int i = 0; i < config.clients(); i++) {
                Client c = new Client(i < slowCount);
                clients.add(c);
                JsonObject subscribe = new JsonObject().put("op", "subscribe").put("id", "load")
                        .put("snapshot", true).put("topics", mix(rnd, symbols, matches));
                long at = (long) (i * 1000.0 / config.rampPerSecond());
                vertx.setTimer(Math.max(1, at), t -> open(wsClient, c, port, tls, subscribe));
            }
            long[] slowTimer = {vertx.setPeriodic(1000, t -> pauseSlowReaders(System.nanoTime() - start))};
            long end = start + (long) (config.durationSeconds() * 1e9);
            long lastDelivered = 0;
            int second = 0;
            // the last 10 s on their own: the steady state, when the run reached one
            java.util.ArrayDeque<Histogram> recentSeconds = new java.util.ArrayDeque<>();
            while (System.nanoTime() < end) {
                Thread.sleep(Math.max(1, Math.min(1000, (end - System.nanoTime()) / 1_000_000)));
                second++;
                long d = delivered.sum();
                Histogram lastSecond = collectLatency();
                recentSeconds.addLast(lastSecond);
                if (recentSeconds.size() > RECENT_SECONDS) {
                    recentSeconds.removeFirst();
                }
                log.printf("t=%3ds  connections %d/%d  msgs/s %,d  p99 %s (last second %s)  gaps %d  reorders %d%n",
                        second, connected.get(), config.clients(), d - lastDelivered,
                        micros(healthyTotal.getValueAtPercentile(99)), micros(lastSecond.getValueAtPercentile(99)),
                        sum(false, true), sum(false, false));
                lastDelivered = d;
            }
            vertx.cancelTimer(slowTimer[0]);
            measureUntilNanos = System.nanoTime();
            settleGaps();
            recentSeconds.addLast(collectLatency());   // what arrived since the last full second
            Histogram recent = new Histogram(60_000_000L, 3);
            recentSeconds.forEach(recent::add);
            double seconds = Math.max(0, (measureUntilNanos - Math.max(start, measureFromNanos)) / 1e9);
            // Deliveries measured are the latencies recorded: one count, so the two always agree.
            long measured = healthyTotal.getTotalCount() + slowTotal.getTotalCount();
            Report report = new Report(config, seconds, connected.get(), failedToConnect.get(), measured,
                    conflated.sum(), snapshots.sum(), malformed.sum(), sum(false, true), sum(false, false), sum(true, true),
                    sum(true, false), healthyTotal, slowTotal, recent, Map.copyOf(adders(closes)), processCpuSeconds(),
                    delivered.sum() + snapshots.sum());
            if (config.holdSeconds() > 0) {
                Thread.sleep((long) (config.holdSeconds() * 1000));   // connected, measuring nothing
            }
            return report;
        } finally {
            try {
                vertx.close().await(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.println("note: closing the connections took over 20 s (" + e + ")");
            }
        }
    }

    private JsonArray mix(Random rnd, List<String> symbols, List<String> matches) {
        JsonArray topics = new JsonArray();
        if (rnd.nextDouble() < config.allStocksShare()) {
            topics.add("stocks.*");
        } else {
            for (int k = 0; k < Math.min(config.symbolsPerClient(), symbols.size()); k++) {
                String t = symbols.get(rnd.nextInt(symbols.size()));
                if (!topics.contains(t)) {
                    topics.add(t);
                }
            }
        }
        if (rnd.nextDouble() < config.allSportsShare()) {
            topics.add("sports.>");
        } else {
            for (int k = 0; k < Math.min(config.matchesPerClient(), matches.size()); k++) {
                String t = matches.get(rnd.nextInt(matches.size()));
                if (!topics.contains(t)) {
                    topics.add(t);
                }
            }
        }
        return topics;
    }

    /** This process's CPU time so far (every thread, the JIT and GC included), or 0 if unknown. */
    private static double processCpuSeconds() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime()) / 1e9;
        }
        return 0;
    }

    /** Asks every connection's event loop for its settled gap count; waits up to 10 s. */
    private void settleGaps() throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(clients.size());
        for (Client c : clients) {
            if (c.context == null) {
                done.countDown();
                continue;
            }
            c.context.runOnContext(v -> {
                c.settled = config.contiguous() ? c.gapCounter.lost(c.lastByTopic.minValue()) : 0;
                done.countDown();
            });
        }
        if (!done.await(10, TimeUnit.SECONDS)) {
            log.println("note: some connections did not report their gap count in time");
        }
    }

    private void open(WebSocketClient wsClient, Client c, int port, boolean tls, JsonObject subscribe) {
        ClientWebSocket ws = wsClient.webSocket();
        c.ws = ws;
        c.context = Vertx.currentContext();
        ws.binaryMessageHandler(b -> { });
        FrameScanner.Sink sink = new FrameScanner.Sink() {
            @Override
            public void message(long topicKey, long seq, long ts, int merged, boolean snapshot) {
                onMessage(c, topicKey, seq, ts, merged, snapshot);
            }

            @Override
            public void control(String type) {
                if (type.equals("welcome") && !subscribe.getJsonArray("topics").isEmpty()) {
                    ws.writeTextMessage(subscribe.encode());
                }
            }
        };
        ws.handler(buffer -> onFrame(c, buffer, sink));
        ws.closeHandler(v -> {
            connected.decrementAndGet();
            closes.computeIfAbsent(String.valueOf(ws.closeStatusCode()), k -> new LongAdder()).increment();
        });
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(config.url().getHost()).setPort(port)
                .setSsl(tls).setAllowOriginHeader(false); // not a browser: no Origin header
        if (config.token() != null) {
            options.addHeader("Authorization", "Bearer " + config.token());
        }
        ws.connect(options
                .setURI(config.url().getRawPath() == null || config.url().getRawPath().isEmpty() ? "/ws"
                        : config.url().getRawPath()))
                .onSuccess(w -> {
                    c.open = true;
                    connected.incrementAndGet();
                    attempted();
                })
                .onFailure(e -> {
                    if (failedToConnect.incrementAndGet() == 1) {
                        log.println("loadtest: a connection failed: " + e);   // the first one says why
                    }
                    attempted();
                });
    }

    /** A connection attempt was answered: once all are, the warm-up starts (ramp and snapshots are over). */
    private void attempted() {
        if (answered.incrementAndGet() == config.clients()) {
            measureFromNanos = System.nanoTime() + (long) (config.warmupSeconds() * 1e9);
        }
    }

    private void onFrame(Client c, io.vertx.core.buffer.Buffer frame, FrameScanner.Sink sink) {
        if (c.meters == null) {
            c.meters = meters.computeIfAbsent(Thread.currentThread(), t -> new Meters());
        }
        Meters m = c.meters;
        int n = frame.length();
        if (m.frameBytes.length < n) {
            m.frameBytes = new byte[Math.max(n, m.frameBytes.length * 2)];
        }
        frame.getBytes(0, n, m.frameBytes, 0);   // into the loop's buffer: no allocation per frame
        m.frameDeliveries = 0;
        m.frameMicros = MicroClock.nowMicros();
        long now = System.nanoTime();
        // 1 inside [measureFrom, measureUntil), else 0, without a branch (see Meters.recorders)
        m.frameMeasured = (int) (((now - measureFromNanos) >>> 63) ^ 1) & (int) ((now - measureUntilNanos) >>> 63);
        try {
            FrameScanner.scan(m.frameBytes, n, sink);
        } catch (IllegalArgumentException e) {
            malformed.increment();
        }
        delivered.add(m.frameDeliveries);
    }

    private void onMessage(Client c, long topicKey, long seq, long ts, int merged, boolean snapshot) {
        if (snapshot) {
            snapshots.increment();
            return;
        }
        Meters m = c.meters;
        m.frameDeliveries++;
        if (merged > 0) {
            conflated.add(merged);
        }
        m.recorders[m.frameMeasured * c.recorder].recordValue(Math.min(60_000_000L, Math.max(1, m.frameMicros - ts)));
        if (c.lastByTopic.put(m.topicIds.id(topicKey), seq) >= seq) {
            c.reorders++;
        }
        if (config.contiguous()) {
            c.gapCounter.message(seq, merged, m.frameMicros);
        }
    }

    /**
     * Moves what every event loop recorded since the last call into the totals; returns the healthy
     * readers' part of it. Reporting thread.
     */
    private Histogram collectLatency() {
        Histogram interval = new Histogram(60_000_000L, 3);
        for (Meters m : meters.values()) {
            interval.add(m.healthy.getIntervalHistogram());
            slowTotal.add(m.slow.getIntervalHistogram());
            m.unmeasured.getIntervalHistogram();   // thrown away
        }
        healthyTotal.add(interval);
        return interval;
    }

    /** Slow readers read for one second in five; each is paused or resumed on its own event loop. */
    private void pauseSlowReaders(long elapsedNanos) {
        boolean pause = (elapsedNanos / 1_000_000_000L) % 5 != 4;
        for (Client c : clients) {
            if (c.slow && c.context != null) {
                c.context.runOnContext(v -> {
                    // a connection still opening, or closed, has nothing to pause
                    if (c.open && !c.ws.isClosed()) {
                        if (pause) {
                            c.ws.pause();
                        } else {
                            c.ws.resume();
                        }
                    }
                });
            }
        }
    }

    private long sum(boolean slow, boolean gaps) {
        long n = 0;
        for (Client c : clients) {
            if (c.slow == slow) {
                n += gaps ? c.gaps() : c.reorders;
            }
        }
        return n;
    }

    private static Map<String, Long> adders(Map<String, LongAdder> m) {
        Map<String, Long> out = new HashMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private JsonArray fetchTopics() throws IOException, InterruptedException {
        URI u = config.url();
        String scheme = u.getScheme().equals("wss") ? "https" : "http";
        URI topics = URI.create(scheme + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "") + "/api/topics");
        HttpRequest.Builder request = HttpRequest.newBuilder(topics).timeout(Duration.ofSeconds(10));
        if (config.token() != null) {
            request.header("Authorization", "Bearer " + config.token());
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(topics + " answered " + r.statusCode());
        }
        return new JsonArray(r.body());
    }

    static String micros(long us) {
        return us < 1000 ? us + " µs" : us < 1_000_000 ? String.format("%.1f ms", us / 1e3) : String.format("%.2f s", us / 1e6);
    }
}
