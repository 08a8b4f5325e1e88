package io.tickstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.config.ServerConfig;
import io.tickstream.support.Await;
import io.tickstream.support.External;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * certificate made with openssl), rendered only for local ports, temp paths and a short read
 * timeout, its upstream a real server (the feed real too) and a port nothing listens on, as when
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
    private static External.Running nginx;
    private static int tlsPort;
    private static int httpPort;
    private static int deadPort;
    private static Vertx vertx;

    @BeforeAll
    static void start() throws Exception {
        String nginxBin = External.require("nginx");
        String openssl = External.require("openssl");
        Path queue = dir.resolve("queue");
        STACK.server(Fixture.server(queue).with(ServerConfig.HEARTBEAT_MS, HEARTBEAT_MS));
        STACK.simulator(Fixture.simulator(queue, 500, 4));
        External.run(dir.resolve("openssl.log"), openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(),
                "-days", "1", "-subj", "/CN=example.com");
        Files.writeString(dir.resolve("options-ssl.conf"), "ssl_protocols TLSv1.2 TLSv1.3;\n");
        tlsPort = External.freePort();
        httpPort = External.freePort();
        // the file's upstream: the server, and a port nothing listens on (an edge that died)
        deadPort = External.freePort();
        String site = withUpstreams(Files.readString(Path.of("nginx/tickstream.conf")),
                List.of("127.0.0.1:" + STACK.port(), "127.0.0.1:" + deadPort))
                .replace("listen 443 ssl;", "listen 127.0.0.1:" + tlsPort + " ssl;")
                .replace("listen 80;", "listen 127.0.0.1:" + httpPort + ";")
                .replace("/etc/letsencrypt/live/example.com/fullchain.pem", dir.resolve("cert.pem").toString())
                .replace("/etc/letsencrypt/live/example.com/privkey.pem", dir.resolve("key.pem").toString())
                .replace("/etc/letsencrypt/options-ssl-nginx.conf", dir.resolve("options-ssl.conf").toString())
                .replace("ssl_dhparam /etc/letsencrypt/ssl-dhparams.pem;", "")
                .replace("proxy_read_timeout 3600s;", "proxy_read_timeout " + READ_TIMEOUT_S + "s;")
                .replace("proxy_send_timeout 3600s;", "proxy_send_timeout " + READ_TIMEOUT_S + "s;")
                .replace("/var/log/nginx/access.log", dir.resolve("access.log").toString());
        assertFalse(site.contains("/etc/letsencrypt"), "every certbot path rendered");
        Files.writeString(dir.resolve("tickstream.conf"), site);
        String t = dir.toString();
        Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
                "user root;", "worker_processes 1;", "daemon off;", "pid " + t + "/nginx.pid;",
                "error_log " + t + "/error.log info;", "events { worker_connections 256; }",
                "http {", "  access_log " + t + "/access.log;", "  client_body_temp_path " + t + "/body;",
                "  proxy_temp_path " + t + "/proxy;", "  fastcgi_temp_path " + t + "/fastcgi;",
                "  uwsgi_temp_path " + t + "/uwsgi;", "  scgi_temp_path " + t + "/scgi;",
                "  include " + t + "/tickstream.conf;", "}", ""));
        nginx = STACK.add(External.start(dir.resolve("nginx.out"),
                List.of(nginxBin, "-p", t, "-c", t + "/nginx.conf")));
        External.awaitPort(nginx, tlsPort, Duration.ofSeconds(15));
        External.awaitPort(nginx, httpPort, Duration.ofSeconds(15));
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
        Path log = dir.resolve("access.log");
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
        String log = Files.readString(dir.resolve("error.log"));
        assertTrue(log.contains("connect() failed (111: Connection refused) while connecting to upstream")
                && log.contains("127.0.0.1:" + deadPort), "connections tried the dead upstream: " + log);
        assertFalse(log.contains("no live upstreams"), "no edge was ever taken out: " + log);
    }

    /**
     * The file with its upstream's server lines (three edges) replaced by one line per address in
     * {@code servers}, each with the file's parameters ({@code max_fails}).
     */
    static String withUpstreams(String site, List<String> servers) {
        Matcher line = Pattern.compile("(?m)^(\\s*)server 127\\.0\\.0\\.1:\\d+( [^;\\n]*)?;\\n").matcher(site);
        StringBuilder out = new StringBuilder();
        int lines = 0;
        while (line.find()) {
            String replacement = "";
            if (lines++ == 0) {
                for (String server : servers) {
                    replacement += line.group(1) + "server " + server + (line.group(2) == null ? "" : line.group(2))
                            + ";\n";
                }
            }
            line.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        line.appendTail(out);
        assertEquals(3, lines, "the file's upstream lists three edges");
        return out.toString();
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
