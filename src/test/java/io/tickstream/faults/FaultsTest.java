package io.tickstream.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.feed.Sequenced;
import io.tickstream.support.AppProcess;
import io.tickstream.support.External;
import io.tickstream.support.Fixture;
import io.tickstream.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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

    private static JsonObject subscribeAll() {
        return new JsonObject().put("op", "subscribe").put("id", "all")
                .put("topics", new JsonArray().add("stocks.*").add("sports.>"));
    }

    /** The live (not snapshot) data messages a client received, by seq, in the order received. */
    private static List<Long> liveSeqs(WsClient c) {
        List<Long> seqs = new ArrayList<>();
        for (JsonObject m : c.received()) {
            String type = m.getString("type");
            if (("tick".equals(type) || "score".equals(type)) && !m.getBoolean("snapshot", false)) {
                seqs.add(m.getLong("seq"));
            }
        }
        return seqs;
    }

    private static List<Long> queueSeqs(Path queue) {
        return Fixture.readQueue(queue).stream().map(Sequenced::seq).toList();
    }

    @Test
    void shouldDrainOnSigtermClosingClientsWith1001AndExitingWithZero() throws Exception {
        Path queue = dir.resolve("queue");
        int port = External.freePort();
        Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(queue, 500, 1));
        External.Running server = AppProcess.start(dir.resolve("server.log"), "server", "--queue", queue.toString(),
                "--port", String.valueOf(port), "--host", "127.0.0.1", "--drain-ms", "2000");
        try {
            External.awaitPort(server, port, Duration.ofSeconds(30));
            try (WsClient c = WsClient.connect(client, port)) {
                c.request(subscribeAll(), "subscribed");
                c.awaitMessage(m -> "tick".equals(m.getString("type")) && !m.getBoolean("snapshot", false),
                        Duration.ofSeconds(10));
                server.process().destroy();   // SIGTERM
                assertEquals((short) 1001, c.awaitClose(Duration.ofSeconds(15)));
                assertEquals("going away", c.closeReason());
            }
            assertTrue(server.process().waitFor(20, TimeUnit.SECONDS), "the server exits after its drain");
            assertEquals(0, server.process().exitValue(), server.output());
            assertTrue(server.output().contains("server: stopped"), server.output());
        } finally {
            server.close();
            sim.stop();
        }
    }

    @Test
    void shouldDeliverEveryMessageOfTheQueueExactlyOnceWhileTheFeedIsKilledFiveTimes() throws Exception {
        Path queue = dir.resolve("queue");
        ServerConfig config = Fixture.server(queue).toBuilder().staleAfterMs(700).build();
        Random random = new Random(7);
        try (ServerMain server = Fixture.startServer(config); WsClient c = WsClient.connect(client, server.port())) {
            c.request(subscribeAll(), "subscribed");
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
            List<Long> inQueue = queueSeqs(queue);
            assertTrue(inQueue.size() > 1000, "the feed wrote " + inQueue.size());
            Fixture.await(() -> liveSeqs(c).size() >= inQueue.size(), Duration.ofSeconds(30),
                    "every message in the queue to arrive");
            assertEquals(inQueue, liveSeqs(c), "each message of the queue once, in order");
        }
    }
}
