package io.tickstream;

import static io.tickstream.config.ServerConfig.ADVERTISE;
import static io.tickstream.config.ServerConfig.AERON_DIR;
import static io.tickstream.config.ServerConfig.AERON_IDLE_MS;
import static io.tickstream.config.ServerConfig.ALLOWED_ORIGINS;
import static io.tickstream.config.ServerConfig.AUTH_SECRET_FILE;
import static io.tickstream.config.ServerConfig.BATCH_LINGER_MS;
import static io.tickstream.config.ServerConfig.DRAIN_MS;
import static io.tickstream.config.ServerConfig.EVENT_LOOPS;
import static io.tickstream.config.ServerConfig.FROM_START;
import static io.tickstream.config.ServerConfig.MAX_BATCH;
import static io.tickstream.config.ServerConfig.MAX_CONNECTIONS_PER_ADDRESS;
import static io.tickstream.config.ServerConfig.MAX_INFLIGHT_BATCHES;
import static io.tickstream.config.ServerConfig.QUEUE;
import static io.tickstream.config.ServerConfig.RETAIN_CYCLES;
import static io.tickstream.config.ServerConfig.ROLL_CYCLE;
import static io.tickstream.config.ServerConfig.STALE_AFTER_MS;
import static io.tickstream.config.ServerConfig.TRANSPORT;
import static io.tickstream.config.ServerConfig.UPSTREAM;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tickstream.auth.TokenAuthority;
import io.tickstream.config.ServerConfig;
import io.tickstream.fanout.Hub;
import io.tickstream.feed.FeedQueue;
import io.tickstream.http.Admission;
import io.tickstream.http.EventLoops;
import io.tickstream.http.HttpRoutes;
import io.tickstream.http.LoopFactory;
import io.tickstream.http.ServerVerticle;
import io.tickstream.ingest.IdleStrategy;
import io.tickstream.ingest.FeedIndex;
import io.tickstream.ingest.History;
import io.tickstream.ingest.LatestValues;
import io.tickstream.ingest.QueueDamage;
import io.tickstream.ingest.QueueTailer;
import io.tickstream.ingest.Replayer;
import io.tickstream.metrics.Meters;
import io.tickstream.metrics.ServerRegistry;
import io.tickstream.replication.Endpoint;
import io.tickstream.replication.UpstreamFollower;
import io.tickstream.replication.UpstreamStatus;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.transport.Transport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import java.util.logging.Logger;
import net.openhft.chronicle.queue.ChronicleQueue;

/**
 * Wiring of the server process, and nothing else: the meter registry, Vert.x, the queue, the
 * tailer, one {@link ServerVerticle} per event loop. The data path is
 * queue → {@link QueueTailer} → {@link Hub} → shards → sessions → sockets.
 */
public final class ServerMain implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ServerMain.class.getName());

    private final Vertx vertx;
    private final ChronicleQueue queue;
    private final QueueTailer tailer;
    private final Replayer replayer;
    /** An edge's replication into its queue, or null when the queue is the origin. */
    private final UpstreamFollower follower;
    private final int port;
    private final PrometheusMeterRegistry registry;

    private final List<ServerVerticle> verticles;
    private final AtomicBoolean draining;
    private final Supplier<String> notReady;
    private final long drainMs;

    private ServerMain(Vertx vertx, ChronicleQueue queue, QueueTailer tailer, Replayer replayer,
                       UpstreamFollower follower, int port,
                       PrometheusMeterRegistry registry, List<ServerVerticle> verticles, AtomicBoolean draining,
                       Supplier<String> notReady, long drainMs) {
        this.verticles = verticles;
        this.draining = draining;
        this.notReady = notReady;
        this.drainMs = drainMs;
        this.vertx = vertx;
        this.queue = queue;
        this.tailer = tailer;
        this.replayer = replayer;
        this.follower = follower;
        this.port = port;
        this.registry = registry;
    }

    /**
     * Starts a server and returns once it listens, every shard holds the latest message of every
     * topic (WebSocket upgrades and {@code /api/topics} are answered {@code 503 starting} until
     * then) and its tailer runs.
     */
    public static ServerMain start(ServerConfig config) throws Exception {
        return start(config, port -> { });
    }

    /**
     * As {@link #start(ServerConfig)}, calling {@code listening} with the port on this thread once
     * the server listens, before the shards are seeded: for a test of what a client sees meanwhile.
     */
    static ServerMain start(ServerConfig config, IntConsumer listening) throws Exception {
        // what can refuse the start comes first, before anything holds resources: the network
        // transport, the secret file, then the queue (an unusable or damaged one refuses it at once)
        Transport transport = EventLoops.transport(config.get(TRANSPORT));
        Path secret = config.get(AUTH_SECRET_FILE);
        Admission admission = new Admission(config.get(ALLOWED_ORIGINS),
                secret == null ? null : TokenAuthority.fromSecretFile(secret), config.get(MAX_CONNECTIONS_PER_ADDRESS));
        PrometheusMeterRegistry registry = ServerRegistry.create();
        Meters meters = new Meters(registry);
        // an edge first opens its replica (created with the feed host's roll cycle), and keeps it filling
        Timer upstreamDelay = meters.upstreamDelay();
        UpstreamFollower follower = config.get(UPSTREAM) == null ? null
                : UpstreamFollower.start(Endpoint.parse(config.get(UPSTREAM)), config.get(ADVERTISE), config.get(QUEUE),
                        config.get(ROLL_CYCLE).toUpperCase(Locale.ROOT), config.get(RETAIN_CYCLES), config.get(AERON_DIR),
                        config.get(AERON_IDLE_MS), micros -> upstreamDelay.record(micros, TimeUnit.MICROSECONDS));
        ChronicleQueue queue;
        try {
            queue = FeedQueue.openForReading(config.get(QUEUE), FeedQueue.rollCycle(config.get(ROLL_CYCLE)));
        } catch (RuntimeException e) {
            if (follower != null) {
                follower.close();
            }
            throw e;
        }
        // the latest message of every topic, read while the rest starts and listens (see loadLatest)
        long scanStarted = System.nanoTime();
        CompletableFuture<LatestValues.Result> scanned = config.get(FROM_START)
                ? CompletableFuture.completedFuture(LatestValues.Result.NONE)
                : CompletableFuture.supplyAsync(() -> LatestValues.upTo(queue, queue.lastIndex()), r -> {
                    Thread t = new Thread(r, "tickstream-start-scan");
                    t.setDaemon(true);
                    t.start();
                });
        Vertx vertx = EventLoops.start(config, transport, registry, meters);
        QueueDamage damage = new QueueDamage(config.get(QUEUE));
        meters.queueDamagedFiles(damage::damagedFiles);
        if (follower != null) {
            UpstreamStatus upstream = follower.status();
            admission.refuseWhile(upstream::turnsClientsAway);   // behind a balancer: to another edge
            meters.upstream(upstream::lagSeconds, upstream::recordsBehind, upstream::records, upstream::catchUps,
                    upstream::lastCatchUpRecords, upstream::disconnects);
        }
        Hub hub = new Hub(config.get(MAX_INFLIGHT_BATCHES));
        QueueTailer tailer = new QueueTailer(queue, hub, meters, damage, config.get(FROM_START), config.get(MAX_BATCH),
                config.get(BATCH_LINGER_MS),
                IdleStrategy.backoff(TimeUnit.MILLISECONDS.toNanos(1)));
        FeedIndex index = new FeedIndex(queue, FeedIndex.INTERVAL);
        meters.feedIndex(index::records, index::checkpointCount);
        Replayer replayer = new Replayer(queue, damage, config.get(MAX_BATCH), new History(queue, index));
        AtomicInteger port = new AtomicInteger();
        AtomicBoolean draining = new AtomicBoolean();
        long staleAfterMs = config.get(STALE_AFTER_MS);
        Supplier<String> notReady = () -> draining.get() ? "draining"
                : !admission.isOpen() ? "starting"
                : tailer.damaged() != null ? tailer.damaged()
                : follower != null && follower.status().notReady() != null ? follower.status().notReady()
                : !tailer.caughtUp() ? "catching up"
                : staleAfterMs > 0 && tailer.stalenessSeconds() * 1000 > staleAfterMs ? "feed stale"
                : null;
        meters.ready(() -> notReady.get() == null);
        List<ServerVerticle> verticles = new CopyOnWriteArrayList<>();
        try {
            long startPosition = tailer.start();
            // one verticle per event loop, each with its loop's context (shard, sessions' parts)
            LoopFactory loops = new LoopFactory(config, hub, meters, startPosition, replayer);
            HttpRoutes routes = new HttpRoutes(registry, notReady, admission);
            // listening while the scan may still run: not ready, and refusing WebSockets and
            // /api/topics with 503 starting, until every shard holds the latest message of every topic
            vertx.deployVerticle(() -> {
                ServerVerticle v = new ServerVerticle(config, loops, routes, admission, port);
                verticles.add(v);
                return v;
            },
                    new DeploymentOptions().setInstances(config.get(EVENT_LOOPS)))
                    .await(30, TimeUnit.SECONDS);
            listening.accept(port.get());
            LatestValues.Result latest = config.get(FROM_START) ? LatestValues.Result.NONE
                    : loadLatest(scanned, scanStarted, queue, startPosition, meters);
            List<Future<Void>> seeded = new ArrayList<>();
            for (ServerVerticle v : verticles) {
                seeded.add(v.seed(latest));
            }
            Future.all(seeded).await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            tailer.close();
            replayer.close();
            queue.close();
            if (follower != null) {
                follower.close();
            }
            throw e;
        }
        tailer.begin();
        admission.open();
        index.start();   // after the start-up scan, which readiness waits for: not beside it on two cores
        return new ServerMain(vertx, queue, tailer, replayer, follower, port.get(), registry, verticles, draining,
                notReady, config.get(DRAIN_MS));
    }

    /**
     * The latest message of every topic in the queue up to where the tailer starts, so that snapshots
     * and {@code /api/topics} are complete before the server is ready (with {@code --from-start} the
     * tailer itself delivers every record before the server is ready). {@code scanned} is the scan of
     * the queue as it was when it was opened, run while the meters, Vert.x and the tailer start; the
     * records written since, up to the tailer's start position {@code upTo}, are read here.
     */
    private static LatestValues.Result loadLatest(CompletableFuture<LatestValues.Result> scanned, long started,
                                                  ChronicleQueue queue, long upTo, Meters meters) {
        LatestValues.Result early = scanned.join();
        // what was written between the scan's end and the tailer's start: a few records, read now
        LatestValues.Result r = early.upTo() <= upTo ? LatestValues.extend(early, queue, upTo)
                : LatestValues.upTo(queue, upTo);
        meters.feedDecodeErrors().increment(r.damaged());
        LOG.info(String.format("loaded the latest message of %d topics from %d records in %d ms%s",
                r.latest().size(), r.records(), (System.nanoTime() - started) / 1_000_000,
                r.damaged() == 0 ? "" : " (" + r.damaged() + " damaged records skipped)"));
        return r;
    }

    /** The port the server listens on. */
    public int port() {
        return port;
    }

    /** Whether {@code /health/ready} says ready: started, caught up with the queue, the feed fresh, not draining. */
    public boolean ready() {
        return notReady.get() == null;
    }

    /**
     * How long the whole stop ({@link #drain()} then {@link #close()}) may take beyond the drain
     * time: the close grace of the connections still open at the drain deadline, Vert.x's close,
     * the queue's close and the process's exit.
     */
    public static final long STOP_MARGIN_MS = 1000;

    /** Of {@link #STOP_MARGIN_MS}, what is kept for what follows Vert.x's close: the queue's close and the exit. */
    private static final long AFTER_VERTX_MS = 500;

    /** When {@link #close()} stops waiting for Vert.x (nanoTime); set by {@link #drain()}, none before. */
    private volatile long vertxClosedBy = Long.MAX_VALUE;

    /**
     * The graceful stop's first half: readiness turns to "draining", new WebSockets get 503, and
     * every open connection is closed with {@code 1001} once what is waiting for it is written,
     * within the drain time; one that cannot take its close frame by then is reset (see
     * {@link ServerVerticle#drain}). Then {@link #close()}, which finishes the stop within
     * {@link #STOP_MARGIN_MS} of the drain time.
     */
    public void drain() {
        long started = System.nanoTime();
        vertxClosedBy = started + TimeUnit.MILLISECONDS.toNanos(drainMs + STOP_MARGIN_MS - AFTER_VERTX_MS);
        draining.set(true);
        List<Future<Void>> all = new ArrayList<>();
        for (ServerVerticle v : verticles) {
            all.add(v.drain(drainMs));
        }
        try {
            Future.all(all).await(vertxClosedBy - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            LOG.warning("drain did not finish cleanly: " + e);
        }
    }

    /**
     * Stops accepting, closes every connection, stops the tailer and closes the queue. After
     * {@link #drain()}, Vert.x gets what is left of the stop's time to close, and the queue is closed
     * then even if it has not; otherwise it gets 10 s.
     */
    @Override
    public void close() throws Exception {
        long budget = vertxClosedBy == Long.MAX_VALUE ? TimeUnit.SECONDS.toNanos(10)
                : Math.max(0, vertxClosedBy - System.nanoTime());
        try {
            vertx.close().await(budget, TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            LOG.warning("Vert.x did not close cleanly: " + e);
        }
        tailer.close();
        replayer.close();
        queue.close();
        if (follower != null) {
            follower.close();
        }
        registry.close();
    }
}
