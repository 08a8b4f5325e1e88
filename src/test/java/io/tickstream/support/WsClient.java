package io.tickstream.support;

import io.tickstream.feed.MicroClock;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket client for tests: connects to the server's {@code /ws}, records every server
 * message in arrival order (unpacking array frames), and lets a test wait for conditions.
 *
 * <p>What it receives is checked against the protocol's AsyncAPI document ({@link ProtocolCheck}:
 * every control message, a sample of the ticks and scores): {@link #close()} fails if a message
 * broke it, and so does the end of the test that made the client if it is never closed.
 */
public final class WsClient implements AutoCloseable {

    private final ClientWebSocket ws;
    /** Held so the client is not collected: Vert.x closes an unreachable client and its connections. */
    private final WebSocketClient client;
    private final List<JsonObject> received = new ArrayList<>();
    /** When each received message arrived (guarded by {@link #received}). */
    private final List<Long> receivedAt = new ArrayList<>();
    private volatile Short closeCode;
    private volatile String closeReason;
    private volatile int frames;
    private final ProtocolCheck check;

    /** Handlers are in place before the upgrade, so not even the {@code welcome} can be missed. */
    private WsClient(WebSocketClient client, String target) {
        this.client = client;
        this.check = new ProtocolCheck("the WsClient to " + target);
        this.ws = client.webSocket();
        ws.textMessageHandler(this::onText);
        ws.closeHandler(v -> {
            closeCode = ws.closeStatusCode();
            closeReason = ws.closeReason();
        });
    }

    /** A client whose sockets have a tiny receive buffer, so that a paused reader stalls the server quickly. */
    public static WebSocketClient slowClient(Vertx vertx) {
        return vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(20_000)
                .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22).setReceiveBufferSize(4096));
    }

    /** Stops reading from the socket (TCP backpressure reaches the server). */
    public void pause() {
        ws.pause();
    }

    public void resume() {
        ws.resume();
    }

    public static WsClient connect(WebSocketClient client, int port) throws Exception {
        WsClient c = new WsClient(client, "localhost:" + port + "/ws");
        c.ws.connect(port, "localhost", "/ws").await(10, TimeUnit.SECONDS);
        return c;
    }

    /** Connects with the given options (path, headers such as Authorization or Origin). */
    public static WsClient connect(WebSocketClient client, WebSocketConnectOptions options)
            throws Exception {
        WsClient c = new WsClient(client, options.getHost() + ":" + options.getPort() + options.getURI());
        c.ws.connect(options).await(10, TimeUnit.SECONDS);
        return c;
    }

    /** A WebSocket client with room for thousands of connections and the server's largest frames. */
    public static WebSocketClient client(Vertx vertx) {
        return vertx.createWebSocketClient(options());
    }

    /** The options of {@link #client}: many connections, frames and messages as large as the server's. */
    public static WebSocketClientOptions options() {
        return new WebSocketClientOptions().setMaxConnections(20_000).setMaxFrameSize(1 << 20)
                .setMaxMessageSize(1 << 22);
    }

    private void onText(String text) {
        frames++;
        long now = MicroClock.nowMicros();
        Object value = Json.decodeValue(text);
        // checked before it is recorded: a message a test has seen has been checked
        if (value instanceof JsonArray array) {
            for (Object o : array) {
                check.check((JsonObject) o);
            }
        } else {
            check.check((JsonObject) value);
        }
        synchronized (received) {
            if (value instanceof JsonArray array) {
                for (Object o : array) {
                    received.add((JsonObject) o);
                    receivedAt.add(now);
                }
            } else {
                received.add((JsonObject) value);
                receivedAt.add(now);
            }
        }
    }

    /** When each message of {@link #received()} arrived, microseconds since the epoch, in the same order. */
    public List<Long> receivedAtMicros() {
        synchronized (received) {
            return new ArrayList<>(receivedAt);
        }
    }

    /** The check of what this client received against the protocol's AsyncAPI document. */
    public ProtocolCheck protocolCheck() {
        return check;
    }

    public WebSocket socket() {
        return ws;
    }

    public void send(JsonObject message) {
        ws.writeTextMessage(message.encode());
    }

    public void sendText(String text) {
        ws.writeTextMessage(text);
    }

    /** A copy of everything received so far, in order. */
    public List<JsonObject> received() {
        synchronized (received) {
            return new ArrayList<>(received);
        }
    }

    /** Messages of one {@code type}, in order. */
    public List<JsonObject> ofType(String type) {
        List<JsonObject> out = new ArrayList<>();
        for (JsonObject m : received()) {
            if (type.equals(m.getString("type"))) {
                out.add(m);
            }
        }
        return out;
    }

    /** The seqs of the live (not snapshot, not replay) ticks and scores received so far, in the order received. */
    public List<Long> liveSeqs() {
        List<Long> seqs = new ArrayList<>();
        for (JsonObject m : received()) {
            String type = m.getString("type");
            if (("tick".equals(type) || "score".equals(type)) && !m.getBoolean("snapshot", false)
                    && !m.containsKey("replay")) {
                seqs.add(m.getLong("seq"));
            }
        }
        return seqs;
    }

    /**
     * For a subscriber kept beside a misbehaving client: asserts that it goes on receiving (more
     * than {@code more} new live messages within {@code within}), every live message in {@code seq}
     * order, and that its connection is still open.
     */
    public void assertKeepsReceivingInOrder(int more, Duration within) throws InterruptedException {
        int before = liveSeqs().size();
        Fixture.await(() -> liveSeqs().size() > before + more, within, "the bystander to keep receiving");
        List<Long> seqs = liveSeqs();
        for (int i = 1; i < seqs.size(); i++) {
            if (seqs.get(i) <= seqs.get(i - 1)) {
                throw new AssertionError("the bystander's messages out of seq order at " + i + ": "
                        + seqs.get(i - 1) + " then " + seqs.get(i));
            }
        }
        if (isClosed()) {
            throw new AssertionError("the bystander's connection was closed");
        }
    }

    public int frames() {
        return frames;
    }

    /** Waits until some received message satisfies {@code p}, and returns it. */
    public JsonObject awaitMessage(Predicate<JsonObject> p, Duration timeout) throws InterruptedException {
        int[] from = {0};
        return Await.result(() -> {
            List<JsonObject> all = received();
            for (int i = from[0]; i < all.size(); i++) {
                if (p.test(all.get(i))) {
                    return all.get(i);
                }
            }
            from[0] = all.size();
            return null;
        }, timeout, () -> "no matching message within " + timeout + "; last received: " + tail(received(), 5)
                + (closeCode != null ? "; the server closed the connection: " + closeCode + " " + closeReason
                        : "; the connection is open"));
    }

    /** Sends {@code message} and waits for the answer of {@code type} carrying the same {@code id}. */
    public JsonObject request(JsonObject message, String answerType) throws InterruptedException {
        String id = message.getString("id");
        send(message);
        return awaitMessage(m -> id.equals(m.getString("id"))
                && (answerType.equals(m.getString("type")) || "error".equals(m.getString("type"))),
                Duration.ofSeconds(10));
    }

    /** Waits for the server to close the connection, and returns the close code. */
    public short awaitClose(Duration timeout) throws InterruptedException {
        return Await.result(() -> closeCode, timeout, () -> "connection not closed within " + timeout);
    }

    public String closeReason() {
        return closeReason;
    }

    public boolean isClosed() {
        return ws.isClosed();
    }

    /** Closes the connection; fails if a message it received broke the protocol's AsyncAPI document. */
    @Override
    public void close() {
        if (!ws.isClosed()) {
            ws.close();
        }
        check.assertValid();
    }

    private static List<JsonObject> tail(List<JsonObject> l, int n) {
        return l.subList(Math.max(0, l.size() - n), l.size());
    }
}
