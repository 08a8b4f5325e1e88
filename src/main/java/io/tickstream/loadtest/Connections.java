package io.tickstream.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.PrintStream;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The run's WebSocket connections, on a Vert.x of one event loop per core: opened on a ramp, each
 * subscribing on the server's welcome and handing its frames to the {@link Recorders}; the slow
 * readers paused and resumed; connects, failures and closes counted.
 *
 * <p>Threading: each connection is opened and handled on its event loop; the counters are atomic;
 * {@link #openAll}, the slow readers' timer and {@link #close} are called by the reporting thread.
 */
final class Connections implements AutoCloseable {

    private final LoadTest.Config config;
    private final List<Client> clients;
    private final Recorders recorders;
    private final PrintStream log;
    private final Vertx vertx;
    private final WebSocketClient wsClient;
    private final boolean tls;
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger failedToConnect = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private final Map<String, LongAdder> closes = new ConcurrentHashMap<>();
    private long slowTimer = -1;

    Connections(LoadTest.Config config, List<Client> clients, Recorders recorders, PrintStream log) {
        this.config = config;
        this.clients = clients;
        this.recorders = recorders;
        this.log = log;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Runtime.getRuntime().availableProcessors()));
        this.tls = config.url().getScheme().equals("wss");
        this.wsClient = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(config.clients() + 16).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 24)
                .setSsl(tls).setTrustAll(tls).setVerifyHost(false).setConnectTimeout(30_000));
    }

    /**
     * Opens every client, {@code config.rampPerSecond()} a second from now, and pauses the slow
     * readers for 4 s in every 5 s from {@code startNanos} on.
     */
    void openAll(long startNanos) {
        for (int i = 0; i < clients.size(); i++) {
            Client c = clients.get(i);
            long at = (long) (i * 1000.0 / config.rampPerSecond());
            vertx.setTimer(Math.max(1, at), t -> open(c));
        }
        slowTimer = vertx.setPeriodic(1000, t -> pauseSlowReaders(System.nanoTime() - startNanos));
    }

    /** Stops pausing and resuming the slow readers (as they are when called). */
    void stopPausingSlowReaders() {
        vertx.cancelTimer(slowTimer);
    }

    /** Connections open now. */
    int connected() {
        return connected.get();
    }

    /** Open connections, failed attempts and closes by close code, as now. */
    Report.ConnectionCounts counts() {
        Map<String, Long> byCode = new HashMap<>();
        closes.forEach((code, n) -> byCode.put(code, n.sum()));
        return new Report.ConnectionCounts(connected.get(), failedToConnect.get(), Map.copyOf(byCode));
    }

    /** Closes every connection and the Vert.x; waits up to 20 s, then says on the log it gave up. */
    @Override
    public void close() {
        try {
            vertx.close().await(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.println("note: closing the connections took over 20 s (" + e + ")");
        }
    }

    private void open(Client c) {
        ClientWebSocket ws = wsClient.webSocket();
        c.ws = ws;
        c.context = Vertx.currentContext();
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
        ws.closeHandler(v -> {
            connected.decrementAndGet();
            closes.computeIfAbsent(String.valueOf(ws.closeStatusCode()), k -> new LongAdder()).increment();
        });
        ws.connect(connectOptions())
                .onSuccess(w -> {
                    c.open = true;
                    connected.incrementAndGet();
                    attempted();
                })
                .onFailure(e -> {
                    if (failedToConnect.incrementAndGet() == 1) {
                        log.println("loadtest: a connection failed: " + e);   // the first one says why
                    }
                    attempted();
                });
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

    /** A connection attempt was answered: once all are, the warm-up starts (ramp and snapshots are over). */
    private void attempted() {
        if (answered.incrementAndGet() == config.clients()) {
            recorders.allAnswered();
        }
    }

    /** Slow readers read for one second in five; each is paused or resumed on its own event loop. */
    private void pauseSlowReaders(long elapsedNanos) {
        boolean pause = (elapsedNanos / 1_000_000_000L) % 5 != 4;
        for (Client c : clients) {
            if (c.kind == Client.Kind.SLOW && c.context != null) {
                c.context.runOnContext(v -> {
                    // a connection still opening, or closed, has nothing to pause
                    if (c.open && !c.ws.isClosed()) {
                        if (pause) {
                            c.ws.pause();
                        } else {
                            c.ws.resume();
                        }
                    }
                });
            }
        }
    }
}
