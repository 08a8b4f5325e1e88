package io.tickstream.http;

import io.micrometer.core.instrument.Timer;
import io.tickstream.session.LoopContext;
import io.tickstream.session.Session;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * The periodic work of one event loop: each session's tick (heartbeats, pings, idle and token
 * expiry, slow consumers), the flush of the loop's delivery meters, the handshake timeout, and the
 * compaction of the shard, so that closed connections are let go while the feed is silent. How
 * late each run comes is the loop's delay ({@code tickstream_event_loop_delay}).
 *
 * <p>Threading: runs on its event loop.
 */
final class Housekeeping implements Handler<Long> {

    private final LoopContext loop;
    private final LoopSessions sessions;
    private final WebSocketAcceptor acceptor;
    private final Timer delay;
    private final long periodNanos;
    /** When the next run is due (nanoTime). */
    private long due;

    private Housekeeping(LoopContext loop, LoopSessions sessions, WebSocketAcceptor acceptor, long periodMs) {
        this.loop = loop;
        this.sessions = sessions;
        this.acceptor = acceptor;
        this.delay = loop.meters().eventLoopDelay(loop.name());
        this.periodNanos = periodMs * 1_000_000L;
        this.due = System.nanoTime() + periodNanos;
    }

    /**
     * Runs the housekeeping of a loop from now on, every quarter of the heartbeat interval, within
     * 50 to 250 ms. On that loop.
     */
    static void start(Vertx vertx, long heartbeatMs, LoopContext loop, LoopSessions sessions,
                      WebSocketAcceptor acceptor) {
        long periodMs = Math.max(50, Math.min(250, heartbeatMs / 4));
        vertx.setPeriodic(periodMs, new Housekeeping(loop, sessions, acceptor, periodMs));
    }

    @Override
    public void handle(Long id) {
        long now = System.nanoTime();
        delay.record(Math.max(0, now - due), TimeUnit.NANOSECONDS);
        due = now + periodNanos;
        for (Session s : sessions.list()) {
            s.tick(now);
        }
        loop.delivery().flush();
        acceptor.closeLateHandshakes(now);
        loop.shard().compact();
    }
}
