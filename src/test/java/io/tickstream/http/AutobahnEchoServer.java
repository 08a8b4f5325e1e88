package io.tickstream.http;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickstream.auth.Grant;
import io.tickstream.config.ServerConfig;
import io.tickstream.metrics.Meters;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The endpoint the Autobahn|Testsuite fuzzing client runs against in {@code mvn verify} (see
 * {@code docs/websocket-conformance.md}): the production server's WebSocket path with only the
 * session replaced by an echo. Shared with production: the HTTP options
 * ({@link ServerVerticle#serverOptions} with the default {@link ServerConfig}: 64 KiB frames and
 * messages, no compression), the HTTP server with its handshake timeout and the {@code /ws} route
 * ({@link WebSocketAcceptor}: upgrade check, client address, {@link Admission} with the default
 * settings, {@code toWebSocket()}, early frames), the inbound rules ({@link InboundFrames},
 * {@link MessageAssembler}) and the outbound writes ({@link WebSocketTransport}).
 *
 * <p>Two differences. Binary messages are echoed, where the protocol closes {@code 1003}: the fuzzing
 * cases check framing with binary messages as much as with text (1.2.*, 5.*, 9.2.*), so this
 * endpoint's assembler allows them, a setting only it uses; {@code HostileFramesTest} checks the
 * {@code 1003} against the real server. And the fuzzing client asks for {@code /}, which is sent on
 * to {@code /ws}.
 *
 * <p>{@code main(port)} is called by the Maven plugin on a thread of its own, which it interrupts
 * when the run is over; the server is stopped then. It listens on the address the plugin connects
 * to (the local host's address).
 */
public final class AutobahnEchoServer extends VerticleBase {

    private final ServerConfig config;
    private WebSocketAcceptor acceptor;

    private AutobahnEchoServer(ServerConfig config) {
        this.config = config;
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String host = InetAddress.getLocalHost().getHostAddress();
        ServerConfig config = ServerConfig.defaults(Path.of("unused")).with(ServerConfig.HOST, host)
                .with(ServerConfig.PORT, port);
        Vertx vertx = Vertx.vertx();
        boolean interrupted = false;
        try {
            vertx.deployVerticle(new AutobahnEchoServer(config)).await(30, TimeUnit.SECONDS);
            System.out.println("Autobahn echo server on ws://" + host + ":" + port + " (and " + WebSocketAcceptor.PATH + ")");
            Thread.sleep(Long.MAX_VALUE);   // a program, not a test: it serves until interrupted (Ctrl-C)
        } catch (InterruptedException e) {
            interrupted = true; // the run is over
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Future<?> start() {
        Admission admission = new Admission(config.get(ServerConfig.ALLOWED_ORIGINS), null, config.get(ServerConfig.MAX_CONNECTIONS_PER_ADDRESS));
        admission.open();   // nothing to seed: the echo endpoint takes upgrades at once
        acceptor = new WebSocketAcceptor(config, new Meters(new SimpleMeterRegistry()), admission,
                () -> new MessageAssembler(config.get(ServerConfig.MAX_MESSAGE_BYTES), true), Echo::new);
        Router router = Router.router(vertx);
        router.get("/").handler(ctx -> ctx.reroute(WebSocketAcceptor.PATH));
        acceptor.route(router);
        vertx.setPeriodic(250, id -> acceptor.closeLateHandshakes(System.nanoTime()));
        return acceptor.createServer(vertx, ServerVerticle.serverOptions(config), router).listen();
    }

    /** Writes every message back, as one frame, through the production transport. */
    private static final class Echo implements WebSocketAcceptor.Connection {
        private final WebSocketTransport transport;

        Echo(WebSocketTransport transport, String client, Grant grant) {
            this.transport = transport;
        }

        @Override
        public void start() {
        }

        @Override
        public void onText(String text) {
            transport.writeText(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void onBinary(Buffer data) {
            transport.writeBinary(data);
        }

        @Override
        public void onRefused() {
        }

        @Override
        public void onError(Throwable e) {
        }

        @Override
        public void onDrain() {
        }

        @Override
        public void onPong() {
        }

        @Override
        public void onClosed() {
        }
    }
}
