package io.tickstream.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.config.SimulatorConfig;
import io.tickstream.feed.FeedQueue;
import io.tickstream.feed.MicroClock;
import io.tickstream.feed.QueueCodec;
import io.tickstream.feed.Sequenced;
import io.tickstream.feed.Tick;
import io.tickstream.feed.TopicPattern;
import io.tickstream.support.Await;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
import io.tickstream.support.TestStack;
import io.tickstream.support.WsClient;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Resume with {@code from}: the queue, not the server's memory, is the source. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ResumeTest {

    @TempDir
    Path dir;

    /** The test's Vert.x and WebSocket client, closed after each test. */
    @RegisterExtension
    final TestStack stack = new TestStack();

    /** A subscribe without snapshots, resuming after {@code from} unless it is null. */
    private static Messages.Subscribe subscribe(List<String> topics, Long from) {
        Messages.Subscribe s = Messages.subscribe("s", topics).snapshot(false);
        return from == null ? s : s.from(from);
    }

    /** The live seqs a connection received, checked to be strictly increasing. */
    private static List<Long> liveSeqs(WsClient ws) {
        List<Long> out = new ArrayList<>();
        for (JsonObject m : ws.received()) {
            if (m.containsKey("seq") && !m.getBoolean("snapshot", false)) {
                long seq = m.getLong("seq");
                if (!out.isEmpty() && seq <= out.get(out.size() - 1)) {
                    throw new AssertionError("out of order: " + seq + " after " + out.get(out.size() - 1));
                }
                if (m.containsKey("conflated")) {
                    throw new AssertionError("conflated for a reader that keeps up: " + m.encode());
                }
                out.add(seq);
            }
        }
        return out;
    }

    private static List<Long> expected(List<Sequenced> queue, List<String> topics, long after, long upTo) {
        List<TopicPattern> patterns = topics.stream().map(TopicPattern::parse).toList();
        List<Long> out = new ArrayList<>();
        for (Sequenced s : queue) {
            if (s.seq() > after && s.seq() <= upTo && patterns.stream().anyMatch(p -> p.matches(s.message().topic()))) {
                out.add(s.seq());
            }
        }
        return out;
    }

    private static void assertUnion(List<Long> before, List<Long> after, List<Long> expected) {
        List<Long> union = new ArrayList<>(before);
        union.addAll(after);
        assertTrue(!after.isEmpty() && before.get(before.size() - 1) < after.get(0), "the resumed stream "
                + "starts after the last seq seen");
        assertEquals(expected.size(), union.size(), "no gap, no duplicate");
        assertEquals(expected, union);
    }

    @Test
    void shouldResumeWithoutGapOrDuplicateAfterDropsUnderLoad() throws Exception {
        Path queue = dir.resolve("queue");
        try (ServerMain server = Fixture.startServer(Fixture.server(queue))) {
            Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(queue, 3000, 21));
            Random rnd = new Random(3);
            List<List<String>> topicSets = List.of(List.of("stocks.*", "sports.>"), List.of("stocks.AAPL",
                    "stocks.MSFT", "sports.football.*"), List.of("sports.>"), List.of("stocks.*"));
            List<WsClient> firsts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                WsClient ws = WsClient.connect(stack.client(), server.port());
                ws.request(subscribe(topicSets.get(i % 4), null).json(), "subscribed");
                firsts.add(ws);
            }
            List<WsClient> seconds = new ArrayList<>();
            List<Long> lastSeen = new ArrayList<>();
            for (int i = 0; i < firsts.size(); i++) {
                WsClient ws = firsts.get(i);
                // each drops at a random point of the feed, having received something to resume from
                Fixture.awaitFeedMoves(server.port(), 300 + rnd.nextInt(1200), Duration.ofSeconds(20));
                Await.until(() -> !ws.liveSeqs().isEmpty(), Duration.ofSeconds(20), "a live message to resume from");
                ws.close();
                Fixture.await(ws::isClosed, Duration.ofSeconds(5), "closed");
                List<Long> seen = liveSeqs(ws);
                lastSeen.add(seen.get(seen.size() - 1));
            }
            for (int i = 0; i < firsts.size(); i++) {
                Fixture.awaitFeedMoves(server.port(), rnd.nextInt(900), Duration.ofSeconds(20));   // staggered
                WsClient ws = WsClient.connect(stack.client(), server.port());
                ws.request(subscribe(topicSets.get(i % 4), lastSeen.get(i)).json(), "subscribed");
                seconds.add(ws);
            }
            Fixture.awaitFeedMoves(server.port(), 3000, Duration.ofSeconds(20));   // replays hand over to live
            sim.stop();
            List<Sequenced> all = Fixture.readQueue(queue);
            long end = all.get(all.size() - 1).seq();
            for (int i = 0; i < firsts.size(); i++) {
                List<String> topics = topicSets.get(i % 4);
                List<Long> want = expected(all, topics, liveSeqs(firsts.get(i)).get(0) - 1, end);
                long lastWanted = want.get(want.size() - 1);
                seconds.get(i).awaitMessage(m -> m.getLong("seq", -1L) == lastWanted, Duration.ofSeconds(30));
                assertUnion(liveSeqs(firsts.get(i)), liveSeqs(seconds.get(i)), want);
            }
            assertEquals(8, Fixture.metric(server.port(), "tickstream_resumes_total{outcome=\"replayed\"}"));
            assertTrue(Fixture.metric(server.port(), "tickstream_replayed_messages_total") > 0);
        }
    }

    @Test
    void shouldResumeAcrossAServerRestartWhileTheFeedRuns() throws Exception {
        Path queue = dir.resolve("queue");
        List<String> topics = List.of("stocks.*", "sports.>");
        Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(queue, 2000, 8));
        WsClient first;
        ServerConfig config = Fixture.server(queue);
        try (ServerMain server = Fixture.startServer(config)) {
            first = WsClient.connect(stack.client(), server.port());
            first.request(subscribe(topics, null).json(), "subscribed");
            Await.until(() -> first.liveSeqs().size() >= 1000, Duration.ofSeconds(20),
                    "the first client to receive a thousand live messages");
        }
        Fixture.await(first::isClosed, Duration.ofSeconds(10), "the stopped server closed the client");
        Fixture.awaitQueueGrowth(queue, 1000, Duration.ofSeconds(20));   // the feed runs on while no server does
        List<Long> before = liveSeqs(first);
        try (ServerMain server = Fixture.startServer(config)) {
            Await.until(server::ready, Duration.ofSeconds(20), "the restarted server ready");
            WsClient second = WsClient.connect(stack.client(), server.port());
            second.request(subscribe(topics, before.get(before.size() - 1)).json(), "subscribed");
            Fixture.awaitFeedMoves(server.port(), 2000, Duration.ofSeconds(20));   // the replay hands over to live
            sim.stop();
            List<Sequenced> all = Fixture.readQueue(queue);
            List<Long> want = expected(all, topics, before.get(0) - 1, all.get(all.size() - 1).seq());
            long lastWanted = want.get(want.size() - 1);
            second.awaitMessage(m -> m.getLong("seq", -1L) == lastWanted, Duration.ofSeconds(30));
            assertUnion(before, liveSeqs(second), want);
        } finally {
            sim.stop();
        }
    }

    @Test
    void shouldAnswerResumeUnavailableWhenTheSeqIsNoLongerInTheQueue() throws Exception {
        Path queue = dir.resolve("queue");
        SimulatorConfig rolling = Fixture.simulator(queue, 500, 2).with(SimulatorConfig.MATCHES, 4)
                .with(SimulatorConfig.ROLL_CYCLE, "TEST_SECONDLY").with(SimulatorConfig.RETAIN_CYCLES, 2);
        Fixture.RunningSimulator sim = Fixture.startSimulator(rolling);
        try (ServerMain server = Fixture.startServer(
                Fixture.server(queue).with(ServerConfig.ROLL_CYCLE, "TEST_SECONDLY"))) {
            Fixture.await(() -> !Fixture.readQueue(queue).isEmpty(), Duration.ofSeconds(10), "first messages");
            long early = Fixture.readQueue(queue).get(0).seq();
            Fixture.await(() -> {
                var held = Fixture.readQueue(queue);   // empty for a moment while a cycle is deleted
                return !held.isEmpty() && held.get(0).seq() > early + 1;
            }, Duration.ofSeconds(20), "old cycles deleted");
            WsClient ws = WsClient.connect(stack.client(), server.port());
            ws.send(Messages.subscribe("r", "stocks.*").from(early).json());
            JsonObject error = ws.awaitMessage(m -> "error".equals(m.getString("type")), Duration.ofSeconds(10));
            assertEquals("resume_unavailable", error.getString("code"));
            assertEquals("r", error.getString("id"));
            JsonObject snap = ws.awaitMessage(m -> m.getBoolean("snapshot", false), Duration.ofSeconds(10));
            assertTrue(snap.getString("topic").startsWith("stocks."));
            ws.awaitMessage(m -> "tick".equals(m.getString("type")) && !m.getBoolean("snapshot", false),
                    Duration.ofSeconds(10));
            assertEquals(1, Fixture.metric(server.port(), "tickstream_resumes_total{outcome=\"unavailable\"}"));
        } finally {
            sim.stop();
        }
    }

    @Test
    void shouldSkipDamagedRecordsLiveAndInAReplayAlikeAndCountThem() throws Exception {
        Path queue = dir.resolve("queue");
        try (ServerMain server = Fixture.startServer(Fixture.server(queue));
             ChronicleQueue q = FeedQueue.openForWriting(queue, FeedQueue.rollCycle("FAST_DAILY"), 0);
             ExcerptAppender appender = q.createAppender()) {
            WsClient live = WsClient.connect(stack.client(), server.port());
            live.request(subscribe(List.of("stocks.*"), null).json(), "subscribed");
            List<Long> intact = new ArrayList<>();
            Bytes<?> scratch = Bytes.allocateElasticOnHeap(128);
            for (int i = 0; i < 300; i++) {
                Tick t = new Tick(MicroClock.nowMicros(), "S" + (i % 7), 10 + i, 10.5 + i, 10.2 + i, 100, i);
                scratch.clear();
                QueueCodec.write(t, scratch);
                byte[] record = scratch.toByteArray();
                switch (i % 50) {
                    case 10 -> Arrays.fill(record, record.length / 2, record.length, (byte) 0); // torn
                    case 20 -> record[0] = 9;                                                             // foreign
                    case 30 -> record = new byte[] {QueueCodec.VERSION};                                  // cut short
                    default -> { }
                }
                byte[] bytes = record;
                try (DocumentContext dc = appender.writingDocument()) {
                    dc.wire().bytes().write(bytes);
                }
                if (i % 50 != 10 && i % 50 != 20 && i % 50 != 30) {
                    intact.add(appender.lastIndexAppended());
                }
            }
            long last = intact.get(intact.size() - 1);
            Fixture.await(() -> live.liveSeqs().contains(last), Duration.ofSeconds(20), "the last record live");
            Fixture.assertSameSeqs(intact, live.liveSeqs(), "live");
            assertEquals(18, Fixture.metric(server.port(), "tickstream_feed_decode_errors_total"));

            WsClient resumed = WsClient.connect(stack.client(), server.port());
            resumed.request(subscribe(List.of("stocks.*"), intact.get(0)).json(), "subscribed");
            Fixture.await(() -> resumed.liveSeqs().contains(last), Duration.ofSeconds(20), "the replay to end");
            Fixture.assertSameSeqs(intact.subList(1, intact.size()), resumed.liveSeqs(), "replayed");
            assertEquals(18, Fixture.metric(server.port(), "tickstream_feed_decode_errors_total"),
                    "counted once, when read live");
            assertTrue(resumed.received().stream().noneMatch(m -> "error".equals(m.getString("type"))),
                    "a replay across damaged records is a replay, not resume_unavailable");
        }
    }

    /** A feed that ran and stopped: {@code count} messages in the queue, nothing arriving. */
    private static void writeFeed(Path queue, long count, long seed) throws InterruptedException {
        Fixture.startSimulator(Fixture.simulator(queue, 20_000, seed).with(SimulatorConfig.COUNT, count))
                .thread().join(60_000);
    }

    @Test
    void shouldAnswerResumeAheadWithTheHeadAndSubscribeNothingWhenTheFeedDoesNotReachFromInTime() throws Exception {
        Path queue = dir.resolve("queue");
        writeFeed(queue, 2_000, 4);
        long head = Fixture.queueSeqs(queue).get(1_999);
        try (ServerMain server = Fixture.startServer(Fixture.server(queue).with(ServerConfig.RESUME_AHEAD_WAIT_MS, 300)
                .with(ServerConfig.HEARTBEAT_MS, 30_000))) {
            WsClient ws = WsClient.connect(stack.client(), server.port());
            ws.awaitMessage(m -> "welcome".equals(m.getString("type")), Duration.ofSeconds(10));
            ws.send(subscribe(List.of("stocks.*"), 1L << 52).snapshot(true).json());
            ws.send(new JsonObject().put("op", "ping").put("id", "after"));
            JsonObject error = ws.awaitMessage(m -> "error".equals(m.getString("type")), Duration.ofSeconds(10));
            assertEquals("resume_ahead", error.getString("code"));
            assertEquals("s", error.getString("id"));
            assertEquals(head, error.getLong("head"), "the newest seq the server holds");
            ws.awaitMessage(m -> "pong".equals(m.getString("type")), Duration.ofSeconds(10));
            List<String> types = ws.received().stream().map(m -> m.getString("type")).toList();
            assertEquals(List.of("welcome", "error", "pong"), types, "the ping waited for the answer; nothing subscribed");

            // nothing subscribed: new messages of the topics do not reach it, while a plain subscriber gets them
            WsClient other = WsClient.connect(stack.client(), server.port());
            other.request(subscribe(List.of("stocks.*"), null).json(), "subscribed");
            Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(queue, 500, 5));
            try {
                Fixture.await(() -> other.liveSeqs().size() >= 50, Duration.ofSeconds(20), "live ticks");
                ws.request(new JsonObject().put("op", "ping").put("id", "later"), "pong");
                assertEquals(3 + 1, ws.received().size(), "no tick for the connection whose resume was refused");
            } finally {
                sim.stop();
            }
        }
    }

    @Test
    void shouldServeAResumeFromASeqTheFeedReachesWithinTheWait() throws Exception {
        Path queue = dir.resolve("queue");
        writeFeed(queue, 1_000, 6);
        List<String> topics = List.of("stocks.*", "sports.>");
        try (ServerMain server = Fixture.startServer(Fixture.server(queue).with(ServerConfig.RESUME_AHEAD_WAIT_MS, 20_000))) {
            long last = Fixture.queueSeqs(queue).get(999);
            long from = last + 300;   // 300 records ahead of this server: what a client of a server further on saw
            WsClient ws = WsClient.connect(stack.client(), server.port());
            ws.send(subscribe(topics, from).json());
            Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(queue, 1_000, 7));
            try {
                JsonObject answer = ws.awaitMessage(m -> "subscribed".equals(m.getString("type"))
                        || "error".equals(m.getString("type")), Duration.ofSeconds(20));
                assertEquals("subscribed", answer.getString("type"), answer.encode());
                Fixture.await(() -> liveSeqs(ws).size() >= 200, Duration.ofSeconds(20), "messages after from");
            } finally {
                sim.stop();
            }
            List<Long> got = liveSeqs(ws);
            List<Long> want = expected(Fixture.readQueue(queue), topics, from, got.get(got.size() - 1));
            assertEquals(want, got, "everything after from, once, in order: nothing up to from");
        }
    }

    @Test
    void shouldSendEachTopicsLatestAtOrBeforeFromAsSnapshotsThenTheReplay() throws Exception {
        Path queue = dir.resolve("queue");
        writeFeed(queue, 6_000, 8);
        List<Sequenced> all = Fixture.readQueue(queue);
        long from = all.get(3_000).seq();
        List<String> topics = List.of("stocks.*", "sports.>");
        Map<String, Long> atFrom = new TreeMap<>();
        for (Sequenced s : all) {
            if (s.seq() <= from) {
                atFrom.put(s.message().topic(), s.seq());
            }
        }
        try (ServerMain server = Fixture.startServer(Fixture.server(queue))) {
            WsClient ws = WsClient.connect(stack.client(), server.port());
            ws.request(subscribe(topics, from).snapshot(true).json(), "subscribed");
            List<Long> want = expected(all, topics, from, Long.MAX_VALUE);
            Fixture.await(() -> liveSeqs(ws).size() >= want.size(), Duration.ofSeconds(20), "the replay");
            Map<String, Long> snapshots = new TreeMap<>();
            boolean replayStarted = false;
            for (JsonObject m : ws.received()) {
                if (!m.containsKey("seq")) {
                    continue;
                }
                if (m.getBoolean("snapshot", false)) {
                    assertTrue(!replayStarted, "every snapshot before the replay: " + m.encode());
                    assertEquals(null, snapshots.put(m.getString("topic"), m.getLong("seq")), "one a topic");
                } else {
                    replayStarted = true;
                }
            }
            assertEquals(atFrom, snapshots, "each topic's latest message at or before from");
            assertEquals(want, liveSeqs(ws), "then every message after from, in order");

            // from the newest seq the server holds (a quick reconnect on a quiet feed): the snapshots, no replay
            WsClient quick = WsClient.connect(stack.client(), server.port());
            long newest = all.get(all.size() - 1).seq();
            Map<String, Long> latest = new TreeMap<>();
            all.forEach(s -> latest.put(s.message().topic(), s.seq()));
            quick.request(subscribe(topics, newest).snapshot(true).json(), "subscribed");
            Fixture.await(() -> quick.received().stream().filter(m -> m.getBoolean("snapshot", false)).count()
                    >= latest.size(), Duration.ofSeconds(20), "the snapshots at the newest seq");
            Map<String, Long> quickSnapshots = new TreeMap<>();
            quick.received().stream().filter(m -> m.getBoolean("snapshot", false))
                    .forEach(m -> quickSnapshots.put(m.getString("topic"), m.getLong("seq")));
            assertEquals(latest, quickSnapshots);
            assertEquals(List.of(), liveSeqs(quick), "nothing to replay");

            // and without snapshot: true, a resume sends none (the default with from)
            WsClient plain = WsClient.connect(stack.client(), server.port());
            plain.request(Messages.subscribe("p", topics).from(from).json(), "subscribed");
            Fixture.await(() -> liveSeqs(plain).size() >= want.size(), Duration.ofSeconds(20), "the plain replay");
            assertEquals(0, plain.received().stream().filter(m -> m.getBoolean("snapshot", false)).count());
        }
    }
}
