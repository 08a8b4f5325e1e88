package io.tickstream.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.support.AppProcess;
import io.tickstream.support.External;
import io.tickstream.support.Fixture;
import io.tickstream.support.RawWebSocket;
import io.tickstream.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failures that really happen, with real processes: the feed killed with SIGKILL and
 * restarted, the server stopped with SIGTERM. Nothing that reached the queue is lost or
 * delivered twice. Bounded in time; every process started here is stopped here.
 */
class FaultsTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private WebSocketClient client;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        client = WsClient.client(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    /**
     * SIGTERM ends the process with 0 within the drain time plus one second, whatever the clients
     * do: here one client never reads its socket (its TCP window and the server's write queue are
     * full, so its close frame cannot be written), and a reading client still gets its 1001.
     */
    @Test
    void shouldDrainOnSigtermClosingClientsWith1001AndExitingWithZeroWithinTheDrainTime() throws Exception {
        Path queue = dir.resolve("queue");
        int port = External.freePort();
        long drainMs = 2000;
        // fast enough to fill the stalled client's socket buffers (some MB) within seconds
        Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(queue, 5000, 1));
        // the stalled client must still be connected at the signal, not cut as a slow consumer before it
        External.Running server = AppProcess.start(dir.resolve("server.log"), "server", "--queue", queue.toString(),
                "--port", String.valueOf(port), "--host", "127.0.0.1", "--drain-ms", String.valueOf(drainMs),
                "--slow-consumer-grace-ms", "600000", "--stall-timeout-ms", "600000");
        try {
            External.awaitPort(server, port, Duration.ofSeconds(30));
            try (RawWebSocket stalled = RawWebSocket.connect(port, 4096); WsClient c = WsClient.connect(client, port)) {
                stalled.send(RawWebSocket.frame(true, RawWebSocket.TEXT,
                        Fixture.subscribeAll("stalled").encode().getBytes(StandardCharsets.UTF_8)));
                c.request(Fixture.subscribeAll("all"), "subscribed");
                c.awaitMessage(m -> "tick".equals(m.getString("type")) && !m.getBoolean("snapshot", false),
                        Duration.ofSeconds(10));
                // conflation starts only once the stalled client's write queue is full
                Fixture.await(() -> conflated(port) > 0, Duration.ofSeconds(30),
                        "the stalled client's socket and write queue to fill");
                long signalled = System.nanoTime();
                server.process().destroy();   // SIGTERM
                assertEquals((short) 1001, c.awaitClose(Duration.ofSeconds(15)));
                assertEquals("going away", c.closeReason());
                assertTrue(server.process().waitFor(20, TimeUnit.SECONDS), "the server exits after its drain");
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
                assertEquals(0, server.process().exitValue(), server.output());
                assertTrue(tookMs <= drainMs + 1000, "exited " + tookMs + " ms after SIGTERM with --drain-ms "
                        + drainMs + ":\n" + server.output());
                assertTrue(server.output().contains("server: stopped"), server.output());
            }
        } finally {
            server.close();
            sim.stop();
        }
    }

    private static double conflated(int port) {
        try {
            return Fixture.metric(port, "tickstream_messages_conflated_total{kind=\"tick\"}");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldDeliverEveryMessageOfTheQueueExactlyOnceWhileTheFeedIsKilledFiveTimes() throws Exception {
        Path queue = dir.resolve("queue");
        ServerConfig config = Fixture.server(queue).toBuilder().staleAfterMs(700).build();
        Random random = new Random(7);
        try (ServerMain server = Fixture.startServer(config); WsClient c = WsClient.connect(client, server.port())) {
            c.request(Fixture.subscribeAll("all"), "subscribed");
            for (int round = 0; round < 5; round++) {
                External.Running sim = AppProcess.start(dir.resolve("sim-" + round + ".log"), "simulate", "--queue",
                        queue.toString(), "--rate", "2000", "--seed", String.valueOf(round), "--stats-every", "0");
                Fixture.await(server::ready, Duration.ofSeconds(30), "the server ready with the feed running");
                Thread.sleep(300 + random.nextInt(1200));
                AppProcess.kill9(sim);
                Fixture.await(() -> !server.ready(), Duration.ofSeconds(10), "readiness to show the feed down");
                assertEquals("{\"status\":\"feed stale\"}", Fixture.get(server.port(), "/health/ready").body());
                assertTrue(Fixture.metric(server.port(), "tickstream_feed_staleness_seconds") >= 0.7);
            }
            List<Long> inQueue = Fixture.queueSeqs(queue);
            assertTrue(inQueue.size() > 1000, "the feed wrote " + inQueue.size());
            Fixture.await(() -> c.liveSeqs().size() >= inQueue.size(), Duration.ofSeconds(30),
                    "every message in the queue to arrive");
            Fixture.assertSameSeqs(inQueue, c.liveSeqs(), "each message of the queue once, in order");
        }
    }

    /**
     * A subscriber of everything that, whenever its connection drops, reconnects and resubscribes
     * with {@code from} = the last seq it received, as the protocol tells clients to. Its state is
     * touched on its Vert.x event loop; the test reads it through synchronized accessors.
     */
    private final class ResumingClient {
        private final int port;
        private final List<Long> seqs = new ArrayList<>();
        private long lastSeq;
        private int connects;
        private final List<String> errors = new ArrayList<>();

        ResumingClient(int port) {
            this.port = port;
        }

        void connect() {
            client.connect(port, "127.0.0.1", "/ws").onSuccess(ws -> {
                synchronized (this) {
                    connects++;
                }
                ws.textMessageHandler(this::onText);
                ws.closeHandler(v -> retry());
                long from = lastSeq();
                // the first time live; after a drop, resume from the last message received
                ws.writeTextMessage((from > 0 ? Fixture.subscribeAll("all").put("from", from) : Fixture.subscribeAll("all")).encode());
            }).onFailure(e -> retry());
        }

        private void retry() {
            vertx.setTimer(100, t -> connect());
        }

        private synchronized void onText(String text) {
            Object v = io.vertx.core.json.Json.decodeValue(text);
            for (Object o : v instanceof JsonArray a ? a : new JsonArray().add(v)) {
                JsonObject m = (JsonObject) o;
                String type = m.getString("type");
                if ("error".equals(type)) {
                    errors.add(m.encode());
                } else if (("tick".equals(type) || "score".equals(type)) && !m.getBoolean("snapshot", false)) {
                    seqs.add(m.getLong("seq"));
                    lastSeq = Math.max(lastSeq, m.getLong("seq"));
                }
            }
        }

        synchronized long lastSeq() {
            return lastSeq;
        }

        synchronized List<Long> seqs() {
            return List.copyOf(seqs);
        }

        synchronized int connects() {
            return connects;
        }

        synchronized List<String> errors() {
            return List.copyOf(errors);
        }
    }

    @Test
    void shouldLetClientsResumeWithNothingMissingOrTwiceWhenTheServerIsKilledFiveTimes() throws Exception {
        Path queue = dir.resolve("queue");
        int port = External.freePort();
        Random random = new Random(11);
        Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(queue, 1500, 5));
        List<String> serverArgs = List.of("server", "--queue", queue.toString(), "--port", String.valueOf(port),
                "--host", "127.0.0.1");
        External.Running server = AppProcess.start(dir.resolve("server-0.log"), serverArgs.toArray(String[]::new));
        List<ResumingClient> clients = new ArrayList<>();
        try {
            External.awaitPort(server, port, Duration.ofSeconds(30));
            for (int i = 0; i < 20; i++) {
                ResumingClient c = new ResumingClient(port);
                clients.add(c);
                c.connect();
            }
            Fixture.await(() -> clients.stream().allMatch(c -> c.lastSeq() > 0), Duration.ofSeconds(20),
                    "every client receiving");
            for (int round = 1; round <= 5; round++) {
                Thread.sleep(500 + random.nextInt(1500));
                AppProcess.kill9(server);
                server = AppProcess.start(dir.resolve("server-" + round + ".log"), serverArgs.toArray(String[]::new));
                External.awaitPort(server, port, Duration.ofSeconds(30));
                int expectConnects = round + 1;
                Fixture.await(() -> clients.stream().allMatch(c -> c.connects() >= expectConnects),
                        Duration.ofSeconds(30), "every client to reconnect after kill " + expectConnects);
            }
            Thread.sleep(1000);
            sim.stop();
            List<Long> inQueue = Fixture.queueSeqs(queue);
            long last = inQueue.get(inQueue.size() - 1);
            Fixture.await(() -> clients.stream().allMatch(c -> c.lastSeq() == last), Duration.ofSeconds(30),
                    "every client to reach the end of the queue");
            for (ResumingClient c : clients) {
                assertEquals(List.of(), c.errors(), "no resume_unavailable or other error");
                List<Long> got = c.seqs();
                long first = got.get(0);
                List<Long> owed = inQueue.stream().filter(seq -> seq >= first).toList();
                assertTrue(owed.size() > 5_000, "a real load across the kills: " + owed.size());
                Fixture.assertSameSeqs(owed, got, "every message from the first one received, once, in order");
            }
        } finally {
            server.close();
            sim.stop();
        }
    }
}
