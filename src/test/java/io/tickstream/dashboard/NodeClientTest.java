package io.tickstream.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.feed.Sequenced;
import io.tickstream.feed.TopicPattern;
import io.tickstream.support.Fixture;
import io.tickstream.support.Node;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client library {@code tickstream.js}, as the server serves it at {@code /tickstream.js}, under
 * {@code node} with the {@code ws} package (src/test/node/client-check.mjs), against a real server
 * and simulator: subscriptions, ping, snapshots, replays, and resumes after its connection is cut
 * (twice, once in the middle of a resume) and after the server restarts; every seq checked against
 * the queue.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class NodeClientTest {

    private static final Duration STEP = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void theLibraryUnderNodeReadsThePastAndResumesWithNoGapAndNoDuplicate() throws Exception {
        Path queue = dir.resolve("queue");
        ServerConfig config = Fixture.server(queue).with(ServerConfig.HEARTBEAT_MS, 1000L);
        Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(queue, 1500, 31));
        ServerMain[] server = {Fixture.startServer(config)};
        int port = server[0].port();
        try {
            HttpResponse<String> served = Fixture.get(port, "/tickstream.js");
            assertEquals(200, served.statusCode());
            String type = served.headers().firstValue("content-type").orElse("");
            assertTrue(type.startsWith("text/javascript"), "served as JavaScript: " + type);
            Path library = Files.writeString(dir.resolve("tickstream.js"), served.body());
            Path out = dir.resolve("received.json");
            try (Node.Script node = Node.start(dir.resolve("node.log"), "client-check.mjs", library.toString(),
                    "ws://127.0.0.1:" + port + "/ws", out.toString())) {
                JsonObject live = node.await("live", STEP);
                long cut = live.getLong("cut");
                assertTrue(node.await("pong", STEP).getLong("rttMs") >= 0);
                assertTrue(node.await("snapshot-now", STEP).getInteger("topics") > 10, "every stock");

                // the snapshot at a seq: each topic's latest message at or before it, as the queue has them
                JsonObject then = node.await("snapshot-at", STEP);
                long at = then.getLong("at");
                Map<String, Long> state = new TreeMap<>();
                for (Object m : then.getJsonArray("messages")) {
                    state.put(((JsonArray) m).getString(0), ((JsonArray) m).getLong(1));
                }
                Predicate<String> stocksAndSports = t -> t.startsWith("stocks.") || t.startsWith("sports.");
                assertEquals(latestUpTo(Fixture.readQueue(queue), at, stocksAndSports), state, "the state at seq " + at);
                assertEquals("resume_unavailable", node.await("snapshot-refused", STEP).getString("code"));

                // the replay of a window given as a Date and an ISO string: exactly its records, in order
                JsonObject replayed = node.await("replayed", STEP);
                long fromTime = replayed.getLong("fromTime");
                long toTime = Instant.parse(replayed.getString("toTime")).toEpochMilli() * 1000;
                Predicate<String> sports = TopicPattern.parse("sports.>")::matches;
                List<Long> window = Fixture.readQueue(queue).stream().filter(s -> sports.test(s.message().topic()))
                        .filter(s -> s.message().ts() >= fromTime && s.message().ts() <= toTime)
                        .map(Sequenced::seq).toList();
                assertFalse(window.isEmpty(), "a window with football in it");
                assertEquals(window, longs(replayed.getJsonArray("seqs")), "the replayed football");
                assertEquals(window.size(), replayed.getJsonObject("replaying").getLong("count"));
                assertEquals(window.size(), replayed.getJsonObject("end").getLong("count"));
                assertEquals("done", replayed.getString("state"));
                JsonObject cancelled = node.await("cancelled", STEP);
                assertEquals("cancelled", cancelled.getString("state"), cancelled.encode());
                assertTrue(cancelled.getJsonObject("end").getBoolean("cancelled"), cancelled.encode());
                assertTrue(cancelled.getLong("received") >= 1, cancelled.encode());

                // it cut its connection twice and resumed; now the server stops and starts again
                node.await("restart-me", STEP);
                server[0].close();   // in-process: Vert.x closes its sockets (1000); a SIGTERM'd server says 1001
                int stopped = node.await("close", STEP).getInteger("code");
                assertTrue(stopped == 1000 || stopped == 1001, "closed by the server: " + stopped);
                assertEquals(1006, node.await("close", STEP).getInteger("code"), "refused while the server is down");
                server[0] = Fixture.startServer(config.with(ServerConfig.PORT, port));
                node.await("flowing", STEP);
                sim.stop();

                List<Sequenced> all = Fixture.readQueue(queue);
                List<TopicPattern> patterns = List.of("stocks.AAPL", "stocks.MSFT", "stocks.NVDA", "sports.>").stream()
                        .map(TopicPattern::parse).toList();
                List<Sequenced> owed = all.stream().filter(s -> s.seq() > cut)
                        .filter(s -> patterns.stream().anyMatch(p -> p.matches(s.message().topic()))).toList();
                long lastTsla = all.stream().filter(s -> s.message().topic().equals("stocks.TSLA"))
                        .mapToLong(Sequenced::seq).max().orElseThrow();
                node.send(new JsonObject().put("cmd", "finish").put("until", owed.get(owed.size() - 1).seq())
                        .put("tsla", lastTsla));
                node.await("done", STEP);
                assertEquals(0, node.awaitExit(Duration.ofSeconds(10)));

                JsonObject got = new JsonObject(Files.readString(out));
                // per topic: each subscription resumes on its own, so across subscriptions a resume's
                // messages may come before the other's (the contract orders live messages only)
                Map<String, List<Long>> owedByTopic = new TreeMap<>();
                for (Sequenced s : owed) {
                    owedByTopic.computeIfAbsent(s.message().topic(), t -> new ArrayList<>()).add(s.seq());
                }
                Map<String, List<Long>> seenByTopic = new TreeMap<>();
                int seen = 0;
                for (Object e : got.getJsonArray("live")) {
                    seenByTopic.computeIfAbsent(((JsonArray) e).getString(0), t -> new ArrayList<>())
                            .add(((JsonArray) e).getLong(1));
                    seen++;
                }
                assertEquals(owedByTopic.keySet(), seenByTopic.keySet(), "the topics");
                for (String topic : owedByTopic.keySet()) {
                    Fixture.assertSameSeqs(owedByTopic.get(topic), seenByTopic.get(topic), topic + ": every message"
                            + " after the first snapshotSeq, once, in order, across two cut connections and a restart");
                }
                assertEquals(List.of(), got.getJsonArray("replayLeaks").getList(), "no replayed message in a subscription");
                assertTrue(got.getInteger("welcomes") >= 4, got.encode());
                List<?> closes = got.getJsonArray("closes").getList();
                int serverClose = closes.indexOf(stopped);
                assertTrue(serverClose >= 2 && closes.subList(0, serverClose).stream().allMatch(c -> c.equals(1006)),
                        "two cuts (and refused reconnects: 1006), then the server's close: " + closes);

                // the throttled subscription: increasing, and it ends on the latest value
                long previous = -1;
                long newest = -1;
                for (Object e : got.getJsonArray("tsla")) {
                    long seq = ((JsonArray) e).getLong(0);
                    if (!((JsonArray) e).getBoolean(1)) {
                        assertTrue(seq > previous, "stocks.TSLA live " + seq + " after " + previous);
                        previous = seq;
                    }
                    newest = Math.max(newest, seq);
                }
                assertEquals(lastTsla, newest, "the throttled topic ends on its latest value");

                // trace: passed through as the server sends it (every message, once the server announces it)
                boolean traces = got.getJsonArray("features").contains("trace");
                assertEquals(traces ? got.getLong("traced") : 0L, got.getLong("tracedWithTrace"), got.encode());
                System.out.println("node client: " + seen + " live messages, " + got.getJsonObject("stats")
                        + ", " + got.getLong("reconnects") + " reconnects, resume point " + got.getLong("resumePoint"));
            }
        } finally {
            sim.stop();
            server[0].close();
        }
    }

    private static List<Long> longs(JsonArray array) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            out.add(array.getLong(i));
        }
        return out;
    }

    /** Each topic's latest seq at or before {@code at}, of the topics {@code which} takes. */
    private static Map<String, Long> latestUpTo(List<Sequenced> records, long at, Predicate<String> which) {
        Map<String, Long> latest = new TreeMap<>();
        for (Sequenced r : records) {
            if (r.seq() <= at && which.test(r.message().topic())) {
                latest.put(r.message().topic(), r.seq());
            }
        }
        return latest;
    }
}
