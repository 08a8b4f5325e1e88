package io.tickstream.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.config.SimulatorConfig;
import io.tickstream.feed.Sequenced;
import io.tickstream.support.Await;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
import io.tickstream.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MaxRateTest {

    @TempDir
    Path dir;

    @Test
    void shouldHoldMaxRatePerTopicAndEndOnTheLatestValue() throws Exception {
        Path symbols = Files.writeString(dir.resolve("two.csv"), "symbol,price,volatility\nAAA,100,0.001\nBBB,50,0.001\n");
        Path queue = dir.resolve("queue");
        Vertx vertx = Vertx.vertx();
        try (ServerMain server = Fixture.startServer(Fixture.server(queue))) {
            WebSocketClient client = WsClient.client(vertx);
            WsClient throttled = WsClient.connect(client, server.port());
            WsClient full = WsClient.connect(client, server.port());
            List<String> topics = List.of("stocks.AAA", "stocks.BBB");
            throttled.request(Messages.subscribe("t", topics).maxRate(10).json(), "subscribed");
            full.request(Messages.subscribe("f", topics).json(), "subscribed");

            // 2 symbols at 1,000 ticks/s: 500 updates/s per topic, for 3 s.
            SimulatorConfig feed = Fixture.simulator(queue, 1000, 5).with(SimulatorConfig.MATCHES, 0)
                    .with(SimulatorConfig.MATCH_MINUTE_MS, 1000).with(SimulatorConfig.SYMBOLS, symbols)
                    .with(SimulatorConfig.DURATION, 3);
            Fixture.startSimulator(feed).thread().join(30_000);
            double seconds = 3; // the feed's duration: the simulator writes for 3 s of wall time

            List<Sequenced> all = Fixture.readQueue(queue);
            Map<String, Long> lastOfTopic = new HashMap<>();
            Map<String, Integer> countOfTopic = new HashMap<>();
            for (Sequenced s : all) {
                lastOfTopic.put(s.message().topic(), s.seq());
                countOfTopic.merge(s.message().topic(), 1, Integer::sum);
            }
            for (String topic : lastOfTopic.keySet()) {
                long last = lastOfTopic.get(topic);
                throttled.awaitMessage(m -> m.getLong("seq", -1L) == last, Duration.ofSeconds(10));
                full.awaitMessage(m -> m.getLong("seq", -1L) == last, Duration.ofSeconds(10));
            }
            int throttledTicks = throttled.ofType("tick").size();
            int fullTicks = full.ofType("tick").size();
            Await.holds(() -> throttled.ofType("tick").size() == throttledTicks
                    && full.ofType("tick").size() == fullTicks, Duration.ofMillis(300),
                    "no tick after the last one of each topic");

            Map<String, Integer> delivered = new HashMap<>();
            Map<String, Integer> represented = new HashMap<>();
            Map<String, Long> lastSeen = new HashMap<>();
            for (JsonObject m : throttled.ofType("tick")) {
                String topic = m.getString("topic");
                Long prev = lastSeen.put(topic, m.getLong("seq"));
                assertTrue(prev == null || m.getLong("seq") > prev, "per-topic order");
                delivered.merge(topic, 1, Integer::sum);
                represented.merge(topic, 1 + m.getInteger("conflated", 0), Integer::sum);
            }
            for (String topic : lastOfTopic.keySet()) {
                int n = delivered.get(topic);
                double allowed = 10 * (seconds + 0.5) + 2;
                assertTrue(n <= allowed, topic + ": " + n + " messages in " + seconds + " s at maxRate 10");
                assertTrue(n >= 10 * seconds * 0.7, topic + ": only " + n + " messages in " + seconds + " s");
                assertEquals(countOfTopic.get(topic), represented.get(topic),
                        "every update delivered or counted in conflated");
                assertEquals(lastOfTopic.get(topic), lastSeen.get(topic), "ends on the latest value");
            }
            assertEquals(all.size(), full.ofType("tick").size(), "a subscriber without maxRate gets everything");
            assertTrue(Fixture.metric(server.port(), "tickstream_messages_conflated_total{kind=\"tick\"}") > 0);
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
