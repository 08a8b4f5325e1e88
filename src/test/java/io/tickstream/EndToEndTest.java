package io.tickstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.feed.Sequenced;
import io.tickstream.feed.TopicPattern;
import io.tickstream.simulator.Scenario;
import io.tickstream.support.Await;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
import io.tickstream.support.SuiteOrder;
import io.tickstream.support.TestStack;
import io.tickstream.support.WsClient;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole data path with real parts: a simulator writing a Chronicle Queue in a temp directory,
 * the server tailing it on port 0, and 200 WebSocket clients with mixed subscriptions. What each
 * client received is checked against the queue itself.
 */
@Tag(SuiteOrder.LOAD)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EndToEndTest {

    private static final int CLIENTS = 200;

    @TempDir
    Path dir;

    /** One client and what it asked for. */
    private record Subscriber(WsClient ws, List<TopicPattern> patterns, boolean early, boolean unsubscribes) {
        boolean covers(String topic) {
            return patterns.stream().anyMatch(p -> p.matches(topic));
        }
    }

    @Test
    void shouldDeliverEveryMessageOfItsTopicsToEachClientInSeqOrder() throws Exception {
        Path queue = dir.resolve("queue");
        try (TestStack stack = new TestStack()) {
            ServerMain server = stack.server(Fixture.server(queue));
            WebSocketClient wsClient = stack.client();
            Random rnd = new Random(5);
            List<String> symbols = Scenario.builtIn().symbols().stream()
                    .map(s -> s.symbol()).toList();
            List<Subscriber> subs = new ArrayList<>();

            // Half the clients subscribe before the feed has any topic: patterns and literal topics
            // must pick up topics that appear later. The other half joins a running feed.
            for (int i = 0; i < CLIENTS / 2; i++) {
                subs.add(subscribe(wsClient, server.port(), i, rnd, symbols, true));
            }
            Fixture.RunningSimulator sim = stack.simulator(Fixture.simulator(queue, 1500, 42));
            Fixture.await(() -> feedMessagesRead(server) > 0, Duration.ofSeconds(20), "first messages");
            Fixture.awaitTopics(server.port(), 300, Duration.ofSeconds(30));
            for (int i = CLIENTS / 2; i < CLIENTS; i++) {
                subs.add(subscribe(wsClient, server.port(), i, rnd, symbols, false));
            }
            Await.until(() -> subs.stream().allMatch(s -> !s.ws().liveSeqs().isEmpty()), Duration.ofSeconds(30),
                    "every client to receive live messages");

            // Every tenth client unsubscribes from everything mid-stream.
            Map<Subscriber, Integer> unsubscribedAt = new HashMap<>();
            for (Subscriber s : subs) {
                if (s.unsubscribes()) {
                    JsonArray topics = new JsonArray();
                    s.patterns().forEach(p -> topics.add(p.text()));
                    JsonObject ack = s.ws().request(new JsonObject().put("op", "unsubscribe").put("id", "u")
                            .put("topics", topics), "unsubscribed");
                    assertEquals("unsubscribed", ack.getString("type"), ack.encode());
                    unsubscribedAt.put(s, s.ws().received().indexOf(ack));
                }
            }
            Fixture.awaitFeedMoves(server.port(), 1500, Duration.ofSeconds(20));   // the feed runs on past them
            sim.stop();

            List<Sequenced> all = Fixture.readQueue(queue);
            assertTrue(all.size() > 3000, "the feed ran: " + all.size());
            long lastSeq = all.get(all.size() - 1).seq();
            Fixture.await(() -> serverCaughtUp(server, lastSeq), Duration.ofSeconds(30), "server read everything");

            // Wait until every client has its last owed message, then check everything.
            for (Subscriber s : subs) {
                if (s.unsubscribes()) {
                    continue;
                }
                long lastOwed = -1;
                for (Sequenced m : all) {
                    if (s.covers(m.message().topic())) {
                        lastOwed = m.seq();
                    }
                }
                long owed = lastOwed;
                s.ws().awaitMessage(m -> m.getLong("seq", -1L) == owed && !m.getBoolean("snapshot", false),
                        Duration.ofSeconds(30));
            }
            for (Subscriber s : subs) {
                check(s, all, unsubscribedAt.get(s));
            }

            double sent = Fixture.metric(server.port(), "tickstream_messages_sent_total{kind=\"tick\"}");
            assertTrue(sent > all.size(), "messages_sent counter moved: " + sent);
            assertEquals(CLIENTS, Fixture.metric(server.port(), "tickstream_connections"));
        }
    }

    private static long feedMessagesRead(ServerMain server) {
        try {
            return (long) Fixture.metric(server.port(), "tickstream_feed_messages_total{kind=\"tick\"}");
        } catch (Exception e) {
            return 0;
        }
    }

    private static boolean serverCaughtUp(ServerMain server, long lastSeq) {
        try {
            double read = Fixture.metric(server.port(), "tickstream_feed_messages_total{kind=\"tick\"}")
                    + Fixture.metric(server.port(), "tickstream_feed_messages_total{kind=\"score\"}");
            return server.ready() && read > 0 && Fixture.get(server.port(), "/health/ready").statusCode() == 200
                    && lastSeqSeen(server) >= lastSeq;
        } catch (Exception e) {
            return false;
        }
    }

    private static long lastSeqSeen(ServerMain server) throws Exception {
        long max = -1;
        for (Object o : new JsonArray(Fixture.get(server.port(), "/api/topics").body())) {
            max = Math.max(max, ((JsonObject) o).getJsonObject("latest").getLong("seq"));
        }
        return max;
    }

    private static Subscriber subscribe(WebSocketClient client, int port, int i, Random rnd, List<String> symbols,
                                        boolean early) throws Exception {
        WsClient ws = WsClient.connect(client, port);
        List<String> topics = new ArrayList<>();
        switch (i % 4) {
            case 0 -> topics.add("stocks.*");
            case 1 -> {
                for (int k = 0; k < 5; k++) {
                    topics.add("stocks." + symbols.get(rnd.nextInt(symbols.size())));
                }
            }
            case 2 -> topics.add("sports.>");
            default -> {
                for (int k = 0; k < 3; k++) {
                    topics.add("stocks." + symbols.get(rnd.nextInt(symbols.size())));
                }
                topics.add("sports.football.*");
            }
        }
        List<TopicPattern> patterns = topics.stream().distinct().map(TopicPattern::parse).toList();
        JsonObject ack = ws.request(Messages.subscribe("s" + i, patterns.stream().map(TopicPattern::text).toList())
                .json(), "subscribed");
        assertEquals("subscribed", ack.getString("type"), ack.encode());
        return new Subscriber(ws, patterns, early, i % 10 == 9);
    }

    /** Checks one client's messages against the queue. */
    private static void check(Subscriber s, List<Sequenced> all, Integer unsubscribedIndex) {
        List<JsonObject> got = s.ws().received();
        assertEquals("welcome", got.get(0).getString("type"));
        int subscribedAt = -1;
        for (int i = 0; i < got.size(); i++) {
            if ("subscribed".equals(got.get(i).getString("type"))) {
                subscribedAt = i;
                break;
            }
        }
        assertTrue(subscribedAt > 0, "subscribed answered");
        int end = unsubscribedIndex == null ? got.size() : unsubscribedIndex;

        Map<String, Long> snapshots = new LinkedHashMap<>();
        Map<String, List<Long>> live = new LinkedHashMap<>();
        long lastLive = -1;
        boolean liveStarted = false;
        for (int i = subscribedAt + 1; i < got.size(); i++) {
            JsonObject m = got.get(i);
            String type = m.getString("type");
            if (!"tick".equals(type) && !"score".equals(type)) {
                continue;
            }
            String topic = m.getString("topic");
            assertTrue(i < end, "nothing after unsubscribed: " + m.encode());
            assertTrue(s.covers(topic), "only subscribed topics: " + topic + " for " + s.patterns());
            long seq = m.getLong("seq");
            if (m.getBoolean("snapshot", false)) {
                assertFalse(liveStarted, "snapshots come before live messages");
                assertTrue(snapshots.put(topic, seq) == null, "one snapshot per topic");
                continue;
            }
            liveStarted = true;
            assertTrue(seq > lastLive, "seq strictly increasing: " + seq + " after " + lastLive);
            Long snap = snapshots.get(topic);
            assertTrue(snap == null || seq > snap, "live after its snapshot");
            lastLive = seq;
            live.computeIfAbsent(topic, t -> new ArrayList<>()).add(seq);
        }
        if (s.early()) {
            assertTrue(snapshots.isEmpty(), "nothing to snapshot before the feed started");
        }
        long joinedAt = snapshots.values().stream().mapToLong(Long::longValue).max().orElse(-1);
        long lastReceived = lastLive;
        for (Sequenced m : all) {
            String topic = m.message().topic();
            if (!s.covers(topic)) {
                continue;
            }
            Long snap = snapshots.get(topic);
            long after = snap != null ? snap : joinedAt;
            if (snap == null && m.seq() <= joinedAt && !s.early()) {
                throw new AssertionError("topic " + topic + " existed when the client subscribed "
                        + "but no snapshot came");
            }
            if (m.seq() <= after || (unsubscribedIndex != null && m.seq() > lastReceived)) {
                continue;
            }
            List<Long> seqs = live.getOrDefault(topic, List.of());
            assertTrue(seqs.contains(m.seq()), "missing seq " + m.seq() + " of " + topic);
        }
        int expected = 0;
        for (Sequenced m : all) {
            String topic = m.message().topic();
            Long snap = snapshots.get(topic);
            long after = snap != null ? snap : joinedAt;
            if (s.covers(topic) && m.seq() > after && (unsubscribedIndex == null || m.seq() <= lastReceived)) {
                expected++;
            }
        }
        int receivedLive = live.values().stream().mapToInt(List::size).sum();
        assertEquals(expected, receivedLive, "exactly the owed messages, no duplicates");
    }
}
