package io.tickstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.config.ServerConfig;
import io.tickstream.support.Await;
import io.tickstream.support.External;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
import io.tickstream.support.RepoNginx;
import io.tickstream.support.TestStack;
import io.tickstream.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's {@code nginx/tickstream.conf}, run by a real NGINX with TLS (a self-signed
 * certificate made with openssl), rendered only for local ports and temp paths ({@link RepoNginx})
 * and a short read timeout, its upstream a real server (the feed real too) and a port nothing listens on, as when
 * an edge has died.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NginxTest {

    /** The test's proxy read timeout: far shorter than the file's, and above the heartbeat. */
    private static final int READ_TIMEOUT_S = 3;
    private static final long HEARTBEAT_MS = 1000;

    @TempDir
    static Path dir;

    @RegisterExtension
    static final TestStack STACK = TestStack.perClass();
    /** NGINX's directory: its logs. */
    private static Path logs;
    private static int tlsPort;
    private static int httpPort;
    private static int deadPort;
    private static Vertx vertx;

    @BeforeAll
    static void start() throws Exception {
        Path queue = dir.resolve("queue");
        STACK.server(Fixture.server(queue).with(ServerConfig.HEARTBEAT_MS, HEARTBEAT_MS));
        STACK.simulator(Fixture.simulator(queue, 500, 4));
        // the file's upstream: the server, and a port nothing listens on (an edge that died)
        deadPort = External.freePort();
        RepoNginx nginx = RepoNginx.start(dir.resolve("nginx"),
                List.of("127.0.0.1:" + STACK.port(), "127.0.0.1:" + deadPort),
                site -> site.replace("proxy_read_timeout 3600s;", "proxy_read_timeout " + READ_TIMEOUT_S + "s;")
                        .replace("proxy_send_timeout 3600s;", "proxy_send_timeout " + READ_TIMEOUT_S + "s;"),
                Duration.ofSeconds(15));
        STACK.add(nginx.process());
        tlsPort = nginx.tlsPort();
        httpPort = nginx.httpPort();
        logs = nginx.dir();
        vertx = STACK.vertx();
    }

    /** Sent as ?token= by the hand-made connection (auth is off here, so it is ignored). */
    private static final String TOKEN_IN_URL = "eyJhbGciOiJIUzI1NiJ9.not-a-real-token.sig";

    private static WebSocketClient wss() {
        return vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustAll(true)
                .setVerifyHost(false).setLocalAddress("127.0.0.2").setMaxFrameSize(1 << 20)
                .setMaxMessageSize(1 << 22));
    }

    @Test
    void shouldStreamTicksOverWssAndShowTheServerTheClientsAddress() throws Exception {
        JsonObject welcome = welcomeFrom("127.0.0.2");
        assertEquals("127.0.0.2", welcome.getString("address"),
                "the server believes X-Real-IP from nginx, not the proxy's own address");
        Path log = logs.resolve("access.log");
        Await.until(() -> Files.exists(log) && Files.readString(log).contains("GET /ws "), Duration.ofSeconds(10),
                "nginx to log the upgrade in " + log);
        String logged = Files.readString(log);
        assertTrue(logged.contains("GET /ws "), logged);
        assertFalse(logged.contains(TOKEN_IN_URL), "the access log leaves out query strings (tokens): " + logged);
        try (WsClient ws = WsClient.connect(wss(), tlsPort)) {
            ws.request(Messages.subscribe("1", "stocks.*").json(), "subscribed");
            ws.awaitMessage(m -> "tick".equals(m.getString("type")) && !m.getBoolean("snapshot", false),
                    Duration.ofSeconds(10));
        }
    }

    @Test
    void shouldNotCutAnIdleSubscriberThatGetsHeartbeats() throws Exception {
        try (WsClient ws = WsClient.connect(wss(), tlsPort)) {
            ws.awaitMessage(m -> "welcome".equals(m.getString("type")), Duration.ofSeconds(10));
            Await.holds(() -> !ws.isClosed(), Duration.ofSeconds(READ_TIMEOUT_S * 2 + 1), "the connection open");
            assertFalse(ws.isClosed(), "still open after twice the proxy read timeout");
            assertTrue(ws.ofType("heartbeat").size() >= READ_TIMEOUT_S, "heartbeats kept it alive");
            assertEquals("pong", ws.request(new JsonObject().put("op", "ping").put("id", "p"), "pong")
                    .getString("type"));
        }
    }

    @Test
    void shouldRedirectPlainHttpToHttpsAndAnswer404OtherHosts() throws Exception {
        assertTrue(rawGet(httpPort, "example.com", "/x?y=1").startsWith("HTTP/1.1 301"));
        assertTrue(rawGet(httpPort, "example.com", "/x?y=1").contains("Location: https://example.com/x?y=1"));
        assertTrue(rawGet(httpPort, "other.example", "/").startsWith("HTTP/1.1 404"));
    }

    @Test
    void shouldNotExposeMetricsButServeThePage() throws Exception {
        var http = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));
        int metrics = http.request(HttpMethod.GET, tlsPort, "127.0.0.1", "/metrics")
                .compose(r -> r.send()).await(10, TimeUnit.SECONDS).statusCode();
        assertEquals(404, metrics);
        int page = http.request(HttpMethod.GET, tlsPort, "127.0.0.1", "/")
                .compose(r -> r.send()).await(10, TimeUnit.SECONDS).statusCode();
        assertEquals(200, page);
    }

    @Test
    void shouldPassEveryConnectionToTheLiveUpstreamWhenAnotherIsDead() throws Exception {
        // least_conn offers the dead one its turn among equals: refused, the connection goes on
        for (int i = 0; i < 6; i++) {
            try (WsClient ws = WsClient.connect(wss(), tlsPort)) {
                assertEquals("welcome", ws.awaitMessage(m -> "welcome".equals(m.getString("type")),
                        Duration.ofSeconds(10)).getString("type"), "connection " + i + " reached the live server");
            }
        }
        String log = Files.readString(logs.resolve("error.log"));
        assertTrue(log.contains("connect() failed (111: Connection refused) while connecting to upstream")
                && log.contains("127.0.0.1:" + deadPort), "connections tried the dead upstream: " + log);
        assertFalse(log.contains("no live upstreams"), "no edge was ever taken out: " + log);
    }

    /**
     * Opens a wss:// connection from {@code localAddress} (another loopback address than nginx's
     * own) by hand, and returns the server's first message, the welcome.
     */
    private static JsonObject welcomeFrom(String localAddress) throws Exception {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) {
            }

            public void checkServerTrusted(X509Certificate[] c, String a) {
            }

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (Socket plain = new Socket()) {
            plain.bind(new InetSocketAddress(localAddress, 0));
            plain.connect(new InetSocketAddress("127.0.0.1", tlsPort), 5000);
            plain.setSoTimeout(10_000);
            try (Socket s = tls.getSocketFactory().createSocket(plain, "example.com", tlsPort, false)) {
                OutputStream out = s.getOutputStream();
                out.write(("GET /ws?token=" + TOKEN_IN_URL + " HTTP/1.1\r\nHost: example.com\r\n"
                        + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                DataInputStream in = new DataInputStream(s.getInputStream());
                StringBuilder line = new StringBuilder();
                int blank = 0;
                while (blank < 2) {
                    int c = in.read();
                    if (c == '\n') {
                        blank = line.toString().isBlank() ? blank + 2 : 0;
                        assertTrue(!line.toString().startsWith("HTTP/") || line.toString().contains(" 101 "), line.toString());
                        line.setLength(0);
                    } else if (c != '\r') {
                        line.append((char) c);
                    }
                }
                int b0 = in.readUnsignedByte();
                int len = in.readUnsignedByte() & 0x7f;
                if (len == 126) {
                    len = in.readUnsignedShort();
                }
                assertEquals(0x81, b0, "a final text frame");
                byte[] payload = new byte[len];
                in.readFully(payload);
                return new JsonObject(new String(payload, StandardCharsets.UTF_8));
            }
        }
    }

    private static String rawGet(int port, String host, String path) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            StringBuilder head = new StringBuilder();
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                head.append(line).append('\n');
            }
            return head.toString();
        }
    }
}
