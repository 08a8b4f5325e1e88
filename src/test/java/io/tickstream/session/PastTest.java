package io.tickstream.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.Main;
import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.config.SimulatorConfig;
import io.tickstream.feed.FeedQueue;
import io.tickstream.feed.Sequenced;
import io.tickstream.feed.TopicPattern;
import io.tickstream.support.Await;
import io.tickstream.support.Fixture;
import io.tickstream.support.TestStack;
import io.tickstream.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import net.openhft.chronicle.queue.RollCycle;
import picocli.CommandLine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The 1.1 reads of the past against a real server and simulator on a queue that rolls every second:
 * the consistent cut of a subscribe's snapshots ({@code snapshotSeq}), the {@code snapshot} op at a
 * seq of an earlier cycle, and the {@code replay} op (a window across rolls, as fast as the socket
 * takes it, paced, cancelled, beside a live subscription, for a reader that stalls), each checked
 * against the queue's own records.
 */
class PastTest {

    private static final RollCycle ROLL = FeedQueue.rollCycle("TEST_SECONDLY");

    @RegisterExtension
    static final TestStack STACK = TestStack.perClass();
    @TempDir
    static Path queue;
    private static ServerMain server;

    @BeforeAll
    static void start() throws Exception {
        server = STACK.server(Fixture.server(queue).with(ServerConfig.ROLL_CYCLE, "TEST_SECONDLY"));
        STACK.simulator(Fixture.simulator(queue, 600, 5).with(SimulatorConfig.ROLL_CYCLE, "TEST_SECONDLY"));
        Await.until(() -> {
            List<Long> seqs = Fixture.queueSeqs(queue);
            return seqs.size() > 10 && ROLL.toCycle(seqs.get(seqs.size() - 1)) >= ROLL.toCycle(seqs.get(0)) + 3;
        }, Duration.ofSeconds(30), "the queue to span four cycles");
    }

    @Test
    void aSubscribesSnapshotsAreEachTopicsLatestAsOfSnapshotSeqAndLiveFollowsIt() throws Exception {
        try (WsClient c = STACK.connect()) {
            JsonObject welcome = c.awaitMessage(m -> "welcome".equals(m.getString("type")), Duration.ofSeconds(5));
            assertEquals(new JsonArray().add("replay").add("snapshotAt").add("staleness").add("trace")
                    .add("corrections"), welcome.getJsonArray("features"), welcome.encode());
            JsonObject subscribed = c.request(Fixture.subscribeAll("all"), "subscribed");
            long cut = subscribed.getLong("snapshotSeq");
            Await.until(() -> c.liveSeqs().size() > 50, Duration.ofSeconds(10), "live messages");
            Map<String, Long> expected = latestUpTo(cut, t -> true);
            Map<String, Long> snapshots = new TreeMap<>();
            for (JsonObject m : c.received()) {
                if (m.getBoolean("snapshot", false)) {
                    snapshots.put(m.getString("topic"), m.getLong("seq"));
                }
            }
            assertEquals(expected, snapshots, "the snapshots: each topic's latest message as of seq " + cut);
            List<Long> live = c.liveSeqs();
            List<Long> after = Fixture.queueSeqs(queue).stream().filter(s -> s > cut).toList();
            assertEquals(after.subList(0, live.size()), live, "live: every message after snapshotSeq, in order");
        }
    }

    @Test
    void theSnapshotOpAnswersTheStateAtASeqOfAnEarlierCycle() throws Exception {
        List<Long> seqs = Fixture.queueSeqs(queue);
        long at = seqs.get(seqs.size() / 4);
        assertTrue(ROLL.toCycle(at) < ROLL.toCycle(seqs.get(seqs.size() - 1)), "an earlier cycle");
        try (WsClient c = STACK.connect()) {
            for (String pattern : List.of("stocks.*", "sports.>")) {
                JsonObject answer = c.request(new JsonObject().put("op", "snapshot").put("id", "s-" + pattern)
                        .put("topics", new JsonArray().add(pattern)).put("at", at), "snapshot");
                assertEquals(at, answer.getLong("at"), answer.encode());
                Map<String, Long> found = new TreeMap<>();
                JsonArray messages = answer.getJsonArray("messages");
                for (int i = 0; i < messages.size(); i++) {
                    found.put(messages.getJsonObject(i).getString("topic"), messages.getJsonObject(i).getLong("seq"));
                }
                TopicPattern p = TopicPattern.parse(pattern);
                assertEquals(latestUpTo(at, p::matches), found, "the state of " + pattern + " at seq " + at);
            }
            JsonObject now = c.request(new JsonObject().put("op", "snapshot").put("id", "now")
                    .put("topics", new JsonArray().add("stocks.*")), "snapshot");
            assertEquals(latestUpTo(now.getLong("at"), TopicPattern.parse("stocks.*")::matches).size(),
                    now.getJsonArray("messages").size(), now.encode());

            JsonObject gone = c.request(new JsonObject().put("op", "snapshot").put("id", "gone")
                    .put("topics", new JsonArray().add("stocks.*")).put("at", seqs.get(0) - 1), "snapshot");
            assertEquals("resume_unavailable", gone.getString("code"), gone.encode());
            JsonObject ahead = c.request(new JsonObject().put("op", "snapshot").put("id", "ahead")
                    .put("topics", new JsonArray().add("stocks.*")).put("at", seqs.get(seqs.size() - 1) + (1L << 44)),
                    "snapshot");
            assertEquals("resume_ahead", ahead.getString("code"), "an hour of cycles ahead");
            assertTrue(ahead.getLong("head") > 0, ahead.encode());
        }
    }

    @Test
    void aReplayAcrossRollsSendsExactlyTheWindowBesideLiveMessages() throws Exception {
        List<Sequenced> records = Fixture.readQueue(queue);
        long fromTs = records.get(records.size() / 8).message().ts();
        long toTs = records.get(records.size() * 7 / 8).message().ts();
        Predicate<String> sports = TopicPattern.parse("sports.>")::matches;
        List<Long> expected = window(records, fromTs, toTs, sports);
        assertTrue(ROLL.toCycle(expected.get(0)) < ROLL.toCycle(expected.get(expected.size() - 1)), "across rolls");
        try (WsClient c = STACK.connect()) {
            long cut = c.request(new JsonObject().put("op", "subscribe").put("id", "live")
                    .put("topics", new JsonArray().add("stocks.*")).put("snapshot", false), "subscribed")
                    .getLong("snapshotSeq");
            JsonObject replaying = c.request(new JsonObject().put("op", "replay").put("id", "r1")
                    .put("topics", new JsonArray().add("sports.>"))
                    .put("fromTime", Instant.ofEpochSecond(0, fromTs * 1000).toString()).put("toTime", toTs)
                    .put("speed", 0), "replaying");
            assertEquals(expected.size(), replaying.getLong("count"), replaying.encode());
            JsonObject replayed = c.awaitMessage(m -> "replayed".equals(m.getString("type")), Duration.ofSeconds(20));
            assertEquals(expected.size(), replayed.getLong("count"), replayed.encode());
            assertEquals(expected, replaySeqs(c, "r1"), "the replay: every record of the window, in order");
            assertTrue(c.received().indexOf(replaying) < c.received().indexOf(replayed));
            Await.until(() -> c.liveSeqs().size() > 20, Duration.ofSeconds(10), "live messages");
            List<Long> live = c.liveSeqs();
            List<Long> stocks = new ArrayList<>();
            for (Sequenced r : Fixture.readQueue(queue)) {
                if (r.seq() > cut && r.message().topic().startsWith("stocks.")) {
                    stocks.add(r.seq());
                }
            }
            assertEquals(stocks.subList(0, live.size()), live, "live beside the replay: every message, in order");
        }
    }

    @Test
    void aReplayIsPacedBySpeedAndCanBeCancelled() throws Exception {
        List<Sequenced> records = Fixture.readQueue(queue);
        long fromTs = records.get(0).message().ts();
        long toTs = fromTs + 800_000;
        List<Long> expected = window(records, fromTs, toTs, t -> t.startsWith("stocks."));
        try (WsClient c = STACK.connect()) {
            long started = System.nanoTime();
            c.request(replay("paced").put("fromTime", fromTs).put("toTime", toTs).put("speed", 2), "replaying");
            JsonObject done = c.awaitMessage(m -> "replayed".equals(m.getString("type")), Duration.ofSeconds(20));
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertEquals(expected.size(), done.getLong("count"));
            List<JsonObject> sent = c.received().stream().filter(m -> "paced".equals(m.getString("replay"))).toList();
            long spanMs = (sent.get(sent.size() - 1).getLong("ts") - sent.get(0).getLong("ts")) / 1_000;
            assertTrue(tookMs >= spanMs / 2 * 9 / 10,
                    "at speed 2, a window of " + spanMs + " ms took " + tookMs + " ms");

            c.request(replay("long").put("fromTime", fromTs).put("speed", 1), "replaying");
            Await.until(() -> !replaySeqs(c, "long").isEmpty(), Duration.ofSeconds(10), "the replay to begin");
            JsonObject busy = c.request(replay("second").put("fromTime", fromTs), "replaying");
            assertEquals("too_many_replays", busy.getString("code"), busy.encode());
            c.send(new JsonObject().put("op", "cancel").put("id", "long"));
            JsonObject cancelled = c.awaitMessage(m -> "replayed".equals(m.getString("type"))
                    && "long".equals(m.getString("id")), Duration.ofSeconds(10));
            int got = replaySeqs(c, "long").size();
            assertEquals(got, cancelled.getLong("count"), "cancelled: the count sent so far");
            assertTrue(cancelled.getBoolean("cancelled"), cancelled.encode());
            assertFalse(done.containsKey("cancelled"), done.encode());
            assertTrue(got < records.size() / 2, got + " of the window's messages before the cancel");
            Await.holds(() -> replaySeqs(c, "long").size() == got, Duration.ofMillis(300), "nothing after replayed");
        }
    }

    @Test
    void badReplaysAreAnsweredWithErrors() throws Exception {
        long first = Fixture.readQueue(queue).get(0).message().ts();
        long future = (System.currentTimeMillis() + 60_000) * 1000;
        try (WsClient c = STACK.connect()) {
            assertEquals("replay_unavailable", code(c, replay("f").put("fromTime", first).put("toTime", future)));
            JsonObject old = c.request(replay("old").put("fromTime", first - 1), "replaying");
            assertEquals("replay_unavailable", old.getString("code"), old.encode());
            assertEquals(first, old.getLong("firstTime"), "where a window may start: " + old.encode());
            assertEquals(Fixture.readQueue(queue).get(0).seq(), old.getLong("firstSeq"), old.encode());
            assertEquals("bad_request", code(c, replay("speed").put("fromTime", first).put("speed", -1)));
            assertEquals("bad_request", code(c, replay("t").put("fromTime", "yesterday")));
            assertEquals("bad_request", code(c, replay("order").put("fromTime", first + 10).put("toTime", first)));
            assertEquals("bad_request", code(c, new JsonObject().put("op", "cancel").put("id", "none")));
            c.send(replay("no id").put("fromTime", first).putNull("id"));
            JsonObject noId = c.awaitMessage(m -> "error".equals(m.getString("type")) && m.getString("id") == null,
                    Duration.ofSeconds(5));
            assertEquals("bad_request", noId.getString("code"), noId.encode());
            assertFalse(c.isClosed());
        }
    }

    @Test
    void aReaderThatStallsSlowsItsReplayAndIsNotClosed() throws Exception {
        try (TestStack stack = new TestStack()) {
            ServerMain small = stack.server(Fixture.server(queue).with(ServerConfig.ROLL_CYCLE, "TEST_SECONDLY")
                    .with(ServerConfig.MAX_BACKLOG_BYTES, 4_096L).with(ServerConfig.SLOW_CONSUMER_GRACE_MS, 100L));
            List<Sequenced> records = Fixture.readQueue(queue);
            long fromTs = records.get(0).message().ts();
            long toTs = records.get(records.size() - 1).message().ts();
            int expected = window(records, fromTs, toTs, t -> true).size();
            try (WsClient c = WsClient.connect(WsClient.slowClient(stack.vertx()), small.port())) {
                c.request(replay("all").put("topics", new JsonArray().add("stocks.*").add("sports.>"))
                        .put("fromTime", fromTs).put("toTime", toTs).put("speed", 0), "replaying");
                c.pause();
                Thread.sleep(1_000);   // the reader's stall, ten times the grace
                assertTrue(replaySeqs(c, "all").size() < expected, "the stall held the replay back");
                c.resume();
                JsonObject done = c.awaitMessage(m -> "replayed".equals(m.getString("type")), Duration.ofSeconds(30));
                assertEquals(expected, done.getLong("count"));
                assertEquals(expected, replaySeqs(c, "all").size());
                assertFalse(c.isClosed(), "a replay's reader is never a slow consumer for it");
            }
        }
    }

    @Test
    void theClientSubcommandAsksFromAShell() {
        long first = Fixture.readQueue(queue).get(0).message().ts();
        String url = "ws://127.0.0.1:" + server.port() + "/ws";
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int exit = cli.execute("client", "--url", url, "--timing", "--until", "snapshot",
                "--send", "{\"op\":\"ping\",\"id\":\"p\"}",
                "--send", "{\"op\":\"snapshot\",\"id\":\"s\",\"topics\":[\"sports.>\"]}");
        assertEquals(0, exit, err.toString());
        List<JsonObject> lines = out.toString().lines().map(JsonObject::new).toList();
        assertEquals(List.of("welcome", "pong", "snapshot"), lines.stream().map(m -> m.getString("type")).toList());
        assertTrue(err.toString().contains("snapshot answered s in "), err.toString());

        StringWriter out2 = new StringWriter();
        StringWriter err2 = new StringWriter();
        int refused = new CommandLine(new Main()).setOut(new PrintWriter(out2)).setErr(new PrintWriter(err2))
                .execute("client", "--url", url, "--until", "replayed", "--send",
                        replay("gone").put("fromTime", first - 1).encode());
        assertEquals(1, refused, out2.toString());
        assertTrue(err2.toString().contains("error replay_unavailable: the queue starts at"), err2.toString());
    }

    private static JsonObject replay(String id) {
        return new JsonObject().put("op", "replay").put("id", id).put("topics", new JsonArray().add("stocks.*"));
    }

    private static String code(WsClient c, JsonObject request) throws InterruptedException {
        JsonObject answer = c.request(request, "error");
        assertEquals("error", answer.getString("type"), answer.encode());
        return answer.getString("code");
    }

    private static List<Long> replaySeqs(WsClient c, String id) {
        return c.received().stream().filter(m -> id.equals(m.getString("replay"))).map(m -> m.getLong("seq")).toList();
    }

    /** The seqs of the records of {@code topics} written from {@code fromTs} to {@code toTs}. */
    private static List<Long> window(List<Sequenced> records, long fromTs, long toTs, Predicate<String> topics) {
        List<Long> out = new ArrayList<>();
        for (Sequenced r : records) {
            if (r.message().ts() >= fromTs && r.message().ts() <= toTs && topics.test(r.message().topic())) {
                out.add(r.seq());
            }
        }
        return out;
    }

    /** Of each topic passing {@code topics}, the seq of its latest record up to {@code at}. */
    private static Map<String, Long> latestUpTo(long at, Predicate<String> topics) {
        Map<String, Long> out = new TreeMap<>();
        for (Sequenced r : Fixture.readQueue(queue)) {
            if (r.seq() <= at && topics.test(r.message().topic())) {
                out.put(r.message().topic(), r.seq());
            }
        }
        return out;
    }
}
