package io.tickstream.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tickstream.auth.Grant;
import io.tickstream.auth.InvalidTokenException;
import io.tickstream.config.ServerConfig;
import io.tickstream.fanout.Hub;
import io.tickstream.fanout.Shard;
import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.JsonWriter;
import io.tickstream.feed.TopicPattern;
import io.tickstream.ingest.Replayer;
import io.tickstream.metrics.DeliveryMeters;
import io.tickstream.metrics.Meters;
import io.tickstream.session.CommandParser;
import io.tickstream.session.ServerMessages;
import io.tickstream.session.Session;
import io.tickstream.session.SessionSettings;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * One event loop's share of the server: an HTTP server on the shared port (Vert.x spreads
 * connections over the instances), the {@link Shard} that fans the feed out to this loop's
 * connections, and the routes of the protocol's HTTP endpoints.
 *
 * <p>Threading: everything here runs on this verticle's event loop, except the hand-off of batches
 * by the {@link Hub}, which goes through {@link Shard#post}.
 */
public final class ServerVerticle extends VerticleBase {

    private static final Logger LOG = Logger.getLogger(ServerVerticle.class.getName());

    private final ServerConfig config;
    private final Hub hub;
    private final Meters meters;
    private final PrometheusMeterRegistry registry;
    private final Supplier<String> notReady;
    /** Set by {@link #drain}: new WebSockets are refused (503) and open ones are being closed. */
    private boolean draining;
    private final AtomicInteger boundPort;
    private final SessionSettings settings;
    private final long startPosition;
    private final List<EncodedMessage> latest;
    private final Replayer replayer;
    private final TrustedProxies trustedProxies;
    private final Admission admission;
    /** Connections that have not sent their HTTP request yet, with when they were opened (nanoTime). */
    private final Map<HttpConnection, Long> awaitingRequest = new HashMap<>();
    private final Set<Session> sessions = new LinkedHashSet<>();
    private Shard shard;
    private DeliveryMeters delivery;
    private ServerMessages messages;
    private CommandParser parser;

    /**
     * @param notReady  why the server is not ready ({@code null} when it is), for {@code /health/ready}
     * @param boundPort set to the port actually listened on
     * @param startPosition the tailer's start position (see {@link Shard#position()})
     * @param latest    the latest message of each topic up to the start position
     * @param replayer  reads the queue again for resumes
     * @param admission who may open a WebSocket (shared by every instance)
     */
    public ServerVerticle(ServerConfig config, Hub hub, Meters meters, PrometheusMeterRegistry registry,
                          Supplier<String> notReady, AtomicInteger boundPort, long startPosition,
                          List<EncodedMessage> latest, Replayer replayer, Admission admission) {
        this.latest = latest;
        this.admission = admission;
        this.startPosition = startPosition;
        this.trustedProxies = TrustedProxies.parse(config.trustedProxies());
        this.replayer = replayer;
        this.config = config;
        this.hub = hub;
        this.meters = meters;
        this.registry = registry;
        this.notReady = notReady;
        this.boundPort = boundPort;
        this.settings = new SessionSettings(config.heartbeatMs(), config.maxSubscriptions(), config.maxFrameBytes(),
                config.clientRate(), config.clientBurst(), config.rateLimitStrikes(), config.maxBacklogBytes(),
                config.slowConsumerGraceMs(), config.stallTimeoutMs(), config.idleTimeoutMs(),
                config.resumeAheadWaitMs());
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
        String loopName = Thread.currentThread().getName();
        var busy = meters.fanoutBusy(loopName);
        delivery = new DeliveryMeters(meters);
        shard = new Shard(this::onLoop, startPosition, latest, nanos -> {
            busy.increment(nanos / 1e9);
            delivery.flush();
        });
        var delay = meters.eventLoopDelay(loopName);
        messages = new ServerMessages();
        parser = new CommandParser(config.maxSubscriptions());
        hub.register(shard);

        Router router = Router.router(vertx);
        router.get("/health/live").handler(ctx -> ctx.response().putHeader("content-type", "application/json")
                .end("{\"status\":\"live\"}"));
        router.get("/health/ready").handler(this::ready);
        router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
        router.get("/api/topics").handler(this::topics);
        router.get("/ws").handler(this::upgrade);
        router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));

        long period = Math.max(50, Math.min(250, config.heartbeatMs() / 4));
        long[] due = {System.nanoTime() + period * 1_000_000L};
        vertx.setPeriodic(period, id -> {
            long now = System.nanoTime();
            delay.record(Math.max(0, now - due[0]), java.util.concurrent.TimeUnit.NANOSECONDS);
            due[0] = now + period * 1_000_000L;
            for (Session s : new ArrayList<>(sessions)) {
                s.tick(now);
            }
            delivery.flush();
            closeLateHandshakes(now);
            shard.compact();
        });

        HttpServer server = vertx.createHttpServer(serverOptions(config))
                .connectionHandler(this::onConnection)
                .requestHandler(req -> {
                    awaitingRequest.remove(req.connection());
                    router.handle(req);
                });
        return server.listen().onSuccess(s -> boundPort.set(s.actualPort()));
    }

    /**
     * A new connection has {@code handshakeTimeoutMs} to send its request (a slow or silent client
     * must not hold a socket and its memory for ever); {@link #closeLateHandshakes} closes it then.
     */
    private void onConnection(HttpConnection conn) {
        awaitingRequest.put(conn, System.nanoTime());
        conn.closeHandler(v -> awaitingRequest.remove(conn));
    }

    /**
     * Closes the connections that have not sent their request within the handshake timeout. A
     * connection past it is closed on the next tick, not this one: when the loop itself is behind,
     * a request that did arrive may still be waiting to be read, and the loop reads between ticks.
     */
    private void closeLateHandshakes(long nowNanos) {
        long limit = config.handshakeTimeoutMs() * 1_000_000L;
        awaitingRequest.entrySet().removeIf(e -> {
            if (e.getValue() == PAST_TIMEOUT) {
                meters.handshakeRefused("timeout").increment();
                e.getKey().close();
                return true;
            }
            if (nowNanos - e.getValue() >= limit) {
                e.setValue(PAST_TIMEOUT);
            }
            return false;
        });
    }

    /** Marks a connection in {@link #awaitingRequest} found past the handshake timeout once. */
    private static final long PAST_TIMEOUT = Long.MIN_VALUE;

    private void onLoop(Runnable task) {
        context.runOnContext(v -> task.run());
    }

    @Override
    public Future<?> stop() {
        hub.unregister(shard);
        return Future.succeededFuture();
    }

    private void ready(RoutingContext ctx) {
        String why = notReady.get();
        ctx.response().setStatusCode(why == null ? 200 : 503).putHeader("content-type", "application/json")
                .end(new JsonObject().put("status", why == null ? "ready" : why).encode());
    }

    /**
     * The graceful stop of this event loop's connections: new WebSockets are refused with 503,
     * each open one is closed with {@code 1001} as soon as its backlog is written, and at
     * {@code drainMs} at the latest. Completes when every connection is closed. Any thread.
     */
    public Future<Void> drain(long drainMs) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            draining = true;
            long deadline = System.nanoTime() + drainMs * 1_000_000L;
            long[] timer = new long[1];
            Handler<Long> step = id -> {
                long now = System.nanoTime();
                for (Session s : new ArrayList<>(sessions)) {
                    if (s.backlogBytes() == 0 || now >= deadline) {
                        s.goAway();
                    }
                }
                if (sessions.isEmpty() || now >= deadline + 1_000_000_000L) {
                    vertx.cancelTimer(timer[0]);
                    done.tryComplete();
                }
            };
            timer[0] = vertx.setPeriodic(20, step);
            step.handle(timer[0]);
        });
        return done.future();
    }

    /** The known topics with their latest message; with auth on, those the token allows, and 401 without one. */
    private void topics(RoutingContext ctx) {
        Grant grant;
        try {
            grant = admission.authorize(ctx.request().getHeader("Authorization"), ctx.request().getParam("token"));
        } catch (InvalidTokenException e) {
            refuse(ctx, ctx.request().remoteAddress() == null ? "?" : ctx.request().remoteAddress().hostAddress(),
                    new Admission.Refusal(401, e.getMessage()));
            return;
        }
        List<EncodedMessage> latest = new ArrayList<>(shard.latest());
        if (grant != null) {
            latest.removeIf(m -> !grant.allows(TopicPattern.parse(m.topic())));
        }
        latest.sort(Comparator.comparing(EncodedMessage::topic));
        JsonWriter w = new JsonWriter(256 * latest.size() + 16).beginArray();
        for (EncodedMessage m : latest) {
            w.beginObject().field("topic", m.topic()).key("latest").raw(m.json()).endObject();
        }
        ctx.response().putHeader("content-type", "application/json").end(w.endArray().toString());
    }

    private void upgrade(RoutingContext ctx) {
        if (draining) {
            refuse(ctx, "?", new Admission.Refusal(503, "shutting down"));
            return;
        }
        if (!ctx.request().canUpgradeToWebSocket()) {
            ctx.response().setStatusCode(400).putHeader("content-type", "text/plain")
                    .end("this is the WebSocket endpoint: connect with an Upgrade: websocket request\n");
            return;
        }
        var req = ctx.request();
        String peer = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
        String client = trustedProxies.clientAddress(peer, req.getHeader("X-Real-IP"),
                req.getHeader("X-Forwarded-For"));
        Admission.Decision decision = admission.admit(req.getHeader("Origin"), req.getHeader("Authorization"),
                req.getParam("token"), client);
        if (decision instanceof Admission.Refusal refusal) {
            refuse(ctx, client, refusal);
            return;
        }
        Admission.Ticket ticket = (Admission.Ticket) decision;
        EarlyFrames early = EarlyFrames.install(req);
        req.toWebSocket().onSuccess(ws -> {
                    accept(ws, client, ticket);
                    early.release();
                })
                .onFailure(e -> {
                    early.discard();
                    ticket.release();
                    LOG.fine(() -> "WebSocket upgrade failed: " + e.getMessage());
                });
    }

    /** Answers a refused upgrade with its status and reason; the token, if any, is never logged. */
    private void refuse(RoutingContext ctx, String client, Admission.Refusal refusal) {
        meters.handshakeRefused(String.valueOf(refusal.status())).increment();
        LOG.fine(() -> "refused a WebSocket from " + client + ": " + refusal.status() + " " + refusal.reason());
        var response = ctx.response().setStatusCode(refusal.status()).putHeader("content-type", "application/json");
        if (refusal.status() == 401) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"tickstream\"");
        }
        // and close: a refused client must not keep the connection open outside every limit
        response.putHeader("Connection", "close")
                .end(new JsonObject().put("status", refusal.status()).put("reason", refusal.reason()).encode())
                .onComplete(v -> ctx.request().connection().close());
    }

    private void accept(ServerWebSocket ws, String client, Admission.Ticket ticket) {
        if (ws.isClosed()) {
            ticket.release();   // gone before its handlers could be set: its close handler would never run
            return;
        }
        String id = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
        Session session = new Session(id, new WebSocketTransport(ws), shard, messages, parser, settings, meters,
                delivery, (delayMs, task) -> vertx.setTimer(delayMs, t -> task.run()), replayer, this::onLoop, client,
                ticket.grant());
        sessions.add(session);
        ws.setWriteQueueMaxSize(config.writeQueueBytes());
        ws.drainHandler(v -> session.onDrain());
        InboundFrames.attach(ws, new MessageAssembler(config.maxMessageBytes()), new InboundFrames.Listener() {
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
        });
        ws.pongHandler(data -> session.onHeard());
        ws.closeHandler(v -> {
            ticket.release();
            session.onClosed();
            sessions.remove(session);
        });
        session.open();
        if (draining) {
            session.goAway();   // upgraded while this loop was draining
        }
    }
}
