package io.tickstream.http;

import io.tickstream.config.ServerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The endpoint the Autobahn|Testsuite fuzzing client runs against in {@code mvn verify} (see
 * {@code docs/websocket-conformance.md}): the production WebSocket options
 * ({@link ServerVerticle#serverOptions} with the default {@link ServerConfig}: 64 KiB frames and
 * messages, no compression) and the production inbound rules ({@link InboundFrames},
 * {@link MessageAssembler}), echoing every message back.
 *
 * <p>Binary messages are echoed too, where the protocol closes {@code 1003}: the fuzzing cases
 * check framing with binary messages as much as with text (1.2.*, 5.*, 9.2.*), and the assembler
 * treats both alike apart from UTF-8 and that one refusal, which {@code HostileFramesTest} checks
 * against the real server.
 *
 * <p>{@code main(port)} is called by the Maven plugin on a thread of its own, which it interrupts
 * when the run is over; the server is stopped then. It listens on the address the plugin connects
 * to (the local host's address).
 */
public final class AutobahnEchoServer {

    private AutobahnEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String host = InetAddress.getLocalHost().getHostAddress();
        ServerConfig config = ServerConfig.defaults(Path.of("unused")).toBuilder().host(host).port(port).build();
        Vertx vertx = Vertx.vertx();
        boolean interrupted = false;
        try {
            HttpServer server = vertx.createHttpServer(ServerVerticle.serverOptions(config))
                    .webSocketHandler(ws -> echo(ws, config.maxMessageBytes()));
            server.listen().await(30, TimeUnit.SECONDS);
            System.out.println("Autobahn echo server on ws://" + host + ":" + port);
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            interrupted = true; // the run is over
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void echo(ServerWebSocket ws, int maxMessageBytes) {
        InboundFrames.attach(ws, new MessageAssembler(maxMessageBytes, true), new InboundFrames.Listener() {
            @Override
            public void onText(String text) {
                ws.writeTextMessage(text);
            }

            @Override
            public void onBinary(Buffer data) {
                ws.writeBinaryMessage(data);
            }

            @Override
            public void onRefused() {
            }

            @Override
            public void onError(Throwable e) {
            }
        });
    }
}
