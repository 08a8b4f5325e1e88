package io.tickstream.session;

import io.tickstream.feed.EncodedMessage;

/**
 * {@code maxRate} for one topic of one connection: at most one message per interval; in between,
 * the latest update waits and replaces the one before it (counted in {@code conflated}). Score
 * events are never held back or replaced.
 *
 * <p>Owned by the connection's event loop.
 */
final class Throttle {

    /** No limit: messages pass straight through. */
    static final Throttle NONE = new Throttle(0);

    final long intervalNanos;
    long nextAllowedNanos;
    EncodedMessage pending;

    Throttle(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    boolean unlimited() {
        return intervalNanos == 0;
    }
}
