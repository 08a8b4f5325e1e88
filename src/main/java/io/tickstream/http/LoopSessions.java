package io.tickstream.http;

import io.tickstream.auth.Grant;
import io.tickstream.session.LoopContext;
import io.tickstream.session.Session;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * The sessions of one event loop, the one list of them that the loop's {@link Housekeeping} and
 * {@link Drain} go through: each WebSocket the {@link WebSocketAcceptor} lets in becomes a
 * {@link Session} here, built from the loop's {@link LoopContext}, and stays until its socket is
 * closed. That is longer than the session stays in its shard (which it leaves as soon as it closes
 * its side, see {@link Session#onClosed}): a connection whose client never takes its close frame is
 * still here to be reset at the end of a drain.
 *
 * <p>Threading: owned by its event loop; everything runs there.
 */
final class LoopSessions implements WebSocketAcceptor.Connections {

    private static final Logger LOG = Logger.getLogger(LoopSessions.class.getName());

    private final LoopContext loop;
    private final Set<Session> sessions = new LinkedHashSet<>();
    private boolean accepting = true;

    LoopSessions(LoopContext loop) {
        this.loop = loop;
    }

    @Override
    public boolean accepting() {
        return accepting;
    }

    /**
     * From now on new WebSockets are refused (503, by the acceptor), and one upgraded meanwhile is
     * sent {@code 1001} as soon as it starts.
     */
    void stopAccepting() {
        accepting = false;
    }

    /** The sessions whose socket is open, as a copy: closing one while going through it is safe. */
    List<Session> list() {
        return new ArrayList<>(sessions);
    }

    /** Whether every socket is closed. */
    boolean isEmpty() {
        return sessions.isEmpty();
    }

    /** A WebSocket the acceptor let in becomes a {@link Session} of this loop. */
    @Override
    public WebSocketAcceptor.Connection open(WebSocketTransport transport, String client, Grant grant) {
        String id = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
        Session session = new Session(id, transport, loop, client, grant);
        sessions.add(session);
        return new WebSocketAcceptor.Connection() {
            @Override
            public void start() {
                session.open();
                if (!accepting) {
                    session.goAway();   // upgraded while this loop was draining
                }
            }

            @Override
            public void onText(String text) {
                session.onText(text);
            }

            @Override
            public void onRefused() {
                session.onClosed();
            }

            @Override
            public void onError(Throwable e) {
                LOG.fine(() -> "connection " + id + " from " + client + ": " + e);
            }

            @Override
            public void onDrain() {
                session.onDrain();
            }

            @Override
            public void onPong() {
                session.onHeard();
            }

            @Override
            public void onClosed() {
                session.onClosed();
                sessions.remove(session);
            }
        };
    }
}
