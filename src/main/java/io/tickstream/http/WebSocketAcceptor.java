package io.tickstream.http;

import static io.tickstream.config.ServerConfig.HANDSHAKE_TIMEOUT_MS;
import static io.tickstream.config.ServerConfig.TRUSTED_PROXIES;
import static io.tickstream.config.ServerConfig.WRITE_QUEUE_BYTES;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.tickstream.auth.Grant;
import io.tickstream.auth.TrustedProxies;
import io.tickstream.config.ServerConfig;
import io.tickstream.metrics.Meters;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The WebSocket endpoint up to the point where a connection has somewhere to go: the handshake
 * timeout of connections that have not sent their request, the {@code /ws} route, the refusal
 * while the {@link Connections} take no more (draining), the upgrade check, the client's address
 * (through trusted proxies), admission (which refuses every upgrade while the server starts),
 * {@code toWebSocket()}, and the wiring of the accepted socket's inbound frames (through
 * {@link InboundFrames} and a {@link MessageAssembler}) and its drain, pong and close events to a
 * {@link Connection}. What a connection does is the
 * {@link Connections}' business: the server runs a session, the conformance endpoint (tests) echoes.
 *
 * <p>Threading: one per event loop; everything runs on that loop.
 */
final class WebSocketAcceptor {

    private static final Logger LOG = Logger.getLogger(WebSocketAcceptor.class.getName());

    static final String PATH = "/ws";

    /** What to do with an accepted WebSocket. Called on the socket's event loop. */
    interface Connections {
        /**
         * A WebSocket was accepted; returns the handler of its events. No event is delivered before
         * {@link Connection#start}.
         *
         * @param transport the socket's write side
         * @param client    the client's address (the proxy's word for it when the peer is a trusted proxy)
         * @param grant     what its token allows, or null when auth is off
         */
        Connection open(WebSocketTransport transport, String client, Grant grant);

        /** Whether new WebSockets are let in; while not, they are refused with 503 (the server is stopping). */
        default boolean accepting() {
            return true;
        }
    }

    /** One accepted WebSocket's events, on its event loop; after {@link #onClosed} none follows. */
    interface Connection extends InboundFrames.Listener {
        /** Every handler is set: the connection may write; its first frames follow. */
        void start();

        /** The socket's write queue has drained below its limit. */
        void onDrain();

        /** A pong arrived. */
        void onPong();

        /** The socket is closed. */
        void onClosed();
    }

    private final ServerConfig config;
    private final Meters meters;
    private final Admission admission;
    private final TrustedProxies trustedProxies;
    private final Supplier<MessageAssembler> assemblers;
    private final Connections connections;
    private final WireFrames frames = new WireFrames(PooledByteBufAllocator.DEFAULT);
    /** Connections that have not sent their HTTP request yet, with when they were opened (nanoTime). */
    private final Map<HttpConnection, Long> awaitingRequest = new HashMap<>();

    /**
     * @param assemblers  one inbound rule set per connection (the protocol's: text only)
     * @param connections what becomes of an accepted WebSocket
     */
    WebSocketAcceptor(ServerConfig config, Meters meters, Admission admission, Supplier<MessageAssembler> assemblers,
                      Connections connections) {
        this.config = config;
        this.meters = meters;
        this.admission = admission;
        this.trustedProxies = TrustedProxies.parse(config.get(TRUSTED_PROXIES));
        this.assemblers = assemblers;
        this.connections = connections;
    }

    /**
     * An HTTP server whose connections are subject to the handshake timeout, with {@code router}
     * answering their requests; {@link #route} puts the WebSocket endpoint on the router.
     */
    HttpServer createServer(Vertx vertx, HttpServerOptions options, Router router) {
        return vertx.createHttpServer(options)
                .connectionHandler(this::onConnection)
                .requestHandler(req -> {
                    awaitingRequest.remove(req.connection());
                    router.handle(req);
                });
    }

    /** Adds the WebSocket endpoint, {@code GET /ws}, to {@code router}. */
    void route(Router router) {
        router.get(PATH).handler(this::upgrade);
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
     * Closes the connections that have not sent their request within the handshake timeout; to be
     * called periodically. A connection past it is closed on the next call, not this one: when the
     * loop itself is behind, a request that did arrive may still be waiting to be read, and the loop
     * reads between calls.
     */
    void closeLateHandshakes(long nowNanos) {
        long limit = config.get(HANDSHAKE_TIMEOUT_MS) * 1_000_000L;
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

    private void upgrade(RoutingContext ctx) {
        if (!connections.accepting()) {
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
        // Vert.x's handler of the connection (internals: see EarlyFrames), for the frames sent with the
        // request, and its TCP channel, for a reset at the end of a drain (WebSocketTransport#abort)
        ChannelHandlerContext vertxHandler = req.connection() instanceof HttpServerConnection c
                ? c.channelHandlerContext() : null;
        EarlyFrames early = EarlyFrames.install(vertxHandler);
        Channel channel = vertxHandler == null ? null : vertxHandler.channel();
        req.toWebSocket().onSuccess(ws -> {
                    boolean opened = false;
                    try {
                        opened = accept(ws, channel, client, ticket);
                    } finally {
                        if (opened) {
                            early.release();
                        } else {
                            early.discard();   // nobody to hand them to: let them go
                        }
                    }
                })
                .onFailure(e -> {
                    early.discard();
                    ticket.release();
                    LOG.fine(() -> "WebSocket upgrade failed: " + e.getMessage());
                });
    }

    /** Releases the frames kept for this loop's connections ({@link WireFrames}); on the loop, at its stop. */
    void close() {
        frames.close();
    }

    /** Answers a refused request with its status and reason; the token, if any, is never logged. */
    void refuse(RoutingContext ctx, String client, Admission.Refusal refusal) {
        meters.handshakeRefused(String.valueOf(refusal.status())).increment();
        LOG.fine(() -> "refused a WebSocket from " + client + ": " + refusal.status() + " " + refusal.reason());
        var response = ctx.response().setStatusCode(refusal.status()).putHeader("content-type", "application/json");
        if (refusal.status() == 401) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"tickstream\"");
        }
        // and close: a refused client must not keep the connection open outside every limit
        response.putHeader("Connection", "close")
                .end(refusal.json())
                .onComplete(v -> ctx.request().connection().close());
    }

    /** Wires an upgraded WebSocket to a new connection; false when it was gone before that could happen. */
    private boolean accept(ServerWebSocket ws, Channel channel, String client, Admission.Ticket ticket) {
        if (ws.isClosed()) {
            ticket.release();   // gone before its handlers could be set: its close handler would never run
            return false;
        }
        Connection connection = connections.open(new WebSocketTransport(ws, channel, frames), client, ticket.grant());
        ws.setWriteQueueMaxSize(config.get(WRITE_QUEUE_BYTES));
        ws.drainHandler(v -> connection.onDrain());   // Vert.x's own writes: pings, the close
        if (channel != null) {
            WritabilityListener.attach(channel, connection::onDrain);   // the frames written below Vert.x
        }
        InboundFrames.attach(ws, assemblers.get(), connection);
        ws.pongHandler(data -> connection.onPong());
        ws.closeHandler(v -> {
            ticket.release();
            connection.onClosed();
        });
        connection.start();
        return true;
    }
}
