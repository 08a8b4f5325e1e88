package io.tickstream.config;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code server} command's flags. Each flag's environment variable and default stand beside
 * it; a flag given on the command line wins over its variable.
 */
public final class ServerOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--queue", paramLabel = "DIR", defaultValue = "${env:TICKSTREAM_QUEUE:-data/queue}",
            description = "Chronicle Queue directory to tail (env TICKSTREAM_QUEUE, default ${DEFAULT-VALUE}).")
    Path queue;

    @Option(names = "--host", defaultValue = "${env:TICKSTREAM_HOST:-0.0.0.0}",
            description = "Address to listen on (env TICKSTREAM_HOST, default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", paramLabel = "P", defaultValue = "${env:TICKSTREAM_PORT:-8080}",
            description = "HTTP and WebSocket port; 0 picks a free one (env TICKSTREAM_PORT, default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--from-start", defaultValue = "${env:TICKSTREAM_FROM_START:-false}",
            description = "Deliver from the first message in the queue instead of its end "
                    + "(env TICKSTREAM_FROM_START, default ${DEFAULT-VALUE}).")
    boolean fromStart;

    @Option(names = "--event-loops", paramLabel = "N", defaultValue = "${env:TICKSTREAM_EVENT_LOOPS:-0}",
            description = "Vert.x event loops; 0 means one per CPU core, at least 2 (env TICKSTREAM_EVENT_LOOPS, default ${DEFAULT-VALUE}).")
    int eventLoops;

    @Option(names = "--heartbeat-ms", paramLabel = "MS", defaultValue = "${env:TICKSTREAM_HEARTBEAT_MS:-10000}",
            description = "A connection quiet this long gets a heartbeat (env TICKSTREAM_HEARTBEAT_MS, default ${DEFAULT-VALUE}).")
    long heartbeatMs;

    @Option(names = "--max-subscriptions", paramLabel = "N",
            defaultValue = "${env:TICKSTREAM_MAX_SUBSCRIPTIONS:-1000}",
            description = "Most topics and patterns per connection (env TICKSTREAM_MAX_SUBSCRIPTIONS, default ${DEFAULT-VALUE}).")
    int maxSubscriptions;

    @Option(names = "--max-message-bytes", paramLabel = "BYTES",
            defaultValue = "${env:TICKSTREAM_MAX_MESSAGE_BYTES:-65536}",
            description = "Largest client message; larger is closed with 1009 "
                    + "(env TICKSTREAM_MAX_MESSAGE_BYTES, default ${DEFAULT-VALUE}).")
    int maxMessageBytes;

    @Option(names = "--max-frame-bytes", paramLabel = "BYTES",
            defaultValue = "${env:TICKSTREAM_MAX_FRAME_BYTES:-65536}",
            description = "Target size of a server frame packing several messages "
                    + "(env TICKSTREAM_MAX_FRAME_BYTES, default ${DEFAULT-VALUE}).")
    int maxFrameBytes;

    @Option(names = "--client-rate", paramLabel = "PER_SEC", defaultValue = "${env:TICKSTREAM_CLIENT_RATE:-20}",
            description = "Client messages per second per connection before rate_limited "
                    + "(env TICKSTREAM_CLIENT_RATE, default ${DEFAULT-VALUE}).")
    double clientRate;

    @Option(names = "--client-burst", paramLabel = "N", defaultValue = "${env:TICKSTREAM_CLIENT_BURST:-40}",
            description = "Client messages allowed at once above that rate (env TICKSTREAM_CLIENT_BURST, default ${DEFAULT-VALUE}).")
    int clientBurst;

    @Option(names = "--rate-limit-strikes", paramLabel = "N",
            defaultValue = "${env:TICKSTREAM_RATE_LIMIT_STRIKES:-20}",
            description = "rate_limited answers within 10 s before the connection is closed with 1008 "
                    + "(env TICKSTREAM_RATE_LIMIT_STRIKES, default ${DEFAULT-VALUE}).")
    int rateLimitStrikes;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "${env:TICKSTREAM_MAX_BATCH:-512}",
            description = "Most messages the tailer hands to the event loops at once "
                    + "(env TICKSTREAM_MAX_BATCH, default ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-inflight-batches", paramLabel = "N",
            defaultValue = "${env:TICKSTREAM_MAX_INFLIGHT_BATCHES:-2}",
            description = "Batches an event loop may have queued before the tailer grows its next batch instead "
                    + "(env TICKSTREAM_MAX_INFLIGHT_BATCHES, default ${DEFAULT-VALUE}).")
    int maxInFlightBatches;

    @Option(names = "--batch-linger-ms", paramLabel = "MS", defaultValue = "${env:TICKSTREAM_BATCH_LINGER_MS:-0}",
            description = "How long the tailer may hold a batch open for more messages before handing it over: "
                    + "fewer, larger frames per connection for up to this much added latency; 0 hands over at once "
                    + "(env TICKSTREAM_BATCH_LINGER_MS, default ${DEFAULT-VALUE}).")
    long batchLingerMs;

    @Option(names = "--write-queue-bytes", paramLabel = "BYTES",
            defaultValue = "${env:TICKSTREAM_WRITE_QUEUE_BYTES:-262144}",
            description = "A socket's write queue size beyond which the connection counts as full and messages "
                    + "wait in its backlog (env TICKSTREAM_WRITE_QUEUE_BYTES, default ${DEFAULT-VALUE}).")
    int writeQueueBytes;

    @Option(names = "--max-backlog-bytes", paramLabel = "BYTES",
            defaultValue = "${env:TICKSTREAM_MAX_BACKLOG_BYTES:-1048576}",
            description = "Backlog a connection may hold before the slow-consumer grace starts; four times "
                    + "this closes it at once (env TICKSTREAM_MAX_BACKLOG_BYTES, default ${DEFAULT-VALUE}).")
    long maxBacklogBytes;

    @Option(names = "--slow-consumer-grace-ms", paramLabel = "MS",
            defaultValue = "${env:TICKSTREAM_SLOW_CONSUMER_GRACE_MS:-5000}",
            description = "How long a backlog may stay over the limit before the connection is closed with "
                    + "4001 slow consumer (env TICKSTREAM_SLOW_CONSUMER_GRACE_MS, default ${DEFAULT-VALUE}).")
    long slowConsumerGraceMs;

    @Option(names = "--stall-timeout-ms", paramLabel = "MS",
            defaultValue = "${env:TICKSTREAM_STALL_TIMEOUT_MS:-30000}",
            description = "How long a connection's socket may stay full, its reader taking nothing, before it is "
                    + "closed with 4001 slow consumer (env TICKSTREAM_STALL_TIMEOUT_MS, default ${DEFAULT-VALUE}).")
    long stallTimeoutMs;

    @Option(names = "--trusted-proxies", paramLabel = "LIST", split = ",",
            defaultValue = "${env:TICKSTREAM_TRUSTED_PROXIES:-127.0.0.1,::1}",
            description = "Addresses or CIDR ranges (comma-separated) whose X-Real-IP / X-Forwarded-For are believed "
                    + "as the client's address, in logs and limits; empty for none "
                    + "(env TICKSTREAM_TRUSTED_PROXIES, default ${DEFAULT-VALUE}).")
    java.util.List<String> trustedProxies;

    @Option(names = "--auth-secret-file", paramLabel = "FILE", defaultValue = "${env:TICKSTREAM_AUTH_SECRET_FILE}",
            description = "Turns auth on: a WebSocket needs a token signed with the secret in FILE (HS256 JWT, "
                    + "see the token command), from Authorization: Bearer or ?token=. FILE must be readable by its "
                    + "owner only (chmod 600). Off when unset "
                    + "(env TICKSTREAM_AUTH_SECRET_FILE).")
    Path authSecretFile;

    @Option(names = "--allowed-origins", paramLabel = "LIST", split = ",",
            defaultValue = "${env:TICKSTREAM_ALLOWED_ORIGINS:-}",
            description = "Origins (comma-separated, e.g. https://example.com) browsers may open a WebSocket from; "
                    + "others get 403. Empty allows any; requests without Origin (not browsers) always pass "
                    + "(env TICKSTREAM_ALLOWED_ORIGINS, default none).")
    java.util.List<String> allowedOrigins;

    @Option(names = "--max-connections-per-address", paramLabel = "N",
            defaultValue = "${env:TICKSTREAM_MAX_CONNECTIONS_PER_ADDRESS:-0}",
            description = "Most open WebSocket connections per client address (after trusted proxies); more get "
                    + "429. 0 for no limit (env TICKSTREAM_MAX_CONNECTIONS_PER_ADDRESS, default ${DEFAULT-VALUE}).")
    int maxConnectionsPerAddress;

    @Option(names = "--handshake-timeout-ms", paramLabel = "MS",
            defaultValue = "${env:TICKSTREAM_HANDSHAKE_TIMEOUT_MS:-10000}",
            description = "A new connection that has not sent its whole HTTP request (the WebSocket upgrade) within "
                    + "this long is closed (env TICKSTREAM_HANDSHAKE_TIMEOUT_MS, default ${DEFAULT-VALUE}).")
    long handshakeTimeoutMs;

    @Option(names = "--idle-timeout-ms", paramLabel = "MS", defaultValue = "${env:TICKSTREAM_IDLE_TIMEOUT_MS:-60000}",
            description = "The server pings a client that has been silent for a heartbeat interval; one that sends "
                    + "nothing, not even a pong, for this long is closed with 4002 "
                    + "(env TICKSTREAM_IDLE_TIMEOUT_MS, default ${DEFAULT-VALUE}).")
    long idleTimeoutMs;

    @Option(names = "--drain-ms", paramLabel = "MS", defaultValue = "${env:TICKSTREAM_DRAIN_MS:-5000}",
            description = "On SIGTERM or Ctrl-C: stop accepting, give open connections up to this long to receive "
                    + "what is waiting for them, then close them with 1001 (a connection that cannot take it is "
                    + "reset) and exit 0 within this time plus 1 s "
                    + "(env TICKSTREAM_DRAIN_MS, default ${DEFAULT-VALUE}).")
    long drainMs;

    @Option(names = "--stale-after-ms", paramLabel = "MS", defaultValue = "${env:TICKSTREAM_STALE_AFTER_MS:-5000}",
            description = "/health/ready answers 503 \"feed stale\" while no message has arrived for this long; "
                    + "0 never (env TICKSTREAM_STALE_AFTER_MS, default ${DEFAULT-VALUE}).")
    long staleAfterMs;

    @Option(names = "--resume-ahead-wait-ms", paramLabel = "MS",
            defaultValue = "${env:TICKSTREAM_RESUME_AHEAD_WAIT_MS:-1000}",
            description = "A subscribe with 'from' beyond the newest seq this server holds waits up to this long for "
                    + "the feed to reach it (a server just behind another), then is answered resume_ahead "
                    + "(env TICKSTREAM_RESUME_AHEAD_WAIT_MS, default ${DEFAULT-VALUE}).")
    long resumeAheadWaitMs;

    @Option(names = "--roll-cycle", paramLabel = "NAME", defaultValue = "${env:TICKSTREAM_ROLL_CYCLE:-FAST_DAILY}",
            description = "Roll cycle to create the queue with if it does not exist yet (an existing queue keeps "
                    + "its own; see simulate --help) (env TICKSTREAM_ROLL_CYCLE, default ${DEFAULT-VALUE}).")
    String rollCycle;

    /** The validated, immutable configuration. */
    public ServerConfig toConfig() {
        require(port >= 0 && port <= 65535, "--port must be 0 to 65535");
        require(eventLoops >= 0 && eventLoops <= 256, "--event-loops must be 0 to 256");
        require(heartbeatMs >= 100, "--heartbeat-ms must be at least 100");
        require(maxSubscriptions >= 1, "--max-subscriptions must be at least 1");
        require(maxMessageBytes >= 256, "--max-message-bytes must be at least 256");
        require(maxFrameBytes >= 1024, "--max-frame-bytes must be at least 1024");
        require(clientRate > 0 && clientBurst >= 1 && rateLimitStrikes >= 1,
                "--client-rate, --client-burst and --rate-limit-strikes must be positive");
        require(maxBatch >= 1 && maxInFlightBatches >= 1, "--max-batch and --max-inflight-batches must be positive");
        require(writeQueueBytes >= 1024 && maxBacklogBytes >= 1024 && slowConsumerGraceMs >= 0,
                "--write-queue-bytes and --max-backlog-bytes must be at least 1024, --slow-consumer-grace-ms not negative");
        try {
            io.tickstream.feed.FeedQueue.rollCycle(rollCycle);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--roll-cycle: " + e.getMessage());
        }
        try {
            io.tickstream.http.TrustedProxies.parse(trustedProxies == null ? java.util.List.of() : trustedProxies);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--trusted-proxies: " + e.getMessage());
        }
        require(stallTimeoutMs >= 100, "--stall-timeout-ms must be at least 100");
        require(maxConnectionsPerAddress >= 0, "--max-connections-per-address must be 0 (no limit) or more");
        require(handshakeTimeoutMs >= 100, "--handshake-timeout-ms must be at least 100");
        require(drainMs >= 0 && staleAfterMs >= 0, "--drain-ms and --stale-after-ms must be 0 or more");
        require(resumeAheadWaitMs >= 0 && resumeAheadWaitMs <= 60_000, "--resume-ahead-wait-ms must be 0 to 60000");
        require(idleTimeoutMs > heartbeatMs, "--idle-timeout-ms must be longer than --heartbeat-ms");
        if (authSecretFile != null && !java.nio.file.Files.isReadable(authSecretFile)) {
            throw new ParameterException(spec.commandLine(), "--auth-secret-file: cannot read " + authSecretFile);
        }
        int loops = eventLoops == 0 ? Math.max(2, Runtime.getRuntime().availableProcessors()) : eventLoops;
        require(batchLingerMs >= 0 && batchLingerMs <= 1_000, "--batch-linger-ms must be between 0 and 1000");
        return ServerConfig.builder(queue).host(host).port(port).fromStart(fromStart).eventLoops(loops)
                .heartbeatMs(heartbeatMs).maxSubscriptions(maxSubscriptions).maxMessageBytes(maxMessageBytes)
                .maxFrameBytes(maxFrameBytes).clientRate(clientRate).clientBurst(clientBurst)
                .rateLimitStrikes(rateLimitStrikes).maxBatch(maxBatch).maxInFlightBatches(maxInFlightBatches)
                .batchLingerMs(batchLingerMs).writeQueueBytes(writeQueueBytes).maxBacklogBytes(maxBacklogBytes)
                .slowConsumerGraceMs(slowConsumerGraceMs).rollCycle(rollCycle).stallTimeoutMs(stallTimeoutMs)
                .trustedProxies(trustedProxies == null ? java.util.List.of() : trustedProxies)
                .authSecretFile(authSecretFile)
                .allowedOrigins(allowedOrigins == null ? java.util.List.of()
                        : allowedOrigins.stream().map(String::trim).filter(o -> !o.isEmpty()).toList())
                .maxConnectionsPerAddress(maxConnectionsPerAddress).handshakeTimeoutMs(handshakeTimeoutMs)
                .idleTimeoutMs(idleTimeoutMs).drainMs(drainMs).staleAfterMs(staleAfterMs)
                .resumeAheadWaitMs(resumeAheadWaitMs).build();
    }

    private void require(boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }
}
