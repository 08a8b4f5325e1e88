package io.tickstream.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.PrintStream;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@link Connections} of a {@code wss://} run: Vert.x's WebSocket client, on one event loop per
 * core, for its TLS. It costs several µs of CPU per frame (Netty's decoder, a buffer and a frame
 * object each), where {@link RawConnections} costs a fraction of one.
 *
 * <p>Threading: each connection is opened and handled on its event loop; the counters are atomic;
 * {@link #openAll}, the slow readers' timer and {@link #close} are called by the reporting thread.
 */
final class VertxConnections implements Connections {

    private final LoadTest.Config config;
    private final List<Client> clients;
    private final Recorders recorders;
    private final PrintStream log;
    private final ConnectionCounters counters;
    private final Vertx vertx;
    private final WebSocketClient wsClient;
    private final boolean tls;
    /** Each client's WebSocket, by its index in {@link #clients}, once opened; set on its event loop. */
    private final ClientWebSocket[] sockets;
    private long slowTimer = -1;

    VertxConnections(LoadTest.Config config, List<Client> clients, Recorders recorders, PrintStream log) {
        this.config = config;
        this.clients = clients;
        this.recorders = recorders;
        this.log = log;
        this.counters = new ConnectionCounters(clients.size(), recorders, log);
        this.sockets = new ClientWebSocket[clients.size()];
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Runtime.getRuntime().availableProcessors()));
        this.tls = config.url().getScheme().equals("wss");
        this.wsClient = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(config.clients() + 16).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 24)
                .setSsl(tls).setTrustAll(tls).setVerifyHost(false).setConnectTimeout(30_000));
    }

    @Override
    public void openAll(long startNanos) {
        for (int i = 0; i < clients.size(); i++) {
            int index = i;
            long at = (long) (i * 1000.0 / config.rampPerSecond());
            vertx.setTimer(Math.max(1, at), t -> open(index));
        }
        slowTimer = vertx.setPeriodic(1000,
                t -> Connections.pauseSlowReaders(clients, System.nanoTime() - startNanos, this::reading));
    }

    @Override
    public void stopPausingSlowReaders() {
        vertx.cancelTimer(slowTimer);
    }

    @Override
    public ConnectionCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        try {
            vertx.close().await(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.println("note: closing the connections took over 20 s (" + e + ")");
        }
    }

    private void open(int index) {
        Client c = clients.get(index);
        ClientWebSocket ws = wsClient.webSocket();
        Context context = Vertx.currentContext();
        c.owner = task -> context.runOnContext(v -> task.run());
        ws.binaryMessageHandler(b -> { });
        FrameScanner.Sink sink = new FrameScanner.Sink() {
            @Override
            public void message(long topicKey, long seq, long ts, int merged, boolean snapshot) {
                recorders.onMessage(c, topicKey, seq, ts, merged, snapshot);
            }

            @Override
            public void control(String type) {
                if (type.equals("welcome") && !c.subscribe.getJsonArray("topics").isEmpty()) {
                    ws.writeTextMessage(c.subscribe.encode());
                }
            }
        };
        ws.handler(buffer -> recorders.onFrame(c, buffer, sink));
        ws.closeHandler(v -> counters.closed(String.valueOf(ws.closeStatusCode())));
        ws.connect(connectOptions())
                .onSuccess(w -> {
                    sockets[index] = ws;
                    counters.connected();
                })
                .onFailure(counters::failed);
    }

    private WebSocketConnectOptions connectOptions() {
        URI url = config.url();
        int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(url.getHost()).setPort(port)
                .setSsl(tls).setAllowOriginHeader(false);   // not a browser: no Origin header
        if (config.token() != null) {
            options.addHeader("Authorization", "Bearer " + config.token());
        }
        return options.setURI(url.getRawPath() == null || url.getRawPath().isEmpty() ? "/ws" : url.getRawPath());
    }

    /** The WebSocket of the client at {@code index} reads or not (a slow reader); its event loop. */
    private void reading(int index, boolean on) {
        // a connection still opening, or closed, has nothing to pause
        ClientWebSocket ws = sockets[index];
        if (ws != null && !ws.isClosed()) {
            if (on) {
                ws.resume();
            } else {
                ws.pause();
            }
        }
    }
}
