package io.tickstream.http;

import static io.tickstream.config.ServerConfig.HEARTBEAT_MS;
import static io.tickstream.config.ServerConfig.HOST;
import static io.tickstream.config.ServerConfig.MAX_MESSAGE_BYTES;
import static io.tickstream.config.ServerConfig.PORT;

import io.tickstream.config.ServerConfig;
import io.tickstream.fanout.Shard;
import io.tickstream.ingest.LatestValues;
import io.tickstream.session.LoopContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One event loop's share of the server: an HTTP server on the shared port (Vert.x spreads
 * connections over the instances) answering the {@link HttpRoutes}, with the WebSocket endpoint's
 * {@link WebSocketAcceptor} turning each accepted socket into one of the loop's
 * {@link LoopSessions}; the loop's {@link LoopContext} (its shard of the fan-out and what its
 * sessions are built with), its {@link Housekeeping}, and its {@link Drain} at shutdown.
 *
 * <p>Threading: everything here runs on this verticle's event loop, except the hand-off of batches
 * by the hub, which goes through {@link Shard#post}, and the calls that say "any thread".
 */
public final class ServerVerticle extends VerticleBase {

    private final ServerConfig config;
    private final LoopFactory loops;
    private final HttpRoutes routes;
    private final Admission admission;
    private final AtomicInteger boundPort;
    private LoopContext loop;
    private LoopSessions sessions;
    private WebSocketAcceptor acceptor;

    /**
     * @param loops     builds this loop's context when the verticle starts
     * @param admission who may open a WebSocket (shared by every instance)
     * @param boundPort set to the port actually listened on
     */
    public ServerVerticle(ServerConfig config, LoopFactory loops, HttpRoutes routes, Admission admission,
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
                .setHost(config.get(HOST))
                .setPort(config.get(PORT))
                .setTcpNoDelay(true)
                // HTTP/1.1 only: WebSockets, proxies and Prometheus speak it. With h2c on, Vert.x
                // holds a new connection back until its first request is complete (to look for an
                // h2c upgrade), which would hide a slow handshake from the handshake timeout.
                .setHttp2ClearTextEnabled(false)
                .setMaxWebSocketFrameSize(config.get(MAX_MESSAGE_BYTES))
                .setMaxWebSocketMessageSize(config.get(MAX_MESSAGE_BYTES))
                .setPerFrameWebSocketCompressionSupported(false)
                .setPerMessageWebSocketCompressionSupported(false);
    }

    @Override
    public Future<?> start() {
        loop = loops.open(vertx, context);
        sessions = new LoopSessions(loop);
        acceptor = new WebSocketAcceptor(config, loop.meters(), admission,
                () -> new MessageAssembler(config.get(MAX_MESSAGE_BYTES)), sessions);
        Housekeeping.start(vertx, config.get(HEARTBEAT_MS), loop, sessions, acceptor);
        return acceptor.createServer(vertx, serverOptions(config), routes.router(vertx, loop.shard(), acceptor))
                .listen()
                .onSuccess(s -> boundPort.set(s.actualPort()));
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
        acceptor.close();
        return Future.succeededFuture();
    }

    /**
     * The graceful stop of this event loop's connections (see {@link Drain}): 503 to new
     * WebSockets, {@code 1001} to each open one once its backlog is written and at {@code drainMs}
     * at the latest, a reset {@link Drain#CLOSE_GRACE_MS} later for one still open. Completes when
     * every connection is closed, and at the latest with those resets. Any thread.
     */
    public Future<Void> drain(long drainMs) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> Drain.start(vertx, sessions, drainMs).onComplete(done));
        return done.future();
    }
}
