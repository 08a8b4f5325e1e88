package io.tickstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.config.SimulatorConfig;
import io.tickstream.feed.Sequenced;
import io.tickstream.support.Fixture;
import io.tickstream.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a server holds the moment it is ready, whatever position it tails the queue from. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StartupTest {

    @TempDir
    Path dir;

    @Test
    void shouldSnapshotEveryTopicOfTheQueueOnceReadyWhenTailingFromTheEnd() throws Exception {
        Path queue = dir.resolve("queue");
        // a feed that ran and stopped: the server starts on it with nothing new arriving
        SimulatorConfig sim = Fixture.simulator(queue, 20_000, 3).with(SimulatorConfig.COUNT, 30_000);
        Fixture.startSimulator(sim).thread().join(60_000);
        Map<String, Long> expected = new TreeMap<>();
        for (Sequenced s : Fixture.readQueue(queue)) {
            expected.put(s.message().topic(), s.seq());
        }
        assertTrue(expected.size() > 500, "the feed has every stock and some matches: " + expected.size());

        Vertx vertx = Vertx.vertx();
        try (ServerMain server = Fixture.startServer(Fixture.server(queue))) {
            Fixture.await(server::ready, Duration.ofSeconds(10), "ready");
            Map<String, Long> listed = new TreeMap<>();
            for (Object o : new JsonArray(Fixture.get(server.port(), "/api/topics").body())) {
                JsonObject t = (JsonObject) o;
                listed.put(t.getString("topic"), t.getJsonObject("latest").getLong("seq"));
            }
            assertEquals(expected, listed, "/api/topics: every topic of the queue with its latest message");

            WsClient ws = WsClient.connect(WsClient.client(vertx), server.port());
            ws.request(Fixture.subscribeAll("all"), "subscribed");
            Fixture.await(() -> ws.received().size() >= expected.size() + 2, Duration.ofSeconds(20), "snapshots");
            Map<String, Long> snapshots = new TreeMap<>();
            for (JsonObject m : ws.received()) {
                if (m.getBoolean("snapshot", false)) {
                    assertEquals(null, snapshots.put(m.getString("topic"), m.getLong("seq")), "one snapshot a topic");
                }
            }
            assertEquals(expected, snapshots, "a snapshot of every topic of the queue, its latest message");
            List<Long> order = ws.received().stream().filter(m -> m.getBoolean("snapshot", false))
                    .map(m -> m.getLong("seq")).toList();
            assertEquals(order.stream().sorted().toList(), order, "snapshots in seq order");
        } finally {
            vertx.close();
        }
    }
}
