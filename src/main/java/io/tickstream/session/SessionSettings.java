package io.tickstream.session;

import io.tickstream.config.ServerConfig;

/**
 * Limits and timings every session of a server shares: the session's view of {@link ServerConfig},
 * made from it by {@link #from(ServerConfig)} only.
 *
 * @param heartbeatMs          a connection quiet this long gets a {@code heartbeat}
 * @param maxSubscriptions     most topics and patterns one connection may hold
 * @param maxFrameBytes        a batch of messages for one connection is split into frames of about this size
 * @param clientMessagesPerSec sustained client messages per second before {@code rate_limited}
 * @param clientBurst          client messages allowed at once above the sustained rate
 * @param rateLimitStrikes     consecutive {@code rate_limited} answers after which the connection is
 *                             closed with 1008
 * @param maxBacklogBytes      bytes a connection may have waiting beyond its socket before the grace
 *                             period starts (four times this closes it at once)
 * @param slowConsumerGraceMs  how long the backlog may stay over the limit before the connection is
 *                             closed with 4001
 * @param stallTimeoutMs       how long the socket may stay full (nothing read) before closing with 4001
 * @param idleTimeoutMs        a client that sends nothing, not even a pong, for this long is closed with 4002
 * @param resumeAheadWaitMs    how long a resume from a seq beyond the shard's position waits for the feed
 *                             before {@code resume_ahead}
 */
public record SessionSettings(long heartbeatMs, int maxSubscriptions, int maxFrameBytes, double clientMessagesPerSec,
                              int clientBurst, int rateLimitStrikes, long maxBacklogBytes, long slowConsumerGraceMs,
                              long stallTimeoutMs, long idleTimeoutMs, long resumeAheadWaitMs) {

    /** The settings of {@code config} that sessions read. */
    public static SessionSettings from(ServerConfig config) {
        return new SessionSettings(config.get(ServerConfig.HEARTBEAT_MS), config.get(ServerConfig.MAX_SUBSCRIPTIONS),
                config.get(ServerConfig.MAX_FRAME_BYTES), config.get(ServerConfig.CLIENT_RATE),
                config.get(ServerConfig.CLIENT_BURST), config.get(ServerConfig.RATE_LIMIT_STRIKES),
                config.get(ServerConfig.MAX_BACKLOG_BYTES), config.get(ServerConfig.SLOW_CONSUMER_GRACE_MS),
                config.get(ServerConfig.STALL_TIMEOUT_MS), config.get(ServerConfig.IDLE_TIMEOUT_MS),
                config.get(ServerConfig.RESUME_AHEAD_WAIT_MS));
    }
}
