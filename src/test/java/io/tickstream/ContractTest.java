package io.tickstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.tickstream.auth.TokenAuthority;
import io.tickstream.config.ServerConfig;
import io.tickstream.config.SimulatorConfig;
import io.tickstream.feed.TopicPattern;
import io.tickstream.session.ErrorCode;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
import io.tickstream.support.ProtocolSchema;
import io.tickstream.support.TestStack;
import io.tickstream.support.WsClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * The protocol's AsyncAPI document ({@code docs/asyncapi.yaml}) against the server: a real server
 * (auth on, so that {@code forbidden} can be provoked) on a real queue fed by the simulator, and
 * real WebSocket clients. Every message of a whole conversation validates, and so does the answer
 * to every error a client can provoke; messages broken on purpose do not (so this test can fail);
 * the 1.1 messages, which this server does not send yet, are checked as the contract's examples;
 * and the document itself is checked as an AsyncAPI 3.0 document.
 *
 * <p>{@link ProtocolSchema#PENDING_FIELDS} lists the fields the document requires that this server
 * does not send yet: the messages received may lack them, the examples may not.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ContractTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-contract";
    private static final int MAX_SUBSCRIPTIONS = 5;
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ProtocolSchema SCHEMA = ProtocolSchema.get();
    /** Every code of the contract's Errors table (PROTOCOL.md), 1.1 included. */
    private static final Set<String> CONTRACT_ERROR_CODES = Set.of("bad_json", "bad_request", "unknown_op",
            "invalid_topic", "too_many_subscriptions", "rate_limited", "resume_unavailable", "resume_ahead",
            "replay_unavailable", "too_many_replays", "forbidden");

    @TempDir
    static Path dir;

    @RegisterExtension
    static final TestStack STACK = TestStack.perClass();
    private static TokenAuthority tokens;
    private static Path queue;

    @BeforeAll
    static void start() throws Exception {
        queue = dir.resolve("queue");
        Path secret = Fixture.writeSecret(dir.resolve("secret"), SECRET + "\n");
        tokens = TokenAuthority.fromSecretFile(secret);
        STACK.server(Fixture.server(queue).with(ServerConfig.HOST, "127.0.0.1")
                .with(ServerConfig.AUTH_SECRET_FILE, secret).with(ServerConfig.HEARTBEAT_MS, 300)
                .with(ServerConfig.MAX_SUBSCRIPTIONS, MAX_SUBSCRIPTIONS).with(ServerConfig.CLIENT_RATE, 20)
                .with(ServerConfig.CLIENT_BURST, 40).with(ServerConfig.RATE_LIMIT_STRIKES, 20)
                .with(ServerConfig.RESUME_AHEAD_WAIT_MS, 200));
        STACK.simulator(Fixture.simulator(queue, 500, 11).with(SimulatorConfig.MATCHES, 4)
                .with(SimulatorConfig.MATCH_MINUTE_MS, 20).with(SimulatorConfig.CORRECTION_SHARE, 0.5));
        Fixture.awaitQueueGrowth(queue, 300, WAIT);   // every symbol and match has a latest message to snapshot
    }

    /** A client with a token for {@code patterns}. */
    private static WsClient connect(String... patterns) throws Exception {
        String token = tokens.mint("contract", Arrays.stream(patterns).map(TopicPattern::parse).toList(), 3600);
        return WsClient.connect(STACK.client(), new WebSocketConnectOptions().setHost("127.0.0.1")
                .setPort(STACK.port()).setURI("/ws").addHeader("Authorization", "Bearer " + token));
    }

    /** Asserts that a message the server sent validates (fields still pending may be missing). */
    private static void assertValid(JsonObject m) {
        assertEquals(List.of(), SCHEMA.validateReceived(m), () -> "breaks the document: " + m.encode());
    }

    private static JsonObject await(WsClient ws, Predicate<JsonObject> p) throws InterruptedException {
        return ws.awaitMessage(p, WAIT);
    }

    private static Predicate<JsonObject> type(String type) {
        return m -> type.equals(m.getString("type"));
    }

    private static Predicate<JsonObject> live(String type) {
        return type(type).and(m -> !m.containsKey("snapshot"));
    }

    // ------------------------------------------------------------------ live messages

    @Test
    void shouldSendOnlyValidMessagesInAWholeConversation() throws Exception {
        try (WsClient ws = connect(">")) {
            JsonObject welcome = await(ws, type("welcome"));
            assertEquals(1, welcome.getInteger("protocol"));
            assertTrue(welcome.getJsonArray("features").contains("corrections"), welcome.encode());
            ws.request(Messages.subscribeAll("all").json(), "subscribed");
            await(ws, type("tick").and(m -> m.getBoolean("snapshot", false)));
            await(ws, type("score").and(m -> m.getBoolean("snapshot", false)));
            await(ws, live("tick"));
            await(ws, live("score").and(m -> m.containsKey("event")));
            await(ws, live("score").and(m -> !m.containsKey("event")));
            await(ws, live("score").and(m -> m.getValue("event") instanceof JsonObject e
                    && "correction".equals(e.getString("kind"))));
            assertEquals("pong", ws.request(new JsonObject().put("op", "ping").put("id", "p"), "pong")
                    .getString("type"));
            assertEquals("unsubscribed", ws.request(new JsonObject().put("op", "unsubscribe").put("id", "u")
                    .put("topics", new JsonArray().add("sports.>")), "unsubscribed").getString("type"));

            List<JsonObject> all = ws.received();
            Set<String> types = new TreeSet<>();
            for (JsonObject m : all) {
                assertValid(m);
                types.add(m.getString("type"));
                if (m.getValue("event") instanceof JsonObject e) {
                    // corrections announced: every event has an id to be retracted by
                    assertTrue(e.getValue("id") instanceof String id && !id.isEmpty(), "an event without id: "
                            + m.encode());
                }
            }
            types.remove("heartbeat");   // the feed may leave a gap of heartbeatMs
            assertEquals(new TreeSet<>(List.of("pong", "score", "subscribed", "tick", "unsubscribed", "welcome")),
                    types);
            assertTrue(ws.protocolCheck().checked() > 0, "the client checked what it received");
            assertEquals(0, ws.protocolCheck().invalid());
        }
    }

    @Test
    void shouldSendValidConflatedTicksUnderMaxRate() throws Exception {
        try (WsClient ws = connect(">")) {
            ws.request(Messages.subscribe("slow", "stocks.*").maxRate(1).snapshot(false).json(), "subscribed");
            assertValid(await(ws, live("tick").and(m -> m.containsKey("conflated"))));
        }
    }

    @Test
    void shouldSendAValidHeartbeatOnAQuietConnection() throws Exception {
        try (WsClient ws = connect(">")) {
            assertValid(await(ws, type("heartbeat")));
        }
    }

    // ------------------------------------------------------------------ every error a client can provoke

    static Stream<Arguments> malformedRequests() {
        return Stream.of(
                Arguments.of("bad_json", "not json", null),
                Arguments.of("bad_json", "[1,2]", null),
                Arguments.of("bad_request", "{\"op\":\"subscribe\",\"id\":\"r\"}", "r"),
                Arguments.of("bad_request", "{\"op\":\"ping\",\"id\":7}", null),
                Arguments.of("bad_request", "{\"op\":\"subscribe\",\"id\":\"r\",\"topics\":[\"stocks.AAPL\"],\"maxRate\":0}",
                        "r"),
                Arguments.of("unknown_op", "{\"op\":\"publish\",\"id\":\"x\"}", "x"),
                Arguments.of("invalid_topic", "{\"op\":\"subscribe\",\"id\":\"t\",\"topics\":[\"stocks..AAPL\"]}", "t"),
                Arguments.of("too_many_subscriptions", Messages.subscribe("m", "stocks.A1", "stocks.A2", "stocks.A3",
                        "stocks.A4", "stocks.A5", "stocks.A6").json().encode(), "m"),
                Arguments.of("resume_unavailable", Messages.subscribe("r", "stocks.*").from(1).json().encode(), "r"));
    }

    @ParameterizedTest
    @MethodSource("malformedRequests")
    void shouldAnswerEveryMalformedRequestWithAValidError(String code, String request, String id) throws Exception {
        try (WsClient ws = connect(">")) {
            ws.sendText(request);
            JsonObject error = await(ws, type("error"));
            assertEquals(code, error.getString("code"), error.encode());
            assertEquals(id, error.getString("id"), error.encode());
            assertValid(error);
        }
    }

    @Test
    void shouldAnswerAValidRateLimited() throws Exception {
        try (WsClient ws = connect(">")) {
            for (int i = 0; i < 45; i++) {
                ws.send(new JsonObject().put("op", "ping").put("id", "p" + i));
            }
            JsonObject error = await(ws, type("error"));
            assertEquals(ErrorCode.RATE_LIMITED, error.getString("code"), error.encode());
            assertValid(error);
        }
    }

    @Test
    void shouldAnswerAValidResumeAheadWithItsHead() throws Exception {
        try (WsClient ws = connect(">")) {
            ws.request(Messages.subscribe("s", "stocks.*").json(), "subscribed");
            long seq = await(ws, type("tick")).getLong("seq");
            ws.send(Messages.subscribe("ahead", "sports.>").from(seq + 1_000_000_000L).json());
            JsonObject error = await(ws, type("error"));
            assertEquals(ErrorCode.RESUME_AHEAD, error.getString("code"), error.encode());
            assertTrue(error.getLong("head") >= seq, error.encode());
            assertValid(error);
        }
    }

    @Test
    void shouldAnswerAValidForbidden() throws Exception {
        try (WsClient ws = connect("stocks.AAPL")) {
            JsonObject error = ws.request(Messages.subscribe("f", "stocks.*").json(), "subscribed");
            assertEquals(ErrorCode.FORBIDDEN, error.getString("code"), error.encode());
            assertValid(error);
        }
    }

    // ------------------------------------------------------------------ what must not validate

    static Stream<Arguments> brokenServerMessages() {
        String tick = "\"type\":\"tick\",\"topic\":\"stocks.AAPL\",\"ts\":1764670000123456,\"symbol\":\"AAPL\","
                + "\"bid\":190.12,\"ask\":190.14,\"last\":190.13,\"size\":300,\"volume\":1250400";
        String score = "\"type\":\"score\",\"topic\":\"sports.football.ARS-CHE\",\"seq\":7,\"ts\":1764670000124000,"
                + "\"sport\":\"football\",\"match\":\"ARS-CHE\",\"home\":\"Arsenal\",\"away\":\"Chelsea\","
                + "\"homeScore\":1,\"awayScore\":0,\"status\":\"live\"";
        return Stream.of(
                Arguments.of("a tick without seq", "{" + tick + "}"),
                Arguments.of("a tick whose seq is a string", "{" + tick + ",\"seq\":\"7\"}"),
                Arguments.of("a negative seq", "{" + tick + ",\"seq\":-7}"),
                Arguments.of("a tick without bid", ("{" + tick + ",\"seq\":7}").replace("\"bid\":190.12,", "")),
                Arguments.of("a fractional size", ("{" + tick + ",\"seq\":7}").replace("\"size\":300", "\"size\":1.5")),
                Arguments.of("a snapshot marked false", "{" + tick + ",\"seq\":7,\"snapshot\":false}"),
                Arguments.of("conflated 0", "{" + tick + ",\"seq\":7,\"conflated\":0}"),
                Arguments.of("a tick on a sports topic",
                        ("{" + tick + ",\"seq\":7}").replace("stocks.AAPL", "sports.football.ARS-CHE")),
                Arguments.of("a trace without sent", "{" + tick + ",\"seq\":7,\"trace\":{\"read\":1764670000123500}}"),
                Arguments.of("a score with an unknown status", ("{" + score + ",\"clock\":\"23:00\"}")
                        .replace("\"live\"", "\"paused\"")),
                Arguments.of("a clock without minutes' two digits", "{" + score + ",\"clock\":\"5:00\"}"),
                Arguments.of("a score without clock", "{" + score + "}"),
                Arguments.of("an event without kind", "{" + score + ",\"clock\":\"23:00\",\"event\":{\"minute\":23}}"),
                Arguments.of("a card of another colour",
                        "{" + score + ",\"clock\":\"23:00\",\"event\":{\"kind\":\"card\",\"card\":\"green\"}}"),
                Arguments.of("a correction that retracts nothing",
                        "{" + score + ",\"clock\":\"23:00\",\"event\":{\"id\":\"e9\",\"kind\":\"correction\"}}"),
                Arguments.of("a correction that says not why", "{" + score + ",\"clock\":\"23:00\",\"event\":"
                        + "{\"id\":\"e9\",\"kind\":\"correction\",\"retracts\":\"e7\"}}"),
                Arguments.of("a late score", "{" + score + ",\"clock\":\"23:00\",\"late\":-5}"),
                Arguments.of("a welcome of protocol 2",
                        "{\"type\":\"welcome\",\"session\":\"s\",\"protocol\":2,\"heartbeatMs\":10000,\"features\":[]}"),
                Arguments.of("a welcome without heartbeatMs",
                        "{\"type\":\"welcome\",\"session\":\"s\",\"protocol\":1,\"features\":[]}"),
                Arguments.of("a feature nobody defined",
                        "{\"type\":\"welcome\",\"session\":\"s\",\"protocol\":1,\"heartbeatMs\":10000,"
                                + "\"features\":[\"teleport\"]}"),
                Arguments.of("subscribed to no topic", "{\"type\":\"subscribed\",\"id\":\"1\",\"topics\":[],\"snapshotSeq\":7}"),
                Arguments.of("a snapshotSeq below -1",
                        "{\"type\":\"subscribed\",\"topics\":[\"stocks.*\"],\"snapshotSeq\":-2}"),
                Arguments.of("unsubscribed without topics", "{\"type\":\"unsubscribed\",\"id\":\"u\"}"),
                Arguments.of("a pong without ts", "{\"type\":\"pong\",\"id\":\"p\"}"),
                Arguments.of("a heartbeat whose ts is text", "{\"type\":\"heartbeat\",\"ts\":\"now\"}"),
                Arguments.of("an error code not in the contract",
                        "{\"type\":\"error\",\"code\":\"teapot\",\"message\":\"short and stout\"}"),
                Arguments.of("an error without message", "{\"type\":\"error\",\"code\":\"bad_json\"}"),
                Arguments.of("an id that is a number", "{\"type\":\"error\",\"code\":\"bad_json\",\"message\":\"m\",\"id\":7}"),
                Arguments.of("resume_ahead without head",
                        "{\"type\":\"error\",\"code\":\"resume_ahead\",\"message\":\"m\",\"id\":\"r\"}"),
                Arguments.of("a snapshot reply without at", "{\"type\":\"snapshot\",\"id\":\"s1\",\"messages\":[]}"),
                Arguments.of("a snapshot reply holding a heartbeat",
                        "{\"type\":\"snapshot\",\"id\":\"s1\",\"at\":7,\"messages\":[{\"type\":\"heartbeat\",\"ts\":1}]}"),
                Arguments.of("replaying without count",
                        "{\"type\":\"replaying\",\"id\":\"r1\",\"fromSeq\":1,\"toSeq\":9}"),
                Arguments.of("replayed without id", "{\"type\":\"replayed\",\"count\":3}"),
                Arguments.of("a type the contract does not know", "{\"type\":\"trade\",\"ts\":1}"),
                Arguments.of("no type", "{\"seq\":7}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenServerMessages")
    void shouldRejectABrokenServerMessage(String what, String json) {
        JsonObject m = new JsonObject(json);
        assertFalse(SCHEMA.validate(m).isEmpty(), what + " passed: " + json);
        assertFalse(SCHEMA.validateReceived(m).isEmpty(), what + " would pass a test client: " + json);
    }

    @Test
    void shouldRequireThePendingFieldsOfEveryExampleButNotYetOfWhatThisServerSends() {
        JsonObject welcome = new JsonObject("{\"type\":\"welcome\",\"session\":\"s\",\"protocol\":1,\"heartbeatMs\":300}");
        JsonObject subscribed = new JsonObject("{\"type\":\"subscribed\",\"id\":\"1\",\"topics\":[\"stocks.*\"]}");
        for (JsonObject m : List.of(welcome, subscribed)) {
            List<String> strict = SCHEMA.validate(m);
            assertEquals(1, strict.size(), m.encode() + ": " + strict);
            assertTrue(strict.get(0).contains("features") || strict.get(0).contains("snapshotSeq"), strict.get(0));
            String field = m.getString("type") + "." + (m.getString("type").equals("welcome") ? "features" : "snapshotSeq");
            assertEquals(ProtocolSchema.PENDING_FIELDS.contains(field), SCHEMA.validateReceived(m).isEmpty(), field);
        }
    }

    // ------------------------------------------------------------------ 1.1, from the contract's examples

    static Stream<String> protocol11ServerExamples() {
        return Stream.of(
                "{\"type\":\"welcome\",\"session\":\"3f2a\",\"protocol\":1,\"heartbeatMs\":10000,"
                        + "\"features\":[\"replay\",\"snapshotAt\",\"staleness\",\"trace\",\"corrections\"]}",
                "{\"type\":\"welcome\",\"session\":\"3f2a\",\"protocol\":1,\"heartbeatMs\":10000,\"features\":[]}",
                "{\"type\":\"subscribed\",\"id\":\"1\",\"topics\":[\"stocks.*\",\"sports.>\"],\"snapshotSeq\":2430000123}",
                "{\"type\":\"subscribed\",\"topics\":[\"stocks.*\"],\"snapshotSeq\":-1}",
                "{\"type\":\"snapshot\",\"id\":\"s1\",\"at\":2430000123,\"messages\":["
                        + "{\"type\":\"tick\",\"topic\":\"stocks.AAPL\",\"seq\":2430000120,\"ts\":1764670000123456,"
                        + "\"symbol\":\"AAPL\",\"bid\":190.12,\"ask\":190.14,\"last\":190.13,\"size\":300,\"volume\":1250400},"
                        + "{\"type\":\"score\",\"topic\":\"sports.football.ARS-CHE\",\"seq\":2430000100,"
                        + "\"ts\":1764670000100000,\"sport\":\"football\",\"match\":\"ARS-CHE\",\"home\":\"Arsenal\","
                        + "\"away\":\"Chelsea\",\"homeScore\":0,\"awayScore\":0,\"clock\":\"12:00\",\"status\":\"live\"}]}",
                "{\"type\":\"snapshot\",\"at\":2430000123,\"messages\":[]}",
                "{\"type\":\"replaying\",\"id\":\"r1\",\"fromSeq\":2430000000,\"toSeq\":2430009000,\"count\":412}",
                "{\"type\":\"replayed\",\"id\":\"r1\",\"count\":412}",
                "{\"type\":\"tick\",\"topic\":\"stocks.AAPL\",\"seq\":2430000120,\"ts\":1764670000123456,\"symbol\":\"AAPL\","
                        + "\"bid\":190.12,\"ask\":190.14,\"last\":190.13,\"size\":300,\"volume\":1250400,\"replay\":\"r1\"}",
                "{\"type\":\"tick\",\"topic\":\"stocks.AAPL\",\"seq\":2430000120,\"ts\":1764670000123456,\"symbol\":\"AAPL\","
                        + "\"bid\":190.12,\"ask\":190.14,\"last\":190.13,\"size\":300,\"volume\":1250400,\"conflated\":4,"
                        + "\"trace\":{\"read\":1764670000123600,\"sent\":1764670000123900}}",
                "{\"type\":\"score\",\"topic\":\"sports.football.ARS-CHE\",\"seq\":2430000124,\"ts\":1764670000124000,"
                        + "\"sport\":\"football\",\"match\":\"ARS-CHE\",\"home\":\"Arsenal\",\"away\":\"Chelsea\","
                        + "\"homeScore\":1,\"awayScore\":0,\"clock\":\"23:00\",\"status\":\"live\",\"late\":120,"
                        + "\"event\":{\"id\":\"e7\",\"kind\":\"goal\",\"minute\":23,\"team\":\"home\",\"player\":\"Saka\"}}",
                "{\"type\":\"score\",\"topic\":\"sports.football.ARS-CHE\",\"seq\":2430000190,\"ts\":1764670000190000,"
                        + "\"sport\":\"football\",\"match\":\"ARS-CHE\",\"home\":\"Arsenal\",\"away\":\"Chelsea\","
                        + "\"homeScore\":0,\"awayScore\":0,\"clock\":\"25:10\",\"status\":\"live\","
                        + "\"event\":{\"id\":\"e9\",\"kind\":\"correction\",\"retracts\":\"e7\",\"reason\":\"offside\"}}",
                "{\"type\":\"error\",\"code\":\"replay_unavailable\",\"message\":\"the window ends in the future\",\"id\":\"r1\"}",
                "{\"type\":\"error\",\"code\":\"too_many_replays\",\"message\":\"one replay at a time\",\"id\":\"r2\"}");
    }

    @ParameterizedTest
    @MethodSource("protocol11ServerExamples")
    void shouldAcceptTheContracts11ServerMessages(String json) {
        assertEquals(List.of(), SCHEMA.validate(new JsonObject(json)), json);
    }

    static Stream<String> validClientMessages() {
        return Stream.of(
                "{\"op\":\"subscribe\",\"id\":\"1\",\"topics\":[\"stocks.AAPL\",\"sports.>\"]}",
                "{\"op\":\"subscribe\",\"topics\":[\"stocks.*\"],\"from\":2430000123,\"snapshot\":true,\"maxRate\":0.5}",
                "{\"op\":\"subscribe\",\"id\":\"t\",\"topics\":[\"stocks.*\"],\"maxStalenessMs\":250,\"trace\":true}",
                "{\"op\":\"unsubscribe\",\"id\":\"u\",\"topics\":[\"stocks.*\"]}",
                "{\"op\":\"ping\"}",
                "{\"op\":\"snapshot\",\"id\":\"s1\",\"topics\":[\"stocks.*\"],\"at\":2430000123}",
                "{\"op\":\"snapshot\",\"topics\":[\"sports.>\"]}",
                "{\"op\":\"replay\",\"id\":\"r1\",\"topics\":[\"stocks.AAPL\"],\"fromTime\":1764670000000000,"
                        + "\"toTime\":1764670600000000,\"speed\":10}",
                "{\"op\":\"replay\",\"id\":\"r2\",\"topics\":[\"sports.>\"],\"fromTime\":\"2026-12-02T11:00:00Z\","
                        + "\"toTime\":\"2026-12-02T11:10:00.5+01:00\",\"speed\":0}",
                "{\"op\":\"cancel\",\"id\":\"r1\"}");
    }

    @ParameterizedTest
    @MethodSource("validClientMessages")
    void shouldAcceptTheContractsClientMessages(String json) {
        assertEquals(List.of(), SCHEMA.validateClient(new JsonObject(json)), json);
    }

    static Stream<String> brokenClientMessages() {
        return Stream.of(
                "{\"op\":\"subscribe\",\"topics\":[]}",
                "{\"op\":\"subscribe\",\"topics\":\"stocks.AAPL\"}",
                "{\"op\":\"subscribe\",\"topics\":[\"stocks.*\"],\"from\":-1}",
                "{\"op\":\"subscribe\",\"topics\":[\"stocks.*\"],\"maxRate\":0}",
                "{\"op\":\"subscribe\",\"topics\":[\"stocks.*\"],\"maxStalenessMs\":0}",
                "{\"op\":\"subscribe\",\"topics\":[\"stocks.*\"],\"trace\":\"yes\"}",
                "{\"op\":\"unsubscribe\",\"id\":\"u\"}",
                "{\"op\":\"ping\",\"id\":7}",
                "{\"op\":\"snapshot\",\"id\":\"s1\",\"topics\":[\"stocks.*\"],\"at\":-1}",
                "{\"op\":\"replay\",\"topics\":[\"stocks.*\"],\"fromTime\":1764670000000000}",
                "{\"op\":\"replay\",\"id\":\"r1\",\"topics\":[\"stocks.*\"]}",
                "{\"op\":\"replay\",\"id\":\"r1\",\"topics\":[\"stocks.*\"],\"fromTime\":\"yesterday\"}",
                "{\"op\":\"replay\",\"id\":\"r1\",\"topics\":[\"stocks.*\"],\"fromTime\":1,\"speed\":-1}",
                "{\"op\":\"cancel\"}",
                "{\"op\":\"publish\",\"topics\":[\"stocks.*\"]}");
    }

    @ParameterizedTest
    @MethodSource("brokenClientMessages")
    void shouldRejectABrokenClientMessage(String json) {
        assertFalse(SCHEMA.validateClient(new JsonObject(json)).isEmpty(), json);
    }

    // ------------------------------------------------------------------ frames of several messages

    @Test
    void shouldAcceptAnArrayFrameOfValidMessagesOnly() {
        JsonObject heartbeat = new JsonObject().put("type", "heartbeat").put("ts", 1764670000123456L);
        JsonObject pong = new JsonObject().put("type", "pong").put("id", "p").put("ts", 1764670000123457L);
        assertEquals(List.of(), SCHEMA.validateFrame(new JsonArray().add(heartbeat).add(pong)));
        assertEquals(List.of(), SCHEMA.validateFrame(heartbeat));
        assertFalse(SCHEMA.validateFrame(new JsonArray()).isEmpty(), "an empty array");
        assertFalse(SCHEMA.validateFrame(new JsonArray().add(heartbeat).add(pong.copy().put("ts", "later")))
                .isEmpty(), "an array with a broken message");
        assertFalse(SCHEMA.validateFrame(new JsonArray().add(new JsonArray().add(heartbeat))).isEmpty(),
                "an array of arrays");
    }

    // ------------------------------------------------------------------ the test client's check itself

    @Test
    void shouldFailTheClientThatReceivedAnInvalidMessageWhenItCloses() throws Exception {
        HttpServer fake = STACK.vertx().createHttpServer().webSocketHandler(ws -> ws.writeTextMessage(
                "[{\"type\":\"welcome\",\"session\":\"x\",\"protocol\":2,\"heartbeatMs\":1000,\"features\":[]},"
                        + "{\"type\":\"heartbeat\",\"ts\":1}]")).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        try {
            WsClient ws = WsClient.connect(STACK.client(), new WebSocketConnectOptions().setHost("127.0.0.1")
                    .setPort(fake.actualPort()).setURI("/ws"));
            await(ws, type("heartbeat"));
            assertEquals(1, ws.protocolCheck().invalid());
            AssertionError failed = assertThrows(AssertionError.class, ws::close);
            assertTrue(failed.getMessage().contains("\"protocol\":2") && failed.getMessage().contains("/protocol"),
                    failed.getMessage());
            ws.close();   // reported once
        } finally {
            fake.close().await(10, TimeUnit.SECONDS);
        }
    }

    // ------------------------------------------------------------------ the document itself

    @Test
    void shouldBeAWellFormedAsyncApi30Document() {
        JsonNode doc = SCHEMA.document();
        assertEquals("3.0.0", doc.path("asyncapi").asString());
        assertFalse(doc.path("info").path("title").asString().isBlank());
        assertFalse(doc.path("info").path("version").asString().isBlank());
        assertFalse(doc.path("servers").isEmpty());
        for (Map.Entry<String, JsonNode> server : doc.path("servers").properties()) {
            assertFalse(server.getValue().path("host").asString().isBlank(), server.getKey());
            assertTrue(Set.of("ws", "wss").contains(server.getValue().path("protocol").asString()), server.getKey());
        }
        for (Map.Entry<String, JsonNode> channel : doc.path("channels").properties()) {
            assertEquals("/ws", channel.getValue().path("address").asString(), channel.getKey());
            for (JsonNode message : channel.getValue().path("messages").values()) {
                assertTrue(SCHEMA.resolve(pointer(message)).has("payload"), message.toString());
            }
        }
        Set<String> actions = new HashSet<>();
        for (Map.Entry<String, JsonNode> op : doc.path("operations").properties()) {
            JsonNode operation = op.getValue();
            String action = operation.path("action").asString();
            assertTrue(Set.of("send", "receive").contains(action), op.getKey() + ": action " + action);
            actions.add(action);
            String channel = pointer(operation.path("channel"));
            SCHEMA.resolve(channel);
            List<JsonNode> messages = new ArrayList<>(operation.path("messages").values());
            messages.addAll(operation.path("reply").path("messages").values());
            assertFalse(messages.isEmpty(), op.getKey());
            for (JsonNode message : messages) {
                assertTrue(pointer(message).startsWith(channel + "/messages/"),
                        op.getKey() + ": " + message + " is not a message of its channel");
            }
        }
        assertEquals(Set.of("send", "receive"), actions);
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertTrue(refs.size() > 50, "refs found: " + refs.size());
        for (String ref : refs) {
            assertTrue(ref.startsWith("#/"), "only local $refs: " + ref);
            SCHEMA.resolve(ref.substring(1));   // fails if it does not
        }
    }

    @Test
    void shouldHaveOnlyDraft07SchemasAndDescribedMessages() {
        Schema draft07 = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
                .getSchema(SchemaLocation.of("http://json-schema.org/draft-07/schema#"));
        JsonNode doc = SCHEMA.document();
        for (Map.Entry<String, JsonNode> schema : doc.path("components").path("schemas").properties()) {
            assertEquals(List.of(), draft07.validate(schema.getValue()).stream().map(Object::toString).toList(),
                    schema.getKey());
        }
        for (Map.Entry<String, JsonNode> message : doc.path("components").path("messages").properties()) {
            JsonNode m = message.getValue();
            assertFalse(m.path("summary").asString().isBlank() && m.path("description").asString().isBlank(),
                    message.getKey() + " says what it is for");
            assertFalse(m.path("examples").isEmpty(), message.getKey() + " has an example");
        }
    }

    @Test
    void shouldHaveExamplesThatValidate() {
        JsonNode messages = SCHEMA.document().path("components").path("messages");
        int checked = 0;
        for (Map.Entry<String, JsonNode> message : messages.properties()) {
            String payload = pointer(message.getValue().path("payload"));
            Schema schema = SCHEMA.schema(payload);
            for (JsonNode example : message.getValue().path("examples").values()) {
                assertEquals(List.of(), schema.validate(example.path("payload")).stream().map(Object::toString)
                        .toList(), message.getKey() + " example " + example);
                checked++;
            }
        }
        assertTrue(checked >= messages.size(), "examples checked: " + checked);
    }

    @Test
    void shouldDescribeEveryServerMessageAndEveryErrorCode() throws Exception {
        assertEquals(Set.of("welcome", "subscribed", "unsubscribed", "tick", "score", "snapshot", "replaying",
                "replayed", "pong", "heartbeat", "error"), SCHEMA.serverTypes());
        assertEquals(Set.of("subscribe", "unsubscribe", "ping", "snapshot", "replay", "cancel"), SCHEMA.clientOps());
        Set<String> oneOf = new HashSet<>();
        for (JsonNode ref : SCHEMA.resolve("/components/schemas/ServerMessage").path("oneOf").values()) {
            oneOf.add(SCHEMA.resolve(pointer(ref)).path("properties").path("type").path("const").asString());
        }
        assertEquals(SCHEMA.serverTypes(), oneOf, "a batch may hold every server message");

        Set<String> documented = new LinkedHashSet<>();
        SCHEMA.resolve("/components/schemas/Error").path("properties").path("code").path("enum").values()
                .forEach(c -> documented.add(c.asString()));
        assertEquals(CONTRACT_ERROR_CODES, documented);
        for (Field f : ErrorCode.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                assertTrue(documented.contains((String) f.get(null)), "the server's code " + f.get(null));
            }
        }
    }

    private static String pointer(JsonNode refHolder) {
        String ref = refHolder.path("$ref").asString();
        assertTrue(ref.startsWith("#/"), "a local $ref: " + refHolder);
        return ref.substring(1);
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if ("$ref".equals(e.getKey())) {
                    refs.add(e.getValue().asString());
                } else {
                    collectRefs(e.getValue(), refs);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode n : node.values()) {
                collectRefs(n, refs);
            }
        }
    }
}
