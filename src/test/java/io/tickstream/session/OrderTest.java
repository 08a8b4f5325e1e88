package io.tickstream.session;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
import io.tickstream.support.TestStack;
import io.tickstream.support.WsClient;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract's order, exactly: within one topic strictly increasing in everything a client
 * receives (snapshots, values held back by {@code maxRate}, conflated values included); across
 * topics, live messages in {@code seq} order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OrderTest {

    @TempDir
    Path dir;

    /** Every message with a seq: per topic, each seq above the one before it. */
    private static int assertIncreasingPerTopic(List<JsonObject> received, String who) {
        Map<String, Long> last = new HashMap<>();
        int n = 0;
        for (JsonObject m : received) {
            if (!m.containsKey("seq")) {
                continue;
            }
            n++;
            Long prev = last.put(m.getString("topic"), m.getLong("seq"));
            assertTrue(prev == null || m.getLong("seq") > prev, who + ": " + m.getString("topic") + " went from seq "
                    + prev + " to " + m.getLong("seq") + " (" + m.encode() + ")");
        }
        return n;
    }

    @Test
    void shouldKeepEveryTopicInSeqOrderAcrossSnapshotsHeldValuesAndLiveMessages() throws Exception {
        Path queue = dir.resolve("queue");
        try (TestStack stack = new TestStack()) {
            ServerMain server = stack.server(Fixture.server(queue));
            stack.simulator(Fixture.simulator(queue, 3_000, 11));
            Fixture.awaitTopics(server.port(), 400, Duration.ofSeconds(30));
            var client = stack.client();
            WsClient throttled = WsClient.connect(client, server.port());
            WsClient plain = WsClient.connect(client, server.port());
            // maxRate holds ticks back (and releases the latest later); score events are never held
            throttled.request(Messages.subscribeAll("t").maxRate(2).json(), "subscribed");
            plain.request(Fixture.subscribeAll("p"), "subscribed");
            // a second subscribe overlapping the first: snapshots only of what it newly covers
            throttled.request(Messages.subscribe("t2", "stocks.*", "stocks.AAPL").json(), "subscribed");
            Fixture.await(() -> throttled.received().size() > 3_000 && plain.liveSeqs().size() > 6_000,
                    Duration.ofSeconds(60), "a few seconds of feed");

            int t = assertIncreasingPerTopic(throttled.received(), "maxRate subscriber");
            int p = assertIncreasingPerTopic(plain.received(), "plain subscriber");
            assertTrue(throttled.received().stream().anyMatch(m -> m.getBoolean("snapshot", false))
                    && throttled.received().stream().anyMatch(m -> m.containsKey("conflated")),
                    "the case is exercised: snapshots and held values");
            List<Long> live = plain.liveSeqs();
            for (int i = 1; i < live.size(); i++) {
                assertTrue(live.get(i) > live.get(i - 1), "live messages across topics in seq order at " + i);
            }
            assertTrue(t > 0 && p > 0);
        }
    }
}
