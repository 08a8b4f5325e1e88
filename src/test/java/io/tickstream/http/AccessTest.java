package io.tickstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.auth.TokenAuthority;
import io.tickstream.config.ServerConfig;
import io.tickstream.feed.TopicPattern;
import io.tickstream.session.CloseReason;
import io.tickstream.support.Await;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
import io.tickstream.support.TestStack;
import io.tickstream.support.WsClient;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who gets in, against a real server with auth on: tokens (missing, expired, tampered, signed
 * with another secret, alg none, out of scope), the Origin allow-list, the per-address
 * connection limit, the handshake timeout, the idle timeout with pings, and token expiry on an
 * open connection. Tokens never appear in the server's logs, and a subscriber beside every case
 * keeps receiving in order.
 */
class AccessTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
    private static final String ALLOWED_ORIGIN = "https://allowed.example";
    private static final int MAX_PER_ADDRESS = 3;
    private static final long IDLE_TIMEOUT_MS = 1_500;

    @TempDir
    static Path dir;
    @RegisterExtension
    static final TestStack STACK = TestStack.perClass();
    private static WsClient bystander;
    private static WebSocketClient client;
    private static TokenAuthority tokens;
    private static final List<String> logged = new ArrayList<>();
    private static final Logger SERVER_LOG = Logger.getLogger("io.tickstream");
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (logged) {
                logged.add(r.getMessage() + (r.getThrown() == null ? "" : " " + r.getThrown()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void start() throws Exception {
        Path secret = Fixture.writeSecret(dir.resolve("secret"), SECRET + "\n");
        tokens = TokenAuthority.fromSecretFile(secret);
        SERVER_LOG.setLevel(Level.FINE);
        SERVER_LOG.addHandler(CAPTURE);
        ServerConfig config = Fixture.server(dir.resolve("queue")).with(ServerConfig.HOST, "127.0.0.1")
                .with(ServerConfig.HEARTBEAT_MS, 300).with(ServerConfig.IDLE_TIMEOUT_MS, IDLE_TIMEOUT_MS)
                .with(ServerConfig.AUTH_SECRET_FILE, secret).with(ServerConfig.ALLOWED_ORIGINS, List.of(ALLOWED_ORIGIN))
                .with(ServerConfig.MAX_CONNECTIONS_PER_ADDRESS, MAX_PER_ADDRESS)
                .with(ServerConfig.HANDSHAKE_TIMEOUT_MS, 700);
        STACK.server(config);
        STACK.simulator(Fixture.simulator(dir.resolve("queue"), 300, 1));
        client = STACK.client();
        bystander = WsClient.connect(client, ws(token("stocks.*")).addHeader("X-Forwarded-For", "10.1.1.1"));
        bystander.request(Messages.subscribe("b", "stocks.*").json(), "subscribed");
    }

    /** After every case: the subscriber beside it is still connected and still receiving, in order. */
    @AfterEach
    void bystanderUnharmed() throws Exception {
        bystander.assertKeepsReceivingInOrder(10, Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        SERVER_LOG.removeHandler(CAPTURE);
        SERVER_LOG.setLevel(null);
    }

    @Test
    void shouldServeTopicsOnlyToATokenAndOnlyThoseItAllows() throws Exception {
        assertEquals(401, Fixture.get(STACK.port(), "/api/topics").statusCode());
        assertEquals(401, Fixture.get(STACK.port(), "/api/topics?token=x.y.z").statusCode());
        Fixture.await(() -> {
            try {
                return new JsonArray(Fixture.get(STACK.port(), "/api/topics?token=" + token(">")).body()).stream()
                        .anyMatch(o -> ((JsonObject) o).getString("topic").startsWith("sports."));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, Duration.ofSeconds(15), "sports topics to appear");
        JsonArray stocks = new JsonArray(Fixture.get(STACK.port(), "/api/topics?token=" + token("stocks.*")).body());
        assertFalse(stocks.isEmpty());
        for (Object o : stocks) {
            assertTrue(((JsonObject) o).getString("topic").startsWith("stocks."), o.toString());
        }
    }

    private static String token(String... topics) {
        return tokens.mint("tester", patterns(topics), 3600);
    }

    private static List<TopicPattern> patterns(String... topics) {
        return Arrays.stream(topics).map(TopicPattern::parse).toList();
    }

    private static WebSocketConnectOptions ws(String bearer) {
        WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(STACK.port())
                .setURI("/ws").setAllowOriginHeader(false);
        if (bearer != null) {
            o.addHeader("Authorization", "Bearer " + bearer);
        }
        return o;
    }

    @Test
    void shouldRefuseAnUpgradeWithoutAValidTokenWith401AndNeverLogTheToken() throws Exception {
        String otherSecret = new TokenAuthority("another-secret-another-secret-another".getBytes(StandardCharsets.UTF_8),
                () -> System.currentTimeMillis() / 1000).mint("x", patterns("stocks.*"), 3600);
        String expired = new TokenAuthority(SECRET.getBytes(StandardCharsets.UTF_8),
                () -> System.currentTimeMillis() / 1000 - 7200).mint("x", patterns("stocks.*"), 60);
        String good = token("stocks.*");
        String[] parts = good.split("\\.");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                        .replace("stocks.*", ">").getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        String algNone = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".";
        Map<String, String> cases = new HashMap<>();
        cases.put("", "missing token");
        cases.put(otherSecret, "bad token signature");
        cases.put(expired, "token expired");
        cases.put(tampered, "bad token signature");
        cases.put(algNone, "unsupported token algorithm (HS256 only)");
        cases.put("a.b", "malformed token");
        for (var c : cases.entrySet()) {
            for (boolean inQuery : new boolean[] {false, true}) {
                try (Upgrade u = inQuery ? Upgrade.open(STACK.port(), "/ws?token=" + c.getKey())
                        : Upgrade.open(STACK.port(), "/ws", "Authorization: Bearer " + c.getKey())) {
                    assertEquals(401, u.status, c.getValue());
                    assertEquals("Bearer realm=\"tickstream\"", u.headers.get("www-authenticate"));
                    assertEquals(c.getValue(), new JsonObject(u.body).getString("reason"));
                }
            }
        }
        try (Upgrade u = Upgrade.open(STACK.port(), "/ws?token=" + good)) {
            assertEquals(101, u.status, "the same token, untampered, gets in");
        }
        synchronized (logged) {
            assertTrue(logged.stream().anyMatch(l -> l.contains("401 bad token signature")), String.join("\n", logged));
            for (String line : logged) {
                for (String t : List.of(otherSecret, expired, good, tampered, algNone, parts[1], parts[2])) {
                    assertFalse(line.contains(t), "a token in the log: " + line);
                }
            }
        }
    }

    @Test
    void shouldAnswerForbiddenForTopicsOutsideTheToken() throws Exception {
        try (WsClient c = WsClient.connect(client, ws(token("stocks.AAPL", "sports.football.*")))) {
            assertEquals("subscribed", c.request(Messages.subscribe("ok", "stocks.AAPL", "sports.football.*").json(), "subscribed")
                    .getString("type"));
            for (String wider : List.of("stocks.MSFT", "stocks.*", "sports.>", ">", "sports.*.ARS-CHE")) {
                JsonObject e = c.request(Messages.subscribe(wider, "stocks.AAPL", wider).json(), "error");
                assertEquals("forbidden", e.getString("code"), wider);
                assertEquals(wider, e.getString("id"));
            }
            assertFalse(c.isClosed(), "forbidden keeps the connection open");
            assertEquals("pong", c.request(new JsonObject().put("op", "ping").put("id", "p"), "pong").getString("type"));
        }
    }

    @Test
    void shouldRefuseOriginsOutsideTheListWith403() throws Exception {
        String t = token(">");
        try (Upgrade u = Upgrade.open(STACK.port(), "/ws?token=" + t, "Origin: https://evil.example")) {
            assertEquals(403, u.status);
            assertEquals("origin not allowed", new JsonObject(u.body).getString("reason"));
        }
        try (Upgrade u = Upgrade.open(STACK.port(), "/ws?token=" + t, "Origin: " + ALLOWED_ORIGIN)) {
            assertEquals(101, u.status);
        }
        try (Upgrade u = Upgrade.open(STACK.port(), "/ws?token=" + t)) {
            assertEquals(101, u.status, "no Origin: not a browser, allowed");
        }
    }

    @Test
    void shouldLimitConnectionsPerClientAddressWith429AndFreeTheSlotOnClose() throws Exception {
        String t = token(">");
        String from = "X-Forwarded-For: 10.9.9.9";   // the server trusts loopback proxies
        List<Upgrade> open = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_PER_ADDRESS; i++) {
                open.add(Upgrade.open(STACK.port(), "/ws?token=" + t, from));
                assertEquals(101, open.get(i).status);
            }
            try (Upgrade over = Upgrade.open(STACK.port(), "/ws?token=" + t, from)) {
                assertEquals(429, over.status);
                assertEquals("too many connections from this address", new JsonObject(over.body).getString("reason"));
            }
            try (Upgrade other = Upgrade.open(STACK.port(), "/ws?token=" + t, "X-Forwarded-For: 10.9.9.10")) {
                assertEquals(101, other.status, "another address has its own limit");
            }
            open.remove(0).close();
            Fixture.await(() -> {
                try (Upgrade again = Upgrade.open(STACK.port(), "/ws?token=" + t, from)) {
                    return again.status == 101;
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }, Duration.ofSeconds(10), "the closed connection's slot to be free again");
        } finally {
            for (Upgrade u : open) {
                u.close();
            }
        }
    }

    @Test
    void shouldCloseAConnectionThatDoesNotSendItsRequestInTime() throws Exception {
        double before = Fixture.metric(STACK.port(), "tickstream_handshakes_refused_total{reason=\"timeout\"}");
        try (Socket s = new Socket("127.0.0.1", STACK.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /ws HTTP/1.1\r\nHost: loc".getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, s.getInputStream().read(), "closed by the server, nothing answered");
        }
        assertEquals(Math.max(0, before) + 1,
                Fixture.metric(STACK.port(), "tickstream_handshakes_refused_total{reason=\"timeout\"}"));
    }

    @Test
    void shouldPingASilentClientAndCloseItWith4002WhenItNeverAnswers() throws Exception {
        try (Upgrade u = Upgrade.open(STACK.port(), "/ws?token=" + token(">"))) {
            assertEquals(101, u.status);
            List<Integer> opcodes = new ArrayList<>();
            DataInputStream in = new DataInputStream(u.in);
            while (true) {
                int b0 = in.readUnsignedByte();
                int len = in.readUnsignedByte() & 0x7f;
                if (len == 126) {
                    len = in.readUnsignedShort();
                } else if (len == 127) {
                    len = (int) in.readLong();
                }
                byte[] payload = in.readNBytes(len);
                opcodes.add(b0 & 0x0f);
                if ((b0 & 0x0f) == 0x8) {
                    assertEquals(CloseReason.IDLE.code(), ((payload[0] & 0xff) << 8) | (payload[1] & 0xff));
                    assertEquals("idle timeout", new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8));
                    break;
                }
            }
            assertTrue(opcodes.contains(0x9), "pinged before being closed: " + opcodes);
        }
    }

    @Test
    void shouldKeepAClientThatAnswersPingsPastTheIdleTimeout() throws Exception {
        try (WsClient c = WsClient.connect(client, ws(token(">")))) {
            c.awaitMessage(m -> "welcome".equals(m.getString("type")), Duration.ofSeconds(10));
            Await.holds(() -> !c.isClosed(), Duration.ofMillis(IDLE_TIMEOUT_MS * 2), "the connection open");
            assertFalse(c.isClosed(), "Vert.x answers pings with pongs: still open after twice the idle timeout");
        }
    }

    @Test
    void shouldCloseWith4003WhenTheTokenExpires() throws Exception {
        try (WsClient c = WsClient.connect(client, ws(tokens.mint("brief", patterns(">"), 2)))) {
            assertEquals(CloseReason.TOKEN_EXPIRED.code(), c.awaitClose(Duration.ofSeconds(10)));
            assertEquals("token expired", c.closeReason());
        }
    }

    /** A WebSocket upgrade by hand: the status, headers and body of the answer; the socket stays open on 101. */
    static final class Upgrade implements AutoCloseable {
        final int status;
        final Map<String, String> headers = new HashMap<>();
        final String body;
        final InputStream in;
        private final Socket socket;

        private Upgrade(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            String statusLine = line(in);
            status = Integer.parseInt(statusLine.split(" ")[1]);
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                headers.put(h.substring(0, colon).trim().toLowerCase(), h.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            body = status == 101 ? "" : new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }

        static Upgrade open(int port, String target, String... headers) throws IOException {
            Socket s = new Socket("127.0.0.1", port);
            s.setSoTimeout(10_000);
            StringBuilder req = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            s.getOutputStream().write(req.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            return new Upgrade(s);
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed in the middle of the answer");
                }
                if (c != '\r') {
                    b.write(c);
                }
            }
            return b.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
