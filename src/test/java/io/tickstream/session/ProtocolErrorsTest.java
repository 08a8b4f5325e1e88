package io.tickstream.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.tickstream.config.ServerConfig;
import io.tickstream.config.SimulatorConfig;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
import io.tickstream.support.TestStack;
import io.tickstream.support.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.websocket.WebSocketFrameImpl;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every error of the protocol's table, against a real server with the feed running. Each case
 * checks the documented answer, that the offending connection stays usable where it should, and
 * that a bystander subscribed to {@code stocks.*} keeps receiving in order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProtocolErrorsTest {

    private static final int MAX_SUBSCRIPTIONS = 5;
    private static final int MAX_MESSAGE_BYTES = 4096;

    @TempDir
    static Path dir;

    @RegisterExtension
    static final TestStack STACK = TestStack.perClass();
    private WsClient bystander;

    @BeforeAll
    static void start() throws Exception {
        Path queue = dir.resolve("queue");
        ServerConfig config = Fixture.server(queue).with(ServerConfig.HOST, "127.0.0.1")
                .with(ServerConfig.HEARTBEAT_MS, 300).with(ServerConfig.MAX_SUBSCRIPTIONS, MAX_SUBSCRIPTIONS)
                .with(ServerConfig.MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES).with(ServerConfig.CLIENT_RATE, 20)
                .with(ServerConfig.CLIENT_BURST, 40).with(ServerConfig.RATE_LIMIT_STRIKES, 20);
        STACK.server(config);
        Path symbols = Files.writeString(dir.resolve("symbols.csv"),
                "symbol,price,volatility\nAAPL,190,0.001\nMSFT,410,0.001\nNVDA,120,0.002\nAMZN,180,0.001\n"
                        + "META,500,0.001\nTSLA,250,0.002\n");
        STACK.simulator(Fixture.simulator(queue, 500, 9).with(SimulatorConfig.MATCHES, 4)
                .with(SimulatorConfig.SYMBOLS, symbols));
    }

    @BeforeEach
    void bystander() throws Exception {
        bystander = STACK.connect();
        bystander.request(subscribe("b", "stocks.*"), "subscribed");
    }

    @AfterEach
    void bystanderKeptReceivingInOrder() throws Exception {
        bystander.assertKeepsReceivingInOrder(20, Duration.ofSeconds(10));
        bystander.close();
    }

    private static JsonObject subscribe(String id, String... topics) {
        return Messages.subscribe(id, topics).json();
    }

    private static void assertError(JsonObject m, String code, String id) {
        assertEquals("error", m.getString("type"), m.encode());
        assertEquals(code, m.getString("code"), m.encode());
        assertEquals(id, m.getString("id"), m.encode());
        assertFalse(m.getString("message").isBlank());
    }

    /** Sends raw text and returns the next error; then proves the connection still answers a ping. */
    private static JsonObject errorFor(WsClient ws, String text) throws Exception {
        int errorsBefore = ws.ofType("error").size();
        ws.sendText(text);
        ws.awaitMessage(m -> ws.ofType("error").size() > errorsBefore, Duration.ofSeconds(10));
        JsonObject error = ws.ofType("error").get(errorsBefore);
        JsonObject pong = ws.request(new JsonObject().put("op", "ping").put("id", "alive"), "pong");
        assertEquals("pong", pong.getString("type"), "connection still open after " + text);
        return error;
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[1,2]", "42", "null", "\"op\"", "{\"op\":\"ping\"", "{} {}"})
    void shouldAnswerBadJsonAndStayOpen(String text) throws Exception {
        try (WsClient ws = STACK.connect()) {
            assertError(errorFor(ws, text), "bad_json", null);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"id\":\"r\"}",
        "{\"op\":5,\"id\":\"r\"}",
        "{\"op\":\"subscribe\",\"id\":\"r\"}",
        "{\"op\":\"subscribe\",\"id\":\"r\",\"topics\":\"stocks.AAPL\"}",
        "{\"op\":\"subscribe\",\"id\":\"r\",\"topics\":[]}",
        "{\"op\":\"subscribe\",\"id\":\"r\",\"topics\":[7]}",
        "{\"op\":\"subscribe\",\"id\":\"r\",\"topics\":[\"stocks.AAPL\"],\"snapshot\":\"yes\"}",
        "{\"op\":\"subscribe\",\"id\":\"r\",\"topics\":[\"stocks.AAPL\"],\"from\":-1}",
        "{\"op\":\"subscribe\",\"id\":\"r\",\"topics\":[\"stocks.AAPL\"],\"maxRate\":0}",
        "{\"op\":\"unsubscribe\",\"id\":\"r\"}",
    })
    void shouldAnswerBadRequestWithTheIdAndStayOpen(String text) throws Exception {
        try (WsClient ws = STACK.connect()) {
            assertError(errorFor(ws, text), "bad_request", "r");
        }
    }

    @Test
    void shouldAnswerBadRequestWithoutAnIdThatIsNotAString() throws Exception {
        try (WsClient ws = STACK.connect()) {
            assertError(errorFor(ws, "{\"op\":\"ping\",\"id\":7}"), "bad_request", null);
        }
    }

    @Test
    void shouldAnswerUnknownOp() throws Exception {
        try (WsClient ws = STACK.connect()) {
            assertError(errorFor(ws, "{\"op\":\"publish\",\"id\":\"x\"}"), "unknown_op", "x");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"stocks", "stocks..AAPL", "stocks.AA PL", "bonds.X", "sports.>.x", "", "stocks.A.B"})
    void shouldAnswerInvalidTopicAndSubscribeNothing(String topic) throws Exception {
        try (WsClient ws = STACK.connect()) {
            assertError(errorFor(ws, subscribe("t", "stocks.AAPL", topic).encode()), "invalid_topic", "t");
            assertTrue(ws.ofType("subscribed").isEmpty(), "the whole request is refused");
        }
    }

    @Test
    void shouldRefuseSubscriptionsOverTheLimitAndKeepTheOthers() throws Exception {
        try (WsClient ws = STACK.connect()) {
            assertEquals("subscribed", ws.request(subscribe("a", "stocks.AAPL", "stocks.MSFT", "stocks.NVDA"),
                    "subscribed").getString("type"));
            assertError(ws.request(subscribe("b", "stocks.AMZN", "stocks.META", "stocks.TSLA"), "subscribed"),
                    "too_many_subscriptions", "b");
            assertEquals("subscribed", ws.request(subscribe("c", "stocks.AMZN", "stocks.AAPL", "stocks.META"),
                    "subscribed").getString("type"), "re-subscribing a held topic costs nothing");
            assertError(ws.request(subscribe("d", "stocks.*"), "subscribed"), "too_many_subscriptions", "d");
            ws.awaitMessage(m -> "stocks.AAPL".equals(m.getString("topic")) && !m.getBoolean("snapshot", false),
                    Duration.ofSeconds(10));
        }
    }

    @Test
    void shouldAnswerRateLimitedAndKeepTheConnectionWhenTheClientSlowsDown() throws Exception {
        try (WsClient ws = STACK.connect()) {
            for (int i = 0; i < 45; i++) {
                ws.send(new JsonObject().put("op", "ping").put("id", "p" + i));
            }
            JsonObject limited = ws.awaitMessage(m -> "error".equals(m.getString("type")), Duration.ofSeconds(10));
            assertError(limited, "rate_limited", null);
            Thread.sleep(300);   // pacing: the client slows down, 300 ms without a message lets the limiter refill
            assertEquals("pong", ws.request(new JsonObject().put("op", "ping").put("id", "later"), "pong")
                    .getString("type"));
            assertFalse(ws.isClosed());
        }
    }

    @Test
    void shouldCloseWith1008AClientThatKeepsFlooding() throws Exception {
        try (WsClient ws = STACK.connect()) {
            for (int i = 0; i < 200; i++) {
                ws.send(new JsonObject().put("op", "ping").put("id", "p" + i));
            }
            assertEquals(1008, ws.awaitClose(Duration.ofSeconds(10)));
            assertEquals("rate limit exceeded", ws.closeReason());
            assertTrue(ws.ofType("error").size() >= 19, "rate_limited answers before the close");
            assertTrue(ws.ofType("error").stream().allMatch(e -> "rate_limited".equals(e.getString("code"))));
        }
    }

    @Test
    void shouldAnswerResumeUnavailableThenSnapshots() throws Exception {
        try (WsClient ws = STACK.connect()) {
            ws.send(Messages.subscribe("r", "stocks.*").from(1).snapshot(false).json());
            JsonObject error = ws.awaitMessage(m -> "error".equals(m.getString("type")), Duration.ofSeconds(10));
            assertError(error, "resume_unavailable", "r");
            JsonObject snap = ws.awaitMessage(m -> m.containsKey("seq"), Duration.ofSeconds(10));
            assertTrue(snap.getBoolean("snapshot"), "a snapshot comes first: " + snap.encode());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {MAX_MESSAGE_BYTES, 3 * MAX_MESSAGE_BYTES, 100 * MAX_MESSAGE_BYTES})
    void shouldCloseWith1009AMessageOverTheSizeLimit(int size) throws Exception {
        try (WsClient ws = STACK.connect()) {
            ws.sendText("{\"op\":\"ping\",\"id\":\"" + "x".repeat(size) + "\"}");
            assertEquals(1009, ws.awaitClose(Duration.ofSeconds(10)));
        }
    }

    @Test
    void shouldCloseWith1007InvalidUtf8() throws Exception {
        try (WsClient ws = STACK.connect()) {
            byte[] bad = {'{', '"', 'o', 'p', '"', ':', '"', (byte) 0xc3, (byte) 0x28, '"', '}'};
            ws.socket().writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, Unpooled.wrappedBuffer(bad), true));
            assertEquals(1007, ws.awaitClose(Duration.ofSeconds(10)));
        }
    }

    @Test
    void shouldCloseWith1003ABinaryFrame() throws Exception {
        try (WsClient ws = STACK.connect()) {
            ws.socket().writeBinaryMessage(Buffer.buffer("{\"op\":\"ping\"}"));
            assertEquals(1003, ws.awaitClose(Duration.ofSeconds(10)));
        }
    }

    @Test
    void shouldAnswerPingWithItsIdAndAServerTime() throws Exception {
        try (WsClient ws = STACK.connect()) {
            JsonObject pong = ws.request(new JsonObject().put("op", "ping").put("id", "42"), "pong");
            assertEquals("42", pong.getString("id"));
            assertTrue(Math.abs(pong.getLong("ts") - System.currentTimeMillis() * 1000) < 10_000_000L);
        }
    }

    @Test
    void shouldSendHeartbeatsOnAQuietConnection() throws Exception {
        try (WsClient ws = STACK.connect()) {
            JsonObject welcome = ws.awaitMessage(m -> "welcome".equals(m.getString("type")), Duration.ofSeconds(5));
            assertEquals(300, welcome.getLong("heartbeatMs"));
            assertEquals(1, welcome.getInteger("protocol"));
            JsonObject hb = ws.awaitMessage(m -> "heartbeat".equals(m.getString("type")), Duration.ofSeconds(5));
            assertTrue(hb.getLong("ts") > 0);
        }
    }

    @Test
    void shouldStopDeliveryOnUnsubscribe() throws Exception {
        try (WsClient ws = STACK.connect()) {
            ws.request(subscribe("s", "stocks.*", "sports.>"), "subscribed");
            ws.awaitMessage(m -> "tick".equals(m.getString("type")) && !m.getBoolean("snapshot", false),
                    Duration.ofSeconds(10));
            JsonObject ack = ws.request(new JsonObject().put("op", "unsubscribe").put("id", "u")
                    .put("topics", new JsonArray().add("stocks.*")), "unsubscribed");
            assertEquals(new JsonArray().add("stocks.*"), ack.getJsonArray("topics"));
            int at = ws.received().indexOf(ack);
            int scoresBefore = ws.ofType("score").size();
            ws.awaitMessage(m -> ws.ofType("score").size() > scoresBefore + 3, Duration.ofSeconds(10));
            List<JsonObject> after = ws.received().subList(at + 1, ws.received().size());
            assertTrue(after.stream().noneMatch(m -> "tick".equals(m.getString("type"))), "no tick after unsubscribed");
            assertTrue(after.stream().anyMatch(m -> "score".equals(m.getString("type"))), "sports.> still flows");
        }
    }
}
