package io.tickstream.support;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.config.SimulatorConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The running parts of one test, closed together in the reverse order they were started: an
 * in-process simulator and server (configs from {@link Fixture#simulator} and {@link Fixture#server}),
 * and a Vert.x of the test's own for its WebSocket clients. Use it in a try-with-resources block, as
 * a {@code @RegisterExtension} field to have it closed after each test, or as a static one made by
 * {@link #perClass()} to have it closed after the class's last test. Owned by the test thread.
 */
public final class TestStack implements AutoCloseable, AfterEachCallback, AfterAllCallback {

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final boolean perTest;
    private Vertx vertx;
    private WebSocketClient client;
    private int servers;
    /** The server started while it is the only one: what {@link #port()} and {@link #connect()} reach. */
    private ServerMain onlyServer;

    /** A stack closed after each test when registered as an extension. */
    public TestStack() {
        this(true);
    }

    private TestStack(boolean perTest) {
        this.perTest = perTest;
    }

    /** A stack shared by a class's tests: registered on a static field, it closes after the last one. */
    public static TestStack perClass() {
        return new TestStack(false);
    }

    /** Starts a simulator on its own thread; it is stopped when the stack closes, if not before. */
    public Fixture.RunningSimulator simulator(SimulatorConfig config) {
        Fixture.RunningSimulator simulator = Fixture.startSimulator(config);
        started.push(simulator::stop);
        return simulator;
    }

    /** Starts a server; it is closed when the stack closes. */
    public ServerMain server(ServerConfig config) throws Exception {
        ServerMain server = Fixture.startServer(config);
        started.push(server);
        onlyServer = ++servers == 1 ? server : null;
        return server;
    }

    /** The port of the server the stack started; fails unless it started exactly one. */
    public int port() {
        if (servers != 1) {
            throw new IllegalStateException("the stack started " + servers + " servers: ask each for its port");
        }
        return onlyServer.port();
    }

    /** A WebSocket of the stack's {@link #client()}, connected to its server (see {@link #port()}). */
    public WsClient connect() throws Exception {
        return WsClient.connect(client(), port());
    }

    /** Keeps anything else the test started (a process, say), to be closed with the stack. */
    public <T extends AutoCloseable> T add(T resource) {
        started.push(resource);
        return resource;
    }

    /** The stack's Vert.x for clients, made on first use; closed (10 s at most) with the stack. */
    public Vertx vertx() {
        if (vertx == null) {
            Vertx made = Vertx.vertx();
            started.push(() -> made.close().await(10, TimeUnit.SECONDS));
            vertx = made;
        }
        return vertx;
    }

    /** The WebSocket client of the stack's {@link #vertx()}, made on first use. */
    public WebSocketClient client() {
        if (client == null) {
            client = WsClient.client(vertx());
        }
        return client;
    }

    /** Closes what was started, newest first; each is closed even if one before it fails. */
    @Override
    public void close() throws Exception {
        Exception failed = null;
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        vertx = null;
        client = null;
        servers = 0;
        onlyServer = null;
        if (failed != null) {
            throw failed;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (perTest) {
            close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        close();
    }
}
