package io.tickstream.session;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.support.Await;
import io.tickstream.support.Fixture;
import io.tickstream.support.TestStack;
import io.tickstream.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Latency provenance against a real server and feed: a subscription made with {@code trace} gets
 * {@code trace.read} and {@code trace.sent} on its snapshots and live messages, in the order of the
 * stages ({@code ts <= read <= sent}); one without it beside it on the same loop gets the plain
 * shared frames; the in-server stage is a histogram in {@code /metrics}.
 */
class TraceTest {

    @RegisterExtension
    final TestStack stack = new TestStack();
    @TempDir
    Path queue;

    @Test
    void aTracedSubscriptionSeesWhereEachMessagesTimeWent() throws Exception {
        ServerMain server = stack.server(Fixture.server(queue).with(ServerConfig.EVENT_LOOPS, 1));
        stack.simulator(Fixture.simulator(queue, 500, 3));
        Fixture.awaitTopics(server.port(), 100, Duration.ofSeconds(20));
        try (WsClient traced = stack.connect(); WsClient plain = stack.connect()) {
            JsonArray all = new JsonArray().add("stocks.*").add("sports.>");
            traced.request(new JsonObject().put("op", "subscribe").put("id", "t").put("topics", all)
                    .put("trace", true), "subscribed");
            plain.request(new JsonObject().put("op", "subscribe").put("id", "p").put("topics", all), "subscribed");
            Await.until(() -> traced.liveSeqs().size() > 200 && plain.liveSeqs().size() > 200,
                    Duration.ofSeconds(20), "live messages on both");

            int snapshots = 0;
            for (JsonObject m : feedMessages(traced)) {
                JsonObject trace = m.getJsonObject("trace");
                assertTrue(trace != null, "every message of a traced subscription: " + m.encode());
                long read = trace.getLong("read");
                long sent = trace.getLong("sent");
                assertTrue(m.getLong("ts") <= read && read <= sent, "ts <= read <= sent: " + m.encode());
                snapshots += m.getBoolean("snapshot", false) ? 1 : 0;
            }
            assertTrue(snapshots > 100, "its snapshots too: " + snapshots);
            for (JsonObject m : feedMessages(plain)) {
                assertFalse(m.containsKey("trace"), "an untraced subscription pays nothing: " + m.encode());
            }
            Await.until(() -> Fixture.metric(server.port(), "tickstream_server_latency_seconds_count") > 0,
                    Duration.ofSeconds(10), "the in-server stage in /metrics");
        }
    }

    private static List<JsonObject> feedMessages(WsClient c) {
        return c.received().stream().filter(m -> m.containsKey("seq")).toList();
    }
}
