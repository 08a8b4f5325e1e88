package io.tickstream.config;

import java.nio.file.Path;

/**
 * Everything the server is started with. Immutable; built by the {@code server} command from
 * flags and environment variables (see {@link ServerOptions} for each one's name and default).
 *
 * @param queueDir           Chronicle Queue directory to tail
 * @param host               address to listen on
 * @param port               HTTP/WebSocket port; 0 picks a free one
 * @param fromStart          deliver from the queue's first message instead of its end
 * @param eventLoops         Vert.x event loops, each with its own share of the connections
 * @param heartbeatMs        a connection quiet this long gets a {@code heartbeat}
 * @param maxSubscriptions   most topics and patterns per connection
 * @param maxMessageBytes    largest client message (and frame); larger is closed with 1009
 * @param maxFrameBytes      target size of a server frame that packs several messages
 * @param clientRate         client messages per second allowed per connection
 * @param clientBurst        client messages allowed at once above that rate
 * @param rateLimitStrikes   consecutive rate-limited messages before the connection is closed 1008
 * @param maxBatch           most messages the tailer hands over at once
 * @param maxInFlightBatches batches an event loop may have queued before the tailer waits
 * @param writeQueueBytes    a socket's write queue size before the connection counts as full
 * @param maxBacklogBytes    bytes a connection may have waiting beyond its socket before the grace starts
 * @param slowConsumerGraceMs how long a backlog may stay over the limit before closing with 4001
 * @param rollCycle          roll cycle to create the queue with if it does not exist yet
 * @param stallTimeoutMs     how long a socket may stay full (its reader taking nothing) before closing with 4001
 * @param trustedProxies     addresses and CIDR ranges whose X-Real-IP / X-Forwarded-For are believed
 */
public record ServerConfig(Path queueDir, String host, int port, boolean fromStart, int eventLoops, long heartbeatMs,
                           int maxSubscriptions, int maxMessageBytes, int maxFrameBytes, double clientRate,
                           int clientBurst, int rateLimitStrikes, int maxBatch, int maxInFlightBatches,
                           int writeQueueBytes, long maxBacklogBytes, long slowConsumerGraceMs, String rollCycle,
                           long stallTimeoutMs, java.util.List<String> trustedProxies) {

    /** Defaults for everything but the queue directory, as the CLI has them. */
    public static ServerConfig defaults(Path queueDir) {
        return new ServerConfig(queueDir, "0.0.0.0", 8080, false, 2, 10_000, 1_000, 65_536, 65_536, 20, 40, 20, 512,
                2, 262_144, 1_048_576, 5_000, "FAST_DAILY", 30_000,
                java.util.List.of("127.0.0.1", "::1"));
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(queueDir, host, newPort, fromStart, eventLoops, heartbeatMs, maxSubscriptions,
                maxMessageBytes, maxFrameBytes, clientRate, clientBurst, rateLimitStrikes, maxBatch,
                maxInFlightBatches, writeQueueBytes, maxBacklogBytes, slowConsumerGraceMs, rollCycle, stallTimeoutMs, trustedProxies);
    }

    public ServerConfig withFromStart(boolean newFromStart) {
        return new ServerConfig(queueDir, host, port, newFromStart, eventLoops, heartbeatMs, maxSubscriptions,
                maxMessageBytes, maxFrameBytes, clientRate, clientBurst, rateLimitStrikes, maxBatch,
                maxInFlightBatches, writeQueueBytes, maxBacklogBytes, slowConsumerGraceMs, rollCycle, stallTimeoutMs, trustedProxies);
    }

    /** The same with other backpressure settings. */
    public ServerConfig withBackpressure(int newWriteQueueBytes, long newMaxBacklogBytes, long newGraceMs) {
        return new ServerConfig(queueDir, host, port, fromStart, eventLoops, heartbeatMs, maxSubscriptions,
                maxMessageBytes, maxFrameBytes, clientRate, clientBurst, rateLimitStrikes, maxBatch,
                maxInFlightBatches, newWriteQueueBytes, newMaxBacklogBytes, newGraceMs, rollCycle, stallTimeoutMs, trustedProxies);
    }

    public ServerConfig withStallTimeoutMs(long newStallTimeoutMs) {
        return new ServerConfig(queueDir, host, port, fromStart, eventLoops, heartbeatMs, maxSubscriptions,
                maxMessageBytes, maxFrameBytes, clientRate, clientBurst, rateLimitStrikes, maxBatch,
                maxInFlightBatches, writeQueueBytes, maxBacklogBytes, slowConsumerGraceMs, rollCycle, newStallTimeoutMs,
                trustedProxies);
    }

    public ServerConfig withRollCycle(String newRollCycle) {
        return new ServerConfig(queueDir, host, port, fromStart, eventLoops, heartbeatMs, maxSubscriptions,
                maxMessageBytes, maxFrameBytes, clientRate, clientBurst, rateLimitStrikes, maxBatch,
                maxInFlightBatches, writeQueueBytes, maxBacklogBytes, slowConsumerGraceMs, newRollCycle, stallTimeoutMs, trustedProxies);
    }

    public ServerConfig withHeartbeatMs(long newHeartbeatMs) {
        return new ServerConfig(queueDir, host, port, fromStart, eventLoops, newHeartbeatMs, maxSubscriptions,
                maxMessageBytes, maxFrameBytes, clientRate, clientBurst, rateLimitStrikes, maxBatch,
                maxInFlightBatches, writeQueueBytes, maxBacklogBytes, slowConsumerGraceMs, rollCycle, stallTimeoutMs, trustedProxies);
    }
}
