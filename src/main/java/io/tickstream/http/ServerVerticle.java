package io.tickstream.http;

import io.tickstream.auth.Grant;
import io.tickstream.config.ServerConfig;
import io.tickstream.fanout.Shard;
import io.tickstream.ingest.LatestValues;
import io.tickstream.session.Session;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * One event loop's share of the server: an HTTP server on the shared port (Vert.x spreads
 * connections over the instances) answering the {@link HttpRoutes}, and the loop's
 * {@link LoopContext}: its shard of the fan-out and what its sessions are built with. The WebSocket
 * endpoint's upgrade is the {@link WebSocketAcceptor}'s; each WebSocket it accepts becomes a
 * {@link Session} here.
 *
 * <p>Threading: everything here runs on this verticle's event loop, except the hand-off of batches
 * by the hub, which goes through {@link Shard#post}, and the calls that say "any thread".
 */
public final class ServerVerticle extends VerticleBase {

    private static final Logger LOG = Logger.getLogger(ServerVerticle.class.getName());

    private final ServerConfig config;
    private final LoopContext.Factory loops;
    private final HttpRoutes routes;
    private final Admission admission;
    private final AtomicInteger boundPort;
    private final Set<Session> sessions = new LinkedHashSet<>();
    private LoopContext loop;
    private WebSocketAcceptor acceptor;

    /**
     * @param loops     builds this loop's context when the verticle starts
     * @param admission who may open a WebSocket (shared by every instance)
     * @param boundPort set to the port actually listened on
     */
    public ServerVerticle(ServerConfig config, LoopContext.Factory loops, HttpRoutes routes, Admission admission,
                          AtomicInteger boundPort) {
        this.config = config;
        this.loops = loops;
        this.routes = routes;
        this.admission = admission;
        this.boundPort = boundPort;
    }

    /** The options every instance listens with; also used by tests that check the limits. */
    public static HttpServerOptions serverOptions(ServerConfig config) {
        return new HttpServerOptions()
                .setHost(config.host())
                .setPort(config.port())
                .setTcpNoDelay(true)
                // HTTP/1.1 only: WebSockets, proxies and Prometheus speak it. With h2c on, Vert.x
                // holds a new connection back until its first request is complete (to look for an
                // h2c upgrade), which would hide a slow handshake from the handshake timeout.
                .setHttp2ClearTextEnabled(false)
                .setMaxWebSocketFrameSize(config.maxMessageBytes())
                .setMaxWebSocketMessageSize(config.maxMessageBytes())
                .setPerFrameWebSocketCompressionSupported(false)
                .setPerMessageWebSocketCompressionSupported(false);
    }

    @Override
    public Future<?> start() {
        loop = loops.open(vertx, context);
        var delay = loop.meters().eventLoopDelay(loop.name());
        acceptor = new WebSocketAcceptor(config, loop.meters(), admission,
                () -> new MessageAssembler(config.maxMessageBytes()), this::openSession);

        long period = Math.max(50, Math.min(250, config.heartbeatMs() / 4));
        long[] due = {System.nanoTime() + period * 1_000_000L};
        vertx.setPeriodic(period, id -> {
            long now = System.nanoTime();
            delay.record(Math.max(0, now - due[0]), TimeUnit.NANOSECONDS);
            due[0] = now + period * 1_000_000L;
            for (Session s : new ArrayList<>(sessions)) {
                s.tick(now);
            }
            loop.delivery().flush();
            acceptor.closeLateHandshakes(now);
            loop.shard().compact();
        });

        Router router = routes.router(vertx, loop.shard(), acceptor);
        HttpServer server = acceptor.createServer(vertx, serverOptions(config), router);
        return server.listen().onSuccess(s -> boundPort.set(s.actualPort()));
    }

    /**
     * Gives this loop's shard the latest message of every topic up to the start position, before
     * the tailer delivers anything (see {@link Shard#seed}). Any thread; completes on the loop.
     */
    public Future<Void> seed(LatestValues.Result latest) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            loop.shard().seed(latest.latest(), latest.firstSeqs());
            done.complete();
        });
        return done.future();
    }

    @Override
    public Future<?> stop() {
        loops.close(loop);
        return Future.succeededFuture();
    }

    /**
     * How long a connection sent its {@code 1001} at the drain deadline gets to complete the
     * closing handshake before it is reset; part of the one second the stop may take beyond the
     * drain time.
     */
    public static final long CLOSE_GRACE_MS = 200;

    /**
     * The graceful stop of this event loop's connections: new WebSockets are refused with 503,
     * each open one is closed with {@code 1001} as soon as its backlog is written, and at
     * {@code drainMs} at the latest; one still open {@link #CLOSE_GRACE_MS} after that (its close
     * frame could not be written to a client that does not read, or its client never answered it)
     * is reset. Completes when every connection is closed, and at the latest with those resets.
     * Any thread.
     */
    public Future<Void> drain(long drainMs) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            acceptor.startDraining();
            long deadline = System.nanoTime() + drainMs * 1_000_000L;
            long resetAt = deadline + CLOSE_GRACE_MS * 1_000_000L;
            long[] timer = new long[1];
            Handler<Long> step = id -> {
                long now = System.nanoTime();
                for (Session s : new ArrayList<>(sessions)) {
                    if (now >= resetAt) {
                        s.abort();
                    } else if (s.backlogBytes() == 0 || now >= deadline) {
                        s.goAway();
                    }
                }
                if (sessions.isEmpty() || now >= resetAt) {
                    vertx.cancelTimer(timer[0]);
                    done.tryComplete();
                }
            };
            timer[0] = vertx.setPeriodic(20, step);
            step.handle(timer[0]);
        });
        return done.future();
    }

    /** A WebSocket the acceptor let in becomes a {@link Session} of this loop. */
    private WebSocketAcceptor.Connection openSession(WebSocketTransport transport, String client, Grant grant) {
        String id = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
        Session session = new Session(id, transport, loop.shard(), loop.messages(), loop.parser(), loop.settings(),
                loop.meters(), loop.delivery(), loop.scheduler(), loop.replayer(), loop.executor(), client, grant);
        sessions.add(session);
        return new WebSocketAcceptor.Connection() {
            @Override
            public void start() {
                session.open();
                if (acceptor.draining()) {
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
