package io.tickstream.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tickstream.feed.FeedMessage;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Every meter of the server, by name and tag, in one place. Built once in {@code main} from the
 * registry and passed down; nothing here is static state.
 *
 * <p>Thread-safe: meters are Micrometer's (lock-free), gauges read {@link AtomicLong}s or
 * suppliers that are safe to call from the scrape thread.
 */
public final class Meters {

    /** Latency buckets from 100 µs up to 10 s, shared by every latency histogram. */
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
        Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofNanos(2_500_000_000L), Duration.ofSeconds(5),
        Duration.ofSeconds(10),
    };

    private final MeterRegistry registry;
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong subscriptions = new AtomicLong();
    private final Map<FeedMessage.Kind, Counter> feedMessages = new EnumMap<>(FeedMessage.Kind.class);
    private final Map<FeedMessage.Kind, Counter> messagesSent = new EnumMap<>(FeedMessage.Kind.class);
    private final Map<FeedMessage.Kind, Counter> messagesConflated = new EnumMap<>(FeedMessage.Kind.class);
    private final Map<String, Counter> clientErrors = new ConcurrentHashMap<>();
    private final Map<String, Counter> handshakes = new ConcurrentHashMap<>();
    private final Counter slowConsumerDisconnects;
    private final Map<String, Counter> stalenessMisses = new ConcurrentHashMap<>();
    private final DistributionSummary connectionStalenessMisses;
    private final Map<String, Counter> windowReplays = new ConcurrentHashMap<>();
    private final Map<String, Counter> resumes = new ConcurrentHashMap<>();
    private final Counter replayedMessages;
    private final DistributionSummary backlogBytes;
    private final Counter bytesSent;
    private final Counter framesSent;
    private final Counter tailerStalls;
    private final Counter feedDecodeErrors;
    private final Counter scoreCorrections;
    private final Counter tailerFaults;
    private final Timer deliveryLatency;
    private final Timer feedReadLatency;
    private final Timer serverLatency;

    public Meters(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("tickstream_connections", connections, AtomicLong::get)
                .description("Open WebSocket connections").register(registry);
        Gauge.builder("tickstream_subscriptions", subscriptions, AtomicLong::get)
                .description("Subscriptions (topics and patterns) held by open connections").register(registry);
        for (FeedMessage.Kind kind : FeedMessage.Kind.values()) {
            feedMessages.put(kind, Counter.builder("tickstream_feed_messages_total").tag("kind", kind.wireName())
                    .description("Messages read from the queue by the tailer").register(registry));
            messagesSent.put(kind, Counter.builder("tickstream_messages_sent_total").tag("kind", kind.wireName())
                    .description("Messages written to subscribers (one per subscriber)").register(registry));
            messagesConflated.put(kind, Counter.builder("tickstream_messages_conflated_total")
                    .tag("kind", kind.wireName())
                    .description("Messages replaced by a newer one of their topic before they were written "
                            + "(backpressure or maxRate)").register(registry));
        }
        slowConsumerDisconnects = counter("tickstream_slow_consumer_disconnects_total",
                "Connections closed with 4001 because their backlog stayed over the limit");
        replayedMessages = counter("tickstream_replayed_messages_total",
                "Messages read again from the queue and written for subscribe with from, or for the replay op");
        for (String outcome : new String[] {"conflated", "late"}) {
            stalenessMisses.put(outcome, Counter.builder("tickstream_staleness_misses_total").tag("outcome", outcome)
                    .description("Messages that waited in a backlog beyond their subscription's maxStalenessMs: "
                            + "ticks conflated to make it fresh again, score events written late")
                    .register(registry));
        }
        connectionStalenessMisses = DistributionSummary.builder("tickstream_connection_staleness_misses")
                .description("Staleness misses (conflated ticks and late score events) of each connection with a "
                        + "maxStalenessMs, recorded when it closes")
                .serviceLevelObjectives(1, 10, 100, 1_000, 10_000, 100_000).register(registry);
        for (String outcome : new String[] {"completed", "cancelled", "unavailable"}) {
            windowReplays.put(outcome, Counter.builder("tickstream_window_replays_total").tag("outcome", outcome)
                    .description("Replays of a time window (the replay op), by outcome").register(registry));
        }
        for (String outcome : new String[] {"replayed", "unavailable", "ahead"}) {
            resumes.put(outcome, Counter.builder("tickstream_resumes_total").tag("outcome", outcome)
                    .description("subscribe with from, by outcome: replayed, unavailable (snapshots sent), or ahead "
                            + "(beyond the newest seq held, resume_ahead)")
                    .register(registry));
        }
        backlogBytes = DistributionSummary.builder("tickstream_connection_backlog_bytes")
                .description("Bytes waiting beyond each connection's socket, sampled per connection every tick")
                .serviceLevelObjectives(1, 1024, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216)
                .register(registry);
        bytesSent = counter("tickstream_bytes_sent_total",
                "Payload bytes of WebSocket frames written to subscribers");
        framesSent = counter("tickstream_frames_sent_total",
                "WebSocket frames written to subscribers (one frame may carry several messages)");
        tailerStalls = counter("tickstream_tailer_backpressure_total",
                "Times the tailer paused because an event loop had too many batches in flight");
        tailerFaults = counter("tickstream_tailer_faults_total",
                "Times reading the queue faulted (full or failing file system); the tailer retries");
        feedDecodeErrors = counter("tickstream_feed_decode_errors_total",
                "Queue records the tailer could not decode and skipped");
        scoreCorrections = counter("tickstream_score_corrections_total",
                "Score events that correct an earlier one (a goal disallowed, a card rescinded) read from the queue "
                        + "by the tailer");
        deliveryLatency = latencyTimer("tickstream_delivery_latency",
                "From a message's write to the feed (ts) to its write to subscribers' sockets: once per message "
                        + "per event loop when written at once, once per delivery when written from a backlog");
        feedReadLatency = latencyTimer("tickstream_feed_read_latency",
                "From a message's write to the feed (ts) to its read by the server's tailer");
        serverLatency = latencyTimer("tickstream_server_latency",
                "From a message's read from the queue to its write to subscribers' sockets (the in-server stage of "
                        + "the latency provenance; observed as tickstream_delivery_latency is)");
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }

    private Timer latencyTimer(String name, String description) {
        return Timer.builder(name).description(description).serviceLevelObjectives(LATENCY_BUCKETS)
                .minimumExpectedValue(LATENCY_BUCKETS[0]).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    /** {@code tickstream_network_transport{transport="epoll"} 1}: the event loops' network transport. */
    public void networkTransport(String name) {
        Gauge.builder("tickstream_network_transport", () -> 1).tag("transport", name)
                .description("The network transport the event loops run on (epoll, io_uring or nio), as a label")
                .register(registry);
    }

    /** Registers {@code tickstream_tailer_lag_seconds}, read from {@code lagSeconds} at scrape time. */
    public void tailerLag(DoubleSupplier lagSeconds) {
        Gauge.builder("tickstream_tailer_lag_seconds", lagSeconds::getAsDouble)
                .description("How far behind the newest message it has read the tailer is, in seconds of feed "
                        + "time (0 when caught up)").register(registry);
    }

    /** Registers {@code tickstream_feed_staleness_seconds}, read from {@code seconds} at scrape time. */
    public void feedStaleness(DoubleSupplier seconds) {
        Gauge.builder("tickstream_feed_staleness_seconds", seconds::getAsDouble)
                .description("Seconds since the tailer last found a new message in the queue: grows while the "
                        + "feed (the simulator) is down or silent").register(registry);
    }

    /** Registers {@code tickstream_queue_damaged_files}, read from {@code files} at scrape time. */
    public void queueDamagedFiles(IntSupplier files) {
        Gauge.builder("tickstream_queue_damaged_files", files::getAsInt).baseUnit("files")
                .description("Queue cycle files found truncated, emptied or unreadable while the server runs "
                        + "(damage found at start-up refuses the start instead); 0 once restored").register(registry);
    }

    /**
     * Registers {@code tickstream_ready}: 1 while {@code /health/ready} answers 200, else 0, read from
     * {@code ready} at scrape time; so that an alert and a dashboard see readiness, per instance.
     */
    public void ready(BooleanSupplier ready) {
        Gauge.builder("tickstream_ready", () -> ready.getAsBoolean() ? 1 : 0)
                .description("1 while /health/ready answers 200 (started, caught up, the feed fresh; on an edge, "
                        + "its upstream within 1 s), else 0: /health/ready says why").register(registry);
    }

    /**
     * An edge's replication from its upstream (only with {@code --upstream}): how far behind it is, what
     * it wrote, how often it caught up and how often it lost the stream.
     */
    public void upstream(DoubleSupplier lagSeconds, LongSupplier lagRecords, LongSupplier records,
                         LongSupplier catchUps, LongSupplier lastCatchUpRecords, LongSupplier disconnects) {
        upstream = new UpstreamMeters(registry, lagSeconds, lagRecords, records, catchUps, lastCatchUpRecords,
                disconnects);
    }

    /**
     * An edge's replication delay: from a record's write to the origin queue (its ts) to its write to
     * this edge's replica, for records that came live (not those of a catch-up). Registered only by edges.
     */
    public Timer upstreamDelay() {
        return latencyTimer("tickstream_upstream_delay", "From a record's write to the origin queue (ts) to its "
                + "write to this edge's replica, for records received live");
    }

    /** An edge's replication meters, held so that their sources live as long as these; {@code null} elsewhere. */
    private UpstreamMeters upstream;

    public AtomicLong connections() {
        return connections;
    }

    public AtomicLong subscriptions() {
        return subscriptions;
    }

    public Counter feedMessages(FeedMessage.Kind kind) {
        return feedMessages.get(kind);
    }

    public Counter messagesSent(FeedMessage.Kind kind) {
        return messagesSent.get(kind);
    }

    public Counter messagesConflated(FeedMessage.Kind kind) {
        return messagesConflated.get(kind);
    }

    /**
     * Time one event loop spent delivering feed batches, {@code tickstream_fanout_busy_seconds_total}
     * (its rate is the loop's fan-out utilisation, 0 to 1).
     */
    public Counter fanoutBusy(String loop) {
        return Counter.builder("tickstream_fanout_busy_seconds_total").tag("loop", loop)
                .description("Seconds an event loop spent delivering feed batches to its connections")
                .register(registry);
    }

    /** How late an event loop ran a periodic timer: {@code tickstream_event_loop_delay_seconds}. */
    public Timer eventLoopDelay(String loop) {
        return Timer.builder("tickstream_event_loop_delay").tag("loop", loop)
                .description("How late an event loop ran its periodic timer: time its tasks waited behind others")
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    }

    /** Resumes by outcome: {@code replayed}, {@code unavailable} or {@code ahead}. */
    public Counter resumes(String outcome) {
        return resumes.get(outcome);
    }

    public Counter replayedMessages() {
        return replayedMessages;
    }

    /** The feed index of reads of the past: records indexed and checkpoints made. */
    public void feedIndex(LongSupplier records, IntSupplier checkpoints) {
        Gauge.builder("tickstream_feed_index_records", records::getAsLong)
                .description("Queue records read by the index of reads of the past (snapshot at, replay)")
                .register(registry);
        Gauge.builder("tickstream_feed_index_checkpoints", checkpoints::getAsInt)
                .description("Checkpoints of the queue kept for reads of the past (one every 65,536 records)")
                .register(registry);
    }

    /** Messages that missed a staleness budget: {@code conflated} ticks or {@code late} score events. */
    public Counter stalenessMisses(String outcome) {
        return stalenessMisses.get(outcome);
    }

    /** A connection with a staleness budget closed after {@code misses} misses. */
    public void connectionStalenessMisses(long misses) {
        connectionStalenessMisses.record(misses);
    }

    /** A replay of a time window ended: {@code completed}, {@code cancelled} or {@code unavailable}. */
    public Counter windowReplays(String outcome) {
        return windowReplays.get(outcome);
    }

    public Counter slowConsumerDisconnects() {
        return slowConsumerDisconnects;
    }

    public DistributionSummary backlogBytes() {
        return backlogBytes;
    }

    public Counter bytesSent() {
        return bytesSent;
    }

    public Counter framesSent() {
        return framesSent;
    }

    public Counter tailerStalls() {
        return tailerStalls;
    }

    /** Times reading the queue faulted (a full or failing file system under a mapped page). */
    public Counter tailerFaults() {
        return tailerFaults;
    }

    public Counter feedDecodeErrors() {
        return feedDecodeErrors;
    }

    /** Corrections of score events read by the tailer (each also counted as a score message). */
    public Counter scoreCorrections() {
        return scoreCorrections;
    }

    /** Counts an upgrade refused (by HTTP status: 401, 403, 429) or a handshake that timed out ({@code timeout}). */
    public Counter handshakeRefused(String outcome) {
        return handshakes.computeIfAbsent(outcome, o -> Counter.builder("tickstream_handshakes_refused_total")
                .tag("reason", o).description("WebSocket upgrades (and /api/topics requests) refused, by HTTP "
                        + "status, and connections closed for sending no request within the handshake timeout").register(registry));
    }

    /** Counts an {@code error} answered to a client, by its protocol code. */
    public void clientError(String code) {
        clientErrors.computeIfAbsent(code, c -> Counter.builder("tickstream_client_errors_total").tag("code", c)
                .description("error messages answered to clients, by code").register(registry)).increment();
    }

    /** Records a delivery latency in microseconds. */
    /** The in-server stage: from a message's read from the queue to its write, {@code micros}. */
    public void recordServerLatencyMicros(long micros) {
        serverLatency.record(Math.max(0, micros), TimeUnit.MICROSECONDS);
    }

    public void recordDeliveryLatencyMicros(long micros) {
        deliveryLatency.record(Math.max(0, micros), TimeUnit.MICROSECONDS);
    }

    /** Records a feed read latency in microseconds. */
    public void recordFeedReadLatencyMicros(long micros) {
        feedReadLatency.record(Math.max(0, micros), TimeUnit.MICROSECONDS);
    }
}
