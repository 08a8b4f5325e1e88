package io.tickstream.config;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything the server is started with. Immutable; built by the {@code server} command from
 * flags and environment variables (see {@link ServerOptions} for each one's name and default),
 * or by {@link #builder(Path)} with the same defaults.
 *
 * @param queueDir            Chronicle Queue directory to tail
 * @param host                address to listen on
 * @param port                HTTP/WebSocket port; 0 picks a free one
 * @param fromStart           deliver from the queue's first message instead of its end
 * @param eventLoops          Vert.x event loops, each with its own share of the connections
 * @param heartbeatMs         a connection quiet this long gets a {@code heartbeat}
 * @param maxSubscriptions    most topics and patterns per connection
 * @param maxMessageBytes     largest client message (and frame); larger is closed with 1009
 * @param maxFrameBytes       target size of a server frame that packs several messages
 * @param clientRate          client messages per second allowed per connection
 * @param clientBurst         client messages allowed at once above that rate
 * @param rateLimitStrikes    rate-limited messages (within 10 s) before the connection is closed 1008
 * @param maxBatch            most messages the tailer hands over at once
 * @param maxInFlightBatches  batches an event loop may have queued before the tailer waits
 * @param batchLingerMs       how long the tailer may hold a batch open for more messages (0: hand over at once)
 * @param writeQueueBytes     a socket's write queue size before the connection counts as full
 * @param maxBacklogBytes     bytes a connection may have waiting beyond its socket before the grace starts
 * @param slowConsumerGraceMs how long a backlog may stay over the limit before closing with 4001
 * @param rollCycle           roll cycle to create the queue with if it does not exist yet
 * @param stallTimeoutMs      how long a socket may stay full (its reader taking nothing) before closing with 4001
 * @param trustedProxies      addresses and CIDR ranges whose X-Real-IP / X-Forwarded-For are believed
 * @param authSecretFile      file with the HS256 secret that signs access tokens; {@code null} turns auth off
 * @param allowedOrigins      origins browsers may connect from; empty allows any
 * @param maxConnectionsPerAddress most open WebSocket connections per client address; 0 for no limit
 * @param handshakeTimeoutMs  how long a new connection may take to send its HTTP request before it is closed
 * @param idleTimeoutMs       a connection whose client sent nothing (not even a pong) for this long is
 *                            closed with 4002
 * @param drainMs             on SIGTERM, how long open connections get to receive what they are owed
 *                            before they are closed with 1001
 * @param staleAfterMs        the server is not ready while no message has arrived for this long (0: never)
 * @param resumeAheadWaitMs   how long a resume from a seq beyond the newest this server holds waits for the
 *                            feed to reach it before it is answered {@code resume_ahead}
 */
public record ServerConfig(Path queueDir, String host, int port, boolean fromStart, int eventLoops,
                           long heartbeatMs, int maxSubscriptions, int maxMessageBytes, int maxFrameBytes,
                           double clientRate, int clientBurst, int rateLimitStrikes, int maxBatch,
                           int maxInFlightBatches, long batchLingerMs, int writeQueueBytes, long maxBacklogBytes,
                           long slowConsumerGraceMs, String rollCycle, long stallTimeoutMs,
                           List<String> trustedProxies, Path authSecretFile, List<String> allowedOrigins,
                           int maxConnectionsPerAddress, long handshakeTimeoutMs, long idleTimeoutMs,
                           long drainMs, long staleAfterMs, long resumeAheadWaitMs) {

    public ServerConfig {
        trustedProxies = List.copyOf(trustedProxies);
        allowedOrigins = List.copyOf(allowedOrigins);
    }

    /** Defaults for everything but the queue directory, as the CLI has them. */
    public static ServerConfig defaults(Path queueDir) {
        return builder(queueDir).build();
    }

    /** A builder with the defaults, for {@code queueDir}. */
    public static Builder builder(Path queueDir) {
        return new Builder().queueDir(queueDir);
    }

    /** A builder holding this configuration, to change a few settings of it. */
    public Builder toBuilder() {
        return new Builder()
                .queueDir(queueDir)
                .host(host)
                .port(port)
                .fromStart(fromStart)
                .eventLoops(eventLoops)
                .heartbeatMs(heartbeatMs)
                .maxSubscriptions(maxSubscriptions)
                .maxMessageBytes(maxMessageBytes)
                .maxFrameBytes(maxFrameBytes)
                .clientRate(clientRate)
                .clientBurst(clientBurst)
                .rateLimitStrikes(rateLimitStrikes)
                .maxBatch(maxBatch)
                .maxInFlightBatches(maxInFlightBatches)
                .batchLingerMs(batchLingerMs)
                .writeQueueBytes(writeQueueBytes)
                .maxBacklogBytes(maxBacklogBytes)
                .slowConsumerGraceMs(slowConsumerGraceMs)
                .rollCycle(rollCycle)
                .stallTimeoutMs(stallTimeoutMs)
                .trustedProxies(trustedProxies)
                .authSecretFile(authSecretFile)
                .allowedOrigins(allowedOrigins)
                .maxConnectionsPerAddress(maxConnectionsPerAddress)
                .handshakeTimeoutMs(handshakeTimeoutMs)
                .idleTimeoutMs(idleTimeoutMs)
                .drainMs(drainMs)
                .staleAfterMs(staleAfterMs)
                .resumeAheadWaitMs(resumeAheadWaitMs);
    }

    /** Builds a {@link ServerConfig}; starts from the defaults. Not thread-safe. */
    public static final class Builder {
        private Path queueDir;
        private String host = "0.0.0.0";
        private int port = 8080;
        private boolean fromStart = false;
        private int eventLoops = 2;
        private long heartbeatMs = 10_000;
        private int maxSubscriptions = 1_000;
        private int maxMessageBytes = 65_536;
        private int maxFrameBytes = 65_536;
        private double clientRate = 20;
        private int clientBurst = 40;
        private int rateLimitStrikes = 20;
        private int maxBatch = 512;
        private int maxInFlightBatches = 2;
        private long batchLingerMs = 0;
        private int writeQueueBytes = 262_144;
        private long maxBacklogBytes = 1_048_576;
        private long slowConsumerGraceMs = 5_000;
        private String rollCycle = "FAST_DAILY";
        private long stallTimeoutMs = 30_000;
        private List<String> trustedProxies = List.of("127.0.0.1", "::1");

        private Path authSecretFile;
        private List<String> allowedOrigins = List.of();
        private int maxConnectionsPerAddress = 0;
        private long handshakeTimeoutMs = 10_000;
        private long idleTimeoutMs = 60_000;

        private long drainMs = 5_000;
        private long staleAfterMs = 5_000;
        private long resumeAheadWaitMs = 1_000;

        private Builder() {
        }

        public Builder queueDir(Path value) {
            this.queueDir = value;
            return this;
        }

        public Builder host(String value) {
            this.host = value;
            return this;
        }

        public Builder port(int value) {
            this.port = value;
            return this;
        }

        public Builder fromStart(boolean value) {
            this.fromStart = value;
            return this;
        }

        public Builder eventLoops(int value) {
            this.eventLoops = value;
            return this;
        }

        public Builder heartbeatMs(long value) {
            this.heartbeatMs = value;
            return this;
        }

        public Builder maxSubscriptions(int value) {
            this.maxSubscriptions = value;
            return this;
        }

        public Builder maxMessageBytes(int value) {
            this.maxMessageBytes = value;
            return this;
        }

        public Builder maxFrameBytes(int value) {
            this.maxFrameBytes = value;
            return this;
        }

        public Builder clientRate(double value) {
            this.clientRate = value;
            return this;
        }

        public Builder clientBurst(int value) {
            this.clientBurst = value;
            return this;
        }

        public Builder rateLimitStrikes(int value) {
            this.rateLimitStrikes = value;
            return this;
        }

        public Builder maxBatch(int value) {
            this.maxBatch = value;
            return this;
        }

        public Builder maxInFlightBatches(int value) {
            this.maxInFlightBatches = value;
            return this;
        }

        public Builder batchLingerMs(long value) {
            this.batchLingerMs = value;
            return this;
        }

        public Builder writeQueueBytes(int value) {
            this.writeQueueBytes = value;
            return this;
        }

        public Builder maxBacklogBytes(long value) {
            this.maxBacklogBytes = value;
            return this;
        }

        public Builder slowConsumerGraceMs(long value) {
            this.slowConsumerGraceMs = value;
            return this;
        }

        public Builder rollCycle(String value) {
            this.rollCycle = value;
            return this;
        }

        public Builder stallTimeoutMs(long value) {
            this.stallTimeoutMs = value;
            return this;
        }

        public Builder trustedProxies(List<String> value) {
            this.trustedProxies = value;
            return this;
        }

        public Builder authSecretFile(Path value) {
            this.authSecretFile = value;
            return this;
        }

        public Builder allowedOrigins(List<String> value) {
            this.allowedOrigins = value;
            return this;
        }

        public Builder maxConnectionsPerAddress(int value) {
            this.maxConnectionsPerAddress = value;
            return this;
        }

        public Builder handshakeTimeoutMs(long value) {
            this.handshakeTimeoutMs = value;
            return this;
        }

        public Builder idleTimeoutMs(long value) {
            this.idleTimeoutMs = value;
            return this;
        }

        public Builder drainMs(long value) {
            this.drainMs = value;
            return this;
        }

        public Builder staleAfterMs(long value) {
            this.staleAfterMs = value;
            return this;
        }

        public Builder resumeAheadWaitMs(long value) {
            this.resumeAheadWaitMs = value;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(queueDir, host, port, fromStart, eventLoops, heartbeatMs, maxSubscriptions, maxMessageBytes,
                    maxFrameBytes, clientRate, clientBurst, rateLimitStrikes, maxBatch, maxInFlightBatches,
                    batchLingerMs, writeQueueBytes, maxBacklogBytes, slowConsumerGraceMs, rollCycle, stallTimeoutMs,
                    trustedProxies, authSecretFile, allowedOrigins, maxConnectionsPerAddress, handshakeTimeoutMs,
                    idleTimeoutMs, drainMs, staleAfterMs, resumeAheadWaitMs);
        }
    }
}
