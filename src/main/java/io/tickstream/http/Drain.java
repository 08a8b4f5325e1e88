package io.tickstream.http;

import io.tickstream.session.Session;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * The graceful stop of one event loop's connections: new WebSockets are refused with 503, each
 * open one is closed with {@code 1001} as soon as its backlog is written, and at the drain time at
 * the latest; one still open {@link #CLOSE_GRACE_MS} after that (its close frame could not be
 * written to a client that does not read, or its client never answered it) is reset. It looks
 * every 20 ms.
 *
 * <p>Threading: runs on the event loop of its {@link LoopSessions}.
 */
final class Drain implements Handler<Long> {

    /**
     * How long a connection sent its {@code 1001} at the drain deadline gets to complete the
     * closing handshake before it is reset; part of the one second the stop may take beyond the
     * drain time.
     */
    static final long CLOSE_GRACE_MS = 200;

    private final Vertx vertx;
    private final LoopSessions sessions;
    /** When every connection still open is sent {@code 1001} (nanoTime). */
    private final long deadline;
    /** When every connection still open is reset (nanoTime). */
    private final long resetAt;
    private final Promise<Void> done = Promise.promise();
    private long timer;

    private Drain(Vertx vertx, LoopSessions sessions, long drainMs) {
        this.vertx = vertx;
        this.sessions = sessions;
        this.deadline = System.nanoTime() + drainMs * 1_000_000L;
        this.resetAt = deadline + CLOSE_GRACE_MS * 1_000_000L;
    }

    /**
     * Starts draining {@code sessions}; completes when every connection is closed, and at the
     * latest with the resets {@code drainMs} + {@link #CLOSE_GRACE_MS} from now. On their loop.
     */
    static Future<Void> start(Vertx vertx, LoopSessions sessions, long drainMs) {
        sessions.stopAccepting();
        Drain drain = new Drain(vertx, sessions, drainMs);
        drain.timer = vertx.setPeriodic(20, drain);
        drain.handle(drain.timer);
        return drain.done.future();
    }

    @Override
    public void handle(Long id) {
        long now = System.nanoTime();
        for (Session s : sessions.list()) {
            if (now >= resetAt) {
                s.abort();
            } else if (s.backlogBytes() == 0 || now >= deadline) {
                s.goAway();
            }
        }
        if (sessions.isEmpty() || now >= resetAt) {
            vertx.cancelTimer(timer);
            done.tryComplete();
        }
    }
}
