package io.tickstream.loadtest;

import static io.tickstream.loadtest.LoadTestSettings.CLIENTS;
import static io.tickstream.loadtest.LoadTestSettings.RAMP;
import static io.tickstream.loadtest.LoadTestSettings.URL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.support.Await;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The harness's own WebSocket client against a peer that does what a server may: refuse the
 * upgrade, ping, fragment a message, send a frame larger than the client's read buffer, close with
 * a code of its own. A stage test: the peer is a plain Vert.x server, not tickstream.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RawConnectionsTest {

    /** Ticks in the one big frame: an array well over the client's 256 KiB read buffer. */
    private static final int BIG_FRAME_TICKS = 4000;

    private Vertx vertx;
    private HttpServer server;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<String> pongs = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startPeer() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(request -> {
            if (request.path().equals("/flood")) {
                request.toWebSocket().onSuccess(this::flood);
                return;
            }
            if (request.path().equals("/interleaved")) {
                // a new message inside a fragmented one: against RFC 6455
                request.toWebSocket().onSuccess(ws -> {
                    ws.writeFrame(WebSocketFrame.textFrame("[", false));
                    ws.writeFrame(WebSocketFrame.textFrame("{}", true));
                });
                return;
            }
            if (!request.path().equals("/ws")) {
                request.response().setStatusCode(503).end("starting");
                return;
            }
            request.toWebSocket().onSuccess(this::converse);
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    }

    /** Welcome; on the subscribe a ping, a fragmented tick, one big frame of ticks; on the pong a close. */
    private void converse(ServerWebSocket ws) {
        ws.pongHandler(payload -> {
            pongs.add(payload.toString(StandardCharsets.UTF_8));
            ws.close((short) 4001, "enough");
        });
        ws.textMessageHandler(text -> {
            received.add(text);
            String fragmented = tick(1).encode();
            int half = fragmented.length() / 2;
            ws.writeFrame(WebSocketFrame.textFrame(fragmented.substring(0, half), false));
            ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(fragmented.substring(half)), true));
            JsonArray big = new JsonArray();
            for (int i = 0; i < BIG_FRAME_TICKS; i++) {
                big.add(tick(2 + i));
            }
            ws.writeFrame(WebSocketFrame.textFrame(big.encode(), true));
            ws.writePing(Buffer.buffer("are you there"));
        });
        ws.writeTextMessage(new JsonObject().put("type", "welcome").encode());
    }

    /** When the flood's writes backed up at the peer (the client stopped reading), and when they drained. */
    private final java.util.concurrent.CompletableFuture<Long> backedUp = new java.util.concurrent.CompletableFuture<>();
    private final java.util.concurrent.CompletableFuture<Long> drained = new java.util.concurrent.CompletableFuture<>();

    /** 64 KB of ticks every 10 ms (6.4 MB/s, which a reading client takes) until the writes back up. */
    private void flood(ServerWebSocket ws) {
        String frame = new JsonArray(java.util.stream.LongStream.range(0, 200).mapToObj(RawConnectionsTest::tick)
                .toList()).encode();
        long[] timer = new long[1];
        timer[0] = vertx.setPeriodic(10, t -> {
            if (ws.isClosed()) {
                vertx.cancelTimer(timer[0]);
            } else if (!ws.writeQueueFull()) {
                ws.writeFrame(WebSocketFrame.textFrame(frame, true));
            } else if (!backedUp.isDone()) {
                backedUp.complete(System.nanoTime());
                ws.drainHandler(v -> drained.complete(System.nanoTime()));
            }
        });
    }

    private static JsonObject tick(long seq) {
        return new JsonObject().put("type", "tick").put("topic", "stocks.T" + (seq % 7)).put("seq", seq)
                .put("ts", System.currentTimeMillis() * 1000).put("symbol", "T" + (seq % 7)).put("bid", 1.5)
                .put("ask", 1.75).put("note", "padding to make the big frame big: " + "x".repeat(40));
    }

    @AfterEach
    void stopPeer() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private static LoadTest.Config config(String url, int clients) {
        return LoadTestSettings.SETTINGS.defaults().with(URL, URI.create(url)).with(CLIENTS, clients).with(RAMP, 1000)
                .toConfig();
    }

    @Test
    void shouldTakeFragmentedAndLargeFramesAnswerPingsAndCountTheServersCloseCode() throws Exception {
        JsonObject subscribe = new JsonObject().put("op", "subscribe").put("topics", new JsonArray().add("stocks.*"));
        List<Client> clients = List.of(new Client(Client.Kind.HEALTHY, subscribe));
        Recorders recorders = new Recorders(clients, false, 0);
        recorders.measureFrom(System.nanoTime());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Connections connections = Connections.open(config("ws://127.0.0.1:" + server.actualPort() + "/ws", 1),
                clients, recorders, new PrintStream(log, true))) {
            assertTrue(connections instanceof RawConnections, "ws:// runs on the harness's own client");
            connections.openAll(System.nanoTime());
            Await.until(() -> connections.counts().closes().containsKey("4001"), Duration.ofSeconds(20),
                    "the peer's close");
            assertEquals(List.of(subscribe.encode()), received, "the subscribe, sent once on the welcome");
            assertEquals(List.of("are you there"), pongs, "the ping answered with its payload");
            assertEquals(1 + BIG_FRAME_TICKS, recorders.delivered(), "the fragmented tick and every tick of the big frame");
            Report.ConnectionCounts counts = connections.counts();
            assertEquals(0, counts.connectedAtEnd());
            assertEquals(0, counts.failedToConnect());
            assertEquals(Map.of("4001", 1L), counts.closes());
        }
    }

    @Test
    void shouldCountARefusedUpgradeAsFailedAndSayWhy() throws Exception {
        List<Client> clients = List.of(new Client(Client.Kind.HEALTHY, new JsonObject().put("topics", new JsonArray())),
                new Client(Client.Kind.HEALTHY, new JsonObject().put("topics", new JsonArray())));
        Recorders recorders = new Recorders(clients, false, 0);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Connections connections = Connections.open(config("ws://127.0.0.1:" + server.actualPort() + "/not-ws", 2),
                clients, recorders, new PrintStream(log, true))) {
            connections.openAll(System.nanoTime());
            Await.until(() -> connections.counts().failedToConnect() == 2, Duration.ofSeconds(20), "two refusals");
            assertEquals(0, connections.connected());
            // the count moves just before the line is printed
            Await.until(() -> log.toString(StandardCharsets.UTF_8).contains("503"), Duration.ofSeconds(20), "the reason");
            String said = log.toString(StandardCharsets.UTF_8);
            assertTrue(said.contains("HTTP/1.1 503"), "the first failure says why: " + said);
            assertEquals(1, said.lines().count(), "only the first failure is logged: " + said);
        }
    }

    @Test
    void shouldCountAConnectionNobodyAcceptsAsFailed() throws Exception {
        int port = server.actualPort();
        server.close().await(10, TimeUnit.SECONDS);   // nothing listens there now
        List<Client> clients = List.of(new Client(Client.Kind.HEALTHY, new JsonObject().put("topics", new JsonArray())));
        Recorders recorders = new Recorders(clients, false, 0);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Connections connections = Connections.open(config("ws://127.0.0.1:" + port + "/ws", 1), clients,
                recorders, new PrintStream(log, true))) {
            connections.openAll(System.nanoTime());
            Await.until(() -> connections.counts().failedToConnect() == 1, Duration.ofSeconds(20), "the refusal");
            // the count moves just before the line is printed
            Await.until(() -> log.toString(StandardCharsets.UTF_8).contains("Connection refused"), Duration.ofSeconds(20),
                    "the reason on the log");
        }
    }

    @Test
    void shouldCloseWith1002WhenTheServerBreaksTheProtocol() throws Exception {
        List<Client> clients = List.of(new Client(Client.Kind.HEALTHY, new JsonObject().put("topics", new JsonArray())));
        Recorders recorders = new Recorders(clients, false, 0);
        try (Connections connections = Connections.open(config("ws://127.0.0.1:" + server.actualPort() + "/interleaved", 1),
                clients, recorders, new PrintStream(new ByteArrayOutputStream(), true))) {
            connections.openAll(System.nanoTime());
            Await.until(() -> !connections.counts().closes().isEmpty(), Duration.ofSeconds(20), "the close");
            assertEquals(Map.of("1002 (a new message inside a fragmented one)", 1L), connections.counts().closes());
            assertEquals(0, recorders.delivered());
        }
    }

    @Test
    void shouldStopReadingForASlowReaderAndReadAgainInItsFifthSecond() throws Exception {
        List<Client> clients = List.of(new Client(Client.Kind.SLOW, new JsonObject().put("topics", new JsonArray())));
        Recorders recorders = new Recorders(clients, false, 0);
        try (Connections connections = Connections.open(config("ws://127.0.0.1:" + server.actualPort() + "/flood", 1),
                clients, recorders, new PrintStream(new ByteArrayOutputStream(), true))) {
            long start = System.nanoTime();
            connections.openAll(start);
            // paused from its first second on: the peer's writes back up; read again in the fifth: they drain
            long full = backedUp.get(20, TimeUnit.SECONDS);
            long again = drained.get(20, TimeUnit.SECONDS);
            assertTrue(full - start >= TimeUnit.SECONDS.toNanos(1), "not paused before its first second");
            assertTrue(again - start >= TimeUnit.SECONDS.toNanos(4), "read again only in its fifth second");
            assertTrue(recorders.delivered() > 0, "read before and after the pause");
        }
    }
}
