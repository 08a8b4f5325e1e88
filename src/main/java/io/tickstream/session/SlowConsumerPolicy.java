package io.tickstream.session;

import io.tickstream.session.Outbox.Outcome;

/**
 * When a connection that cannot keep up is a slow consumer ({@link Outcome#SLOW_CONSUMER}, which
 * the caller closes with {@code 4001}): a backlog over {@code maxBacklogBytes} for longer than the
 * grace period, a backlog over {@value #HARD_LIMIT_FACTOR} times that at any moment, or a socket
 * that stays full (its reader takes nothing) for longer than the stall timeout.
 *
 * <p>It holds only when those periods began; the caller passes in the backlog's size, the socket's
 * state and the time ({@link System#nanoTime()} units), so it is tested without sleeping.
 *
 * <p>Threading: owned by the connection's event loop; not thread-safe.
 */
final class SlowConsumerPolicy {

    /** A backlog over this many times {@code maxBacklogBytes} is a slow consumer at once. */
    static final int HARD_LIMIT_FACTOR = 4;

    private static final long NEVER = -1;

    private final long maxBacklogBytes;
    private final long graceNanos;
    private final long stallNanos;
    /** Since when the backlog has been over {@link #maxBacklogBytes}, or {@link #NEVER}. */
    private long overLimitSince = NEVER;
    /** Since when the socket has been full, as seen by {@link #check}, or {@link #NEVER}. */
    private long fullSince = NEVER;

    /**
     * @param maxBacklogBytes the backlog a connection may keep for the grace period
     * @param graceMillis     how long the backlog may stay over {@code maxBacklogBytes}
     * @param stallMillis     how long the socket may stay full
     */
    SlowConsumerPolicy(long maxBacklogBytes, long graceMillis, long stallMillis) {
        this.maxBacklogBytes = maxBacklogBytes;
        this.graceNanos = graceMillis * 1_000_000L;
        this.stallNanos = stallMillis * 1_000_000L;
    }

    /**
     * The backlog grew to {@code backlogBytes}: over the limit, the grace period starts (if it has
     * not yet); over the hard limit, the connection is a slow consumer at once.
     */
    Outcome onGrown(long backlogBytes, long nowNanos) {
        if (overLimitSince == NEVER && backlogBytes > maxBacklogBytes) {
            overLimitSince = nowNanos;
        }
        return backlogBytes > HARD_LIMIT_FACTOR * maxBacklogBytes ? Outcome.SLOW_CONSUMER : Outcome.OK;
    }

    /** The backlog was written down to {@code backlogBytes}: within the limit, the grace period ends. */
    void onWritten(long backlogBytes) {
        if (backlogBytes <= maxBacklogBytes) {
            overLimitSince = NEVER;
        }
    }

    /**
     * The periodic check: a socket full for longer than the stall timeout, or a backlog over the
     * limit for longer than the grace period, is a slow consumer.
     *
     * @param socketFull whether the socket's write queue is full now
     */
    Outcome check(long backlogBytes, boolean socketFull, long nowNanos) {
        if (socketFull) {
            if (fullSince == NEVER) {
                fullSince = nowNanos;
            } else if (nowNanos - fullSince > stallNanos) {
                return Outcome.SLOW_CONSUMER;
            }
        } else {
            fullSince = NEVER;
        }
        if (backlogBytes <= maxBacklogBytes) {
            overLimitSince = NEVER;
            return Outcome.OK;
        }
        if (overLimitSince == NEVER) {
            overLimitSince = nowNanos;
        }
        return nowNanos - overLimitSince > graceNanos ? Outcome.SLOW_CONSUMER : Outcome.OK;
    }
}
