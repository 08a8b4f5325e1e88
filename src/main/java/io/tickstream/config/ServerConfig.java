package io.tickstream.config;

import io.tickstream.auth.TrustedProxies;
import io.tickstream.feed.FeedQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything the server is started with, each setting declared once below: its flag, default,
 * description and checks; its environment variable is {@code TICKSTREAM_} and the flag's name
 * ({@code --heartbeat-ms} is {@code TICKSTREAM_HEARTBEAT_MS}). The {@code server} command reads them
 * from its command line ({@link SettingOptions}); tests start from {@link #defaults(Path)} and change
 * a few: {@code defaults(queue).with(PORT, 0)}. Read with {@code config.get(HEARTBEAT_MS)}. Immutable.
 */
public final class ServerConfig extends Config<ServerConfig> {

    /** Every setting of the {@code server} command, in the order below. */
    public static final Settings<ServerConfig> SETTINGS = new Settings<>("TICKSTREAM_", ServerConfig::new);

    private static final String CLIENT_LIMITS =
            "--client-rate, --client-burst and --rate-limit-strikes must be positive";
    private static final String BATCH_LIMITS = "--max-batch and --max-inflight-batches must be positive";
    private static final String BACKLOG_LIMITS =
            "--write-queue-bytes and --max-backlog-bytes must be at least 1024, --slow-consumer-grace-ms not negative";
    private static final String STOP_TIMES = "--drain-ms and --stale-after-ms must be 0 or more";

    public static final Setting<Path> QUEUE = SETTINGS.add(Setting.ofPath("--queue", "DIR", Path.of("data/queue"),
            "Chronicle Queue directory to tail"));

    public static final Setting<String> HOST = SETTINGS.add(Setting.ofString("--host", "HOST", "0.0.0.0",
            "Address to listen on"));

    public static final Setting<Integer> PORT = SETTINGS.add(Setting.ofInt("--port", "P", 8080,
            "HTTP and WebSocket port; 0 picks a free one")
            .check(p -> p >= 0 && p <= 65535, "--port must be 0 to 65535"));

    public static final Setting<Boolean> FROM_START = SETTINGS.add(Setting.ofSwitch("--from-start", false,
            "Deliver from the first message in the queue instead of its end"));

    /** One of {@code auto}, {@code epoll}, {@code io_uring}, {@code nio}. */
    public static final Setting<String> TRANSPORT = SETTINGS.add(Setting.ofString("--transport", "NAME", "auto",
            "Network transport of the event loops: epoll, io_uring (Linux, native), nio (any JVM), or auto: "
                    + "epoll where it loads, else io_uring, else nio")
            .check(t -> List.of("auto", "epoll", "io_uring", "nio").contains(t),
                    "--transport must be auto, epoll, io_uring or nio"));

    /** Resolved: 0 is one per CPU core, at least 2, so the value read is the number of loops. */
    public static final Setting<Integer> EVENT_LOOPS = SETTINGS.add(Setting.ofInt("--event-loops", "N", 0,
            "Vert.x event loops; 0 means one per CPU core, at least 2")
            .check(n -> n >= 0 && n <= 256, "--event-loops must be 0 to 256")
            .resolvedBy(n -> n == 0 ? Math.max(2, Runtime.getRuntime().availableProcessors()) : n));

    public static final Setting<Long> HEARTBEAT_MS = SETTINGS.add(Setting.ofLong("--heartbeat-ms", "MS", 10_000,
            "A connection quiet this long gets a heartbeat")
            .check(ms -> ms >= 100, "--heartbeat-ms must be at least 100"));

    public static final Setting<Integer> MAX_SUBSCRIPTIONS = SETTINGS.add(Setting.ofInt("--max-subscriptions", "N",
            1_000, "Most topics and patterns per connection")
            .check(n -> n >= 1, "--max-subscriptions must be at least 1"));

    public static final Setting<Integer> MAX_REPLAYS = SETTINGS.add(Setting.ofInt("--max-replays", "N", 1,
            "Most time-window replays one connection runs at once (beyond: too_many_replays)")
            .check(n -> n >= 1 && n <= 100, "--max-replays must be 1 to 100"));

    public static final Setting<Integer> MAX_MESSAGE_BYTES = SETTINGS.add(Setting.ofInt("--max-message-bytes",
            "BYTES", 65_536, "Largest client message; larger is closed with 1009")
            .check(n -> n >= 256, "--max-message-bytes must be at least 256"));

    public static final Setting<Integer> MAX_FRAME_BYTES = SETTINGS.add(Setting.ofInt("--max-frame-bytes", "BYTES",
            65_536, "Target size of a server frame packing several messages")
            .check(n -> n >= 1024, "--max-frame-bytes must be at least 1024"));

    public static final Setting<Double> CLIENT_RATE = SETTINGS.add(Setting.ofDouble("--client-rate", "PER_SEC", 20,
            "Client messages per second per connection before rate_limited")
            .check(r -> r > 0, CLIENT_LIMITS));

    public static final Setting<Integer> CLIENT_BURST = SETTINGS.add(Setting.ofInt("--client-burst", "N", 40,
            "Client messages allowed at once above that rate")
            .check(n -> n >= 1, CLIENT_LIMITS));

    public static final Setting<Integer> RATE_LIMIT_STRIKES = SETTINGS.add(Setting.ofInt("--rate-limit-strikes", "N",
            20, "rate_limited answers within 10 s before the connection is closed with 1008")
            .check(n -> n >= 1, CLIENT_LIMITS));

    public static final Setting<Integer> MAX_BATCH = SETTINGS.add(Setting.ofInt("--max-batch", "N", 512,
            "Most messages the tailer hands to the event loops at once")
            .check(n -> n >= 1, BATCH_LIMITS));

    public static final Setting<Integer> MAX_INFLIGHT_BATCHES = SETTINGS.add(Setting.ofInt("--max-inflight-batches",
            "N", 2, "Batches an event loop may have queued before the tailer grows its next batch instead")
            .check(n -> n >= 1, BATCH_LIMITS));

    public static final Setting<Long> BATCH_LINGER_MS = SETTINGS.add(Setting.ofLong("--batch-linger-ms", "MS", 0,
            "How long the tailer may hold a batch open for more messages before handing it over: fewer, larger "
                    + "frames per connection for up to this much added latency; 0 hands over at once")
            .check(ms -> ms >= 0 && ms <= 1_000, "--batch-linger-ms must be between 0 and 1000"));

    public static final Setting<Integer> WRITE_QUEUE_BYTES = SETTINGS.add(Setting.ofInt("--write-queue-bytes",
            "BYTES", 262_144, "A socket's write queue size beyond which the connection counts as full and messages "
                    + "wait in its backlog")
            .check(n -> n >= 1024, BACKLOG_LIMITS));

    public static final Setting<Long> MAX_BACKLOG_BYTES = SETTINGS.add(Setting.ofLong("--max-backlog-bytes", "BYTES",
            1_048_576, "Backlog a connection may hold before the slow-consumer grace starts; four times this closes "
                    + "it at once")
            .check(n -> n >= 1024, BACKLOG_LIMITS));

    public static final Setting<Long> SLOW_CONSUMER_GRACE_MS = SETTINGS.add(Setting.ofLong("--slow-consumer-grace-ms",
            "MS", 5_000, "How long a backlog may stay over the limit before the connection is closed with 4001 slow "
                    + "consumer")
            .check(ms -> ms >= 0, BACKLOG_LIMITS));

    public static final Setting<Long> STALL_TIMEOUT_MS = SETTINGS.add(Setting.ofLong("--stall-timeout-ms", "MS",
            30_000, "How long a connection's socket may stay full, its reader taking nothing, before it is closed "
                    + "with 4001 slow consumer")
            .check(ms -> ms >= 100, "--stall-timeout-ms must be at least 100"));

    public static final Setting<List<String>> TRUSTED_PROXIES = SETTINGS.add(Setting.ofList("--trusted-proxies",
            "LIST", List.of("127.0.0.1", "::1"), "Addresses or CIDR ranges (comma-separated) whose X-Real-IP / "
                    + "X-Forwarded-For are believed as the client's address, in logs and limits; empty for none")
            .parsedBy(TrustedProxies::parse));

    /** Unset ({@code null}) turns auth off. */
    public static final Setting<Path> AUTH_SECRET_FILE = SETTINGS.add(Setting.ofPath("--auth-secret-file", "FILE",
            null, "Turns auth on: a WebSocket needs a token signed with the secret in FILE (HS256 JWT, see the "
                    + "token command), from Authorization: Bearer or ?token=. FILE must be readable by its owner "
                    + "only (chmod 600). Off when unset")
            .check(Files::isReadable, file -> "--auth-secret-file: cannot read " + file));

    /** Empty allows any origin. */
    public static final Setting<List<String>> ALLOWED_ORIGINS = SETTINGS.add(Setting.ofList("--allowed-origins",
            "LIST", List.of(), "Origins (comma-separated, e.g. https://example.com) browsers may open a WebSocket "
                    + "from; others get 403. Empty allows any; requests without Origin (not browsers) always pass"));

    public static final Setting<Integer> MAX_CONNECTIONS_PER_ADDRESS = SETTINGS.add(Setting.ofInt(
            "--max-connections-per-address", "N", 0, "Most open WebSocket connections per client address (after "
                    + "trusted proxies); more get 429. 0 for no limit")
            .check(n -> n >= 0, "--max-connections-per-address must be 0 (no limit) or more"));

    public static final Setting<Long> HANDSHAKE_TIMEOUT_MS = SETTINGS.add(Setting.ofLong("--handshake-timeout-ms",
            "MS", 10_000, "A new connection that has not sent its whole HTTP request (the WebSocket upgrade) within "
                    + "this long is closed")
            .check(ms -> ms >= 100, "--handshake-timeout-ms must be at least 100"));

    /** Longer than {@link #HEARTBEAT_MS} (checked when the command line is read). */
    public static final Setting<Long> IDLE_TIMEOUT_MS = SETTINGS.add(Setting.ofLong("--idle-timeout-ms", "MS",
            60_000, "The server pings a client that has been silent for a heartbeat interval; one that sends "
                    + "nothing, not even a pong, for this long is closed with 4002"));

    public static final Setting<Long> DRAIN_MS = SETTINGS.add(Setting.ofLong("--drain-ms", "MS", 5_000,
            "On SIGTERM or Ctrl-C: stop accepting, give open connections up to this long to receive what is "
                    + "waiting for them, then close them with 1001 (a connection that cannot take it is reset) and "
                    + "exit 0 within this time plus 1 s")
            .check(ms -> ms >= 0, STOP_TIMES));

    public static final Setting<Long> STALE_AFTER_MS = SETTINGS.add(Setting.ofLong("--stale-after-ms", "MS", 5_000,
            "/health/ready answers 503 \"feed stale\" while no message has arrived for this long; 0 never")
            .check(ms -> ms >= 0, STOP_TIMES));

    public static final Setting<Long> RESUME_AHEAD_WAIT_MS = SETTINGS.add(Setting.ofLong("--resume-ahead-wait-ms",
            "MS", 1_000, "A subscribe with 'from' beyond the newest seq this server holds waits up to this long for "
                    + "the feed to reach it (a server just behind another), then is answered resume_ahead")
            .check(ms -> ms >= 0 && ms <= 60_000, "--resume-ahead-wait-ms must be 0 to 60000"));

    public static final Setting<String> ROLL_CYCLE = SETTINGS.add(Setting.ofString("--roll-cycle", "NAME",
            "FAST_DAILY", "Roll cycle to create the queue with if it does not exist yet (an existing queue keeps "
                    + "its own; see simulate --help); an edge's replica must have its feed host's")
            .parsedBy(FeedQueue::rollCycle));

    /** {@code HOST:PORT}, or {@code null}: the queue is the origin, written by the simulator. */
    public static final Setting<String> UPSTREAM = SETTINGS.add(Setting.ofString("--upstream", "HOST:PORT", null,
            "Feed host (publish --listen) to replicate into --queue, which then holds a replica with the origin's "
                    + "seqs; unset: --queue is the origin")
            .check(u -> u == null || ReplicationSettings.isEndpoint(u), "--upstream must be HOST:PORT with a port 1 "
                    + "to 65534"));

    public static final Setting<String> ADVERTISE = SETTINGS.add(Setting.ofString("--advertise", "HOST", null,
            "With --upstream: the address the feed host sends this edge's catch-up to; unset: the local address "
                    + "that routes to the upstream"));

    public static final Setting<Path> AERON_DIR = SETTINGS.add(ReplicationSettings.AERON_DIR);

    public static final Setting<Double> AERON_IDLE_MS = SETTINGS.add(ReplicationSettings.AERON_IDLE_MS);

    /** An edge's replica files kept, the newest; 0 keeps all. The simulator's, for the queue an edge writes. */
    public static final Setting<Integer> RETAIN_CYCLES = SETTINGS.add(SimulatorConfig.RETAIN_CYCLES);

    static {
        SETTINGS.require(c -> c.get(IDLE_TIMEOUT_MS) > c.get(HEARTBEAT_MS),
                "--idle-timeout-ms must be longer than --heartbeat-ms");
        SETTINGS.require(c -> c.get(RETAIN_CYCLES) == 0 || c.get(UPSTREAM) != null,
                "--retain-cycles applies to an edge's replica (with --upstream); a plain server does not write its "
                        + "queue: give --retain-cycles to the simulator");
    }

    private ServerConfig(Map<Setting<?>, Object> values) {
        super(values);
    }

    /** Every setting at its default (environment variables are not read) but the queue directory. */
    public static ServerConfig defaults(Path queueDir) {
        return SETTINGS.defaults().with(QUEUE, queueDir);
    }

    @Override
    protected Settings<ServerConfig> settings() {
        return SETTINGS;
    }
}
