package io.tickstream.session;

/**
 * Limits and timings every session of a server shares.
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
}
