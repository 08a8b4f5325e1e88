package io.tickstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.config.SimulatorConfig;
import io.tickstream.feed.Sequenced;
import io.tickstream.support.Fixture;
import io.tickstream.support.TestStack;
import io.tickstream.support.WsClient;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a server answers while it starts, and what it holds the moment it is ready, whatever
 * position it tails the queue from.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StartupTest {

    private static final String STARTING = "503 {\"status\":503,\"reason\":\"starting\"}";

    @TempDir
    Path dir;

    @Test
    void shouldSnapshotEveryTopicOfTheQueueOnceReadyWhenTailingFromTheEnd() throws Exception {
        Path queue = dir.resolve("queue");
        Map<String, Long> expected = writeStoppedFeed(queue);

        try (TestStack stack = new TestStack()) {
            ServerMain server = stack.server(Fixture.server(queue));
            Fixture.await(server::ready, Duration.ofSeconds(10), "ready");
            Map<String, Long> listed = new TreeMap<>();
            for (Object o : new JsonArray(Fixture.get(server.port(), "/api/topics").body())) {
                JsonObject t = (JsonObject) o;
                listed.put(t.getString("topic"), t.getJsonObject("latest").getLong("seq"));
            }
            assertEquals(expected, listed, "/api/topics: every topic of the queue with its latest message");

            assertSnapshotOfEveryTopic(WsClient.connect(stack.client(), server.port()), expected);
        }
    }

    @Test
    void shouldRefuseWebSocketsAndTopicsWith503StartingUntilEveryShardHoldsTheLatestValues() throws Exception {
        Path queue = dir.resolve("queue");
        Map<String, Long> expected = writeStoppedFeed(queue);

        try (TestStack stack = new TestStack()) {
            WebSocketClient client = stack.client();
            // asked while the server listens and its start waits here, before any shard is seeded
            Map<String, String> whileStarting = new LinkedHashMap<>();
            ServerMain server = stack.add(ServerMain.start(Fixture.server(queue),
                    port -> whileStarting.putAll(answers(port, client))));
            assertEquals(Map.of(
                    "/health/live", "200 {\"status\":\"live\"}",
                    "/health/ready", "503 {\"status\":\"starting\"}",
                    "/api/topics", STARTING,
                    "/ws", STARTING), whileStarting);

            // the first client let in, at once, gets every topic's latest message
            assertSnapshotOfEveryTopic(WsClient.connect(client, server.port()), expected);
            HttpResponse<String> topics = Fixture.get(server.port(), "/api/topics");
            assertEquals(200, topics.statusCode());
            assertEquals(expected.size(), new JsonArray(topics.body()).size(), "/api/topics lists every topic");
        }
    }

    /** A feed that ran and stopped: the server starts on it with nothing new arriving. Its latest seq per topic. */
    private static Map<String, Long> writeStoppedFeed(Path queue) throws InterruptedException {
        SimulatorConfig sim = Fixture.simulator(queue, 20_000, 3).with(SimulatorConfig.COUNT, 30_000);
        Fixture.startSimulator(sim).thread().join(60_000);
        Map<String, Long> latest = new TreeMap<>();
        for (Sequenced s : Fixture.readQueue(queue)) {
            latest.put(s.message().topic(), s.seq());
        }
        assertTrue(latest.size() > 500, "the feed has every stock and some matches: " + latest.size());
        return latest;
    }

    private static void assertSnapshotOfEveryTopic(WsClient ws, Map<String, Long> expected) throws Exception {
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
        ws.close();
    }

    /** Status and body of each endpoint a client may try first; {@code /ws} is a WebSocket upgrade. */
    private static Map<String, String> answers(int port, WebSocketClient client) {
        Map<String, String> answers = new LinkedHashMap<>();
        try {
            for (String path : List.of("/health/live", "/health/ready", "/api/topics")) {
                HttpResponse<String> r = Fixture.get(port, path);
                answers.put(path, r.statusCode() + " " + r.body());
            }
            try (WsClient ws = WsClient.connect(client, port)) {
                answers.put("/ws", "101");
            } catch (UpgradeRejectedException e) {
                answers.put("/ws", e.getStatus() + " " + e.getBody());
            }
        } catch (Exception e) {
            answers.put("failed", e.toString());
        }
        return answers;
    }
}
