package io.tickstream.session;

import static io.tickstream.config.ServerConfig.CLIENT_BURST;
import static io.tickstream.config.ServerConfig.CLIENT_RATE;
import static io.tickstream.config.ServerConfig.RATE_LIMIT_STRIKES;

import io.tickstream.config.ServerConfig;

/**
 * The rate of a client's messages: a token bucket of {@code burst} tokens refilled at
 * {@code messagesPerSec}; a message without a token is refused ({@code rate_limited}), and
 * {@code maxStrikes} refusals within a 10-second window close the connection.
 *
 * <p>Threading: owned by the connection's event loop; not thread-safe.
 */
final class ClientRateLimiter {

    /** What to do with one client message. */
    enum Verdict {
        /** Within the rate: handle it. */
        ALLOW,
        /** Over the rate: answer {@code rate_limited} and drop it. */
        REFUSE,
        /** Over the rate once too often: close the connection with {@code 1008}. */
        CLOSE
    }

    /** Refusals are counted over this window: enough of them in it closes the connection. */
    static final long STRIKE_WINDOW_NANOS = 10_000_000_000L;

    private final double messagesPerSec;
    private final int burst;
    private final int maxStrikes;
    private double tokens;
    private long tokensAtNanos;
    private int strikes;
    private long strikesSinceNanos;

    /**
     * @param messagesPerSec sustained messages per second
     * @param burst          messages allowed at once above the sustained rate (the bucket starts full)
     * @param maxStrikes     refusals within the window after which the connection is closed
     * @param nowNanos       the time now, on the {@link System#nanoTime()} scale
     */
    ClientRateLimiter(double messagesPerSec, int burst, int maxStrikes, long nowNanos) {
        this.messagesPerSec = messagesPerSec;
        this.burst = burst;
        this.maxStrikes = maxStrikes;
        this.tokens = burst;
        this.tokensAtNanos = nowNanos;
        this.strikesSinceNanos = nowNanos;
    }

    /** The limiter of a new connection, as the server's settings say, its bucket full at {@code nowNanos}. */
    static ClientRateLimiter of(ServerConfig config, long nowNanos) {
        return new ClientRateLimiter(config.get(CLIENT_RATE), config.get(CLIENT_BURST), config.get(RATE_LIMIT_STRIKES),
                nowNanos);
    }

    /** The text of the {@code rate_limited} error that answers a {@link Verdict#REFUSE}d message. */
    String refusal() {
        return "more than " + (long) messagesPerSec + " messages per second; slow down or be disconnected";
    }

    /** A client message arrived at {@code nowNanos} ({@link System#nanoTime()} scale). */
    Verdict onMessage(long nowNanos) {
        tokens = Math.min(burst, tokens + (nowNanos - tokensAtNanos) / 1e9 * messagesPerSec);
        tokensAtNanos = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.ALLOW;
        }
        if (nowNanos - strikesSinceNanos > STRIKE_WINDOW_NANOS) {
            strikes = 0;
            strikesSinceNanos = nowNanos;
        }
        return ++strikes >= maxStrikes ? Verdict.CLOSE : Verdict.REFUSE;
    }
}
