package io.tickstream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedMessage;
import io.tickstream.feed.MatchStatus;
import io.tickstream.feed.QueueCodec;
import io.tickstream.feed.Score;
import io.tickstream.feed.ScoreEvent;
import io.tickstream.feed.Tick;
import io.tickstream.support.OldRecords;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The start-up scan alone, on a real queue: the latest intact message of every topic up to a seq. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LatestValuesTest {

    @TempDir
    Path dir;

    private static void append(ExcerptAppender appender, FeedMessage m) {
        try (DocumentContext dc = appender.writingDocument()) {
            QueueCodec.write(m, dc.wire().bytes());
        }
    }

    /** A record whose last byte (of its checksum) is wrong: what a torn write leaves. */
    private static void appendTorn(ExcerptAppender appender, FeedMessage m) {
        try (DocumentContext dc = appender.writingDocument()) {
            var bytes = dc.wire().bytes();
            QueueCodec.write(m, bytes);
            long last = bytes.writePosition() - 1;
            bytes.writeByte(last, (byte) (bytes.readByte(last) ^ 0x5a));
        }
    }

    private static Score score(long ts, String match, int home) {
        return new Score(ts, "football", match, "ARS", "CHE", home, 0, 60, MatchStatus.LIVE, null);
    }

    private static Map<String, Long> seqByTopic(List<EncodedMessage> latest) {
        return latest.stream().collect(Collectors.toMap(EncodedMessage::topic, EncodedMessage::seq, (a, b) -> {
            throw new AssertionError("a topic twice");
        }, TreeMap::new));
    }

    @Test
    void shouldFindTheLatestIntactMessageOfEveryTopicUpToTheGivenSeq() {
        try (ChronicleQueue queue = SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(RollCycles.FAST_DAILY)
                .build(); ExcerptAppender appender = queue.createAppender()) {
            Map<String, Long> expected = new HashMap<>();
            append(appender, score(1, "ARS-CHE", 1));   // a match that ended long before the rest
            expected.put("sports.football.ARS-CHE", appender.lastIndexAppended());
            long firstTick = appender.lastIndexAppended() + 1;
            for (int i = 0; i < 3_000; i++) {
                append(appender, new Tick(i, "S" + (i % 300), 1, 2, 1.5, 1, i));
                expected.put("stocks.S" + (i % 300), appender.lastIndexAppended());
            }
            append(appender, new Tick(5_000, "ÄÖ€", 1, 2, 1.5, 1, 1));   // non-ASCII bytes in the key
            expected.put("stocks.ÄÖ€", appender.lastIndexAppended());
            appendTorn(appender, new Tick(5_001, "S7", 1, 2, 1.5, 1, 1));   // S7's newest is torn: the one before counts
            long upTo = appender.lastIndexAppended();
            append(appender, new Tick(5_002, "S8", 1, 2, 1.5, 1, 1));   // after upTo: not counted
            append(appender, new Tick(5_003, "LATE", 1, 2, 1.5, 1, 1));

            LatestValues.Result r = LatestValues.upTo(queue, upTo);

            assertEquals(new TreeMap<>(expected), seqByTopic(r.latest()));
            assertEquals(firstTick, r.firstSeqs().get("stocks.S0"), "where the topic first appeared");
            assertEquals(expected.get("sports.football.ARS-CHE"), r.firstSeqs().get("sports.football.ARS-CHE"));
            assertEquals(3_003, r.records());
            assertEquals(1, r.damaged(), "the torn record, decoded because it was S7's newest");
            EncodedMessage s7 = r.latest().stream().filter(m -> m.topic().equals("stocks.S7")).findFirst().orElseThrow();
            assertEquals(2_707, s7.ts(), "S7's value before the torn record, decoded and encoded");
            for (int i = 1; i < r.latest().size(); i++) {
                assertEquals(true, r.latest().get(i - 1).seq() < r.latest().get(i).seq(), "in seq order");
            }
        }
    }

    @Test
    void shouldScanManyCyclesInTwoHalvesWithTheLaterValueWinning() {
        SetTimeProvider clock = new SetTimeProvider(1_700_000_000_000L * 1_000_000L);
        try (ChronicleQueue queue = SingleChronicleQueueBuilder.single(dir.toFile())
                .rollCycle(TestRollCycles.TEST_SECONDLY).timeProvider(clock).build();
             ExcerptAppender appender = queue.createAppender()) {
            Map<String, Long> expected = new HashMap<>();
            Map<String, Long> first = new HashMap<>();
            for (int cycle = 0; cycle < 6; cycle++) {
                for (int i = 0; i < 500; i++) {
                    // a topic per cycle seen once (only one half sees it), and ten topics in every cycle
                    String symbol = i == 0 ? "ONLY" + cycle : "S" + (i % 10);
                    append(appender, new Tick(cycle * 1_000 + i, symbol, 1, 2, 1.5, 1, i));
                    expected.put("stocks." + symbol, appender.lastIndexAppended());
                    first.putIfAbsent("stocks." + symbol, appender.lastIndexAppended());
                }
                clock.advanceMillis(1_000);
            }
            LatestValues.Result r = LatestValues.upTo(queue, Long.MAX_VALUE);
            assertEquals(new TreeMap<>(expected), seqByTopic(r.latest()));
            assertEquals(first, r.firstSeqs(), "the earlier half's first seq stands");
            assertEquals(3_000, r.records());
        }
    }

    @Test
    void shouldReadAQueueWrittenBeforeAndAfterEventIdsAlike() {
        // a queue of an earlier release (records of versions 1 and 2) that a new simulator appends to (3)
        Score oldGoal = new Score(1, "football", "ARS-CHE", "Arsenal", "Chelsea", 1, 0, 600, MatchStatus.LIVE,
                new ScoreEvent(ScoreEvent.Kind.GOAL, 10, ScoreEvent.Side.HOME, "Saka", null));
        Score oldCard = new Score(2, "football", "LIV-MCI", "Liverpool", "Manchester City", 0, 0, 700,
                MatchStatus.LIVE, new ScoreEvent(ScoreEvent.Kind.CARD, 12, ScoreEvent.Side.AWAY, "Rodri", "yellow"));
        Score disallowed = new Score(3, "football", "ARS-CHE", "Arsenal", "Chelsea", 0, 0, 780, MatchStatus.LIVE,
                ScoreEvent.correction("4096-2", 13, ScoreEvent.Side.HOME, "4096-1", "VAR: offside"));
        try (ChronicleQueue queue = SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(RollCycles.FAST_DAILY)
                .build(); ExcerptAppender appender = queue.createAppender()) {
            appendRaw(appender, OldRecords.version1(new Tick(0, "AAPL", 1, 2, 1.5, 1, 1)));
            long aapl = appender.lastIndexAppended();
            appendRaw(appender, OldRecords.version2(oldGoal));
            appendRaw(appender, OldRecords.version2(oldCard));
            long card = appender.lastIndexAppended();
            append(appender, disallowed);
            long correction = appender.lastIndexAppended();

            LatestValues.Result r = LatestValues.upTo(queue, correction);
            assertEquals(Map.of("stocks.AAPL", aapl, "sports.football.LIV-MCI", card,
                    "sports.football.ARS-CHE", correction), seqByTopic(r.latest()));
            assertEquals(0, r.damaged());
            JsonObject cardJson = json(r, "sports.football.LIV-MCI");
            assertEquals(String.valueOf(card), cardJson.getJsonObject("event").getString("id"), "named by its seq");
            JsonObject correctionJson = json(r, "sports.football.ARS-CHE");
            assertEquals("4096-1", correctionJson.getJsonObject("event").getString("retracts"));
            assertEquals(0, correctionJson.getInteger("homeScore"));
        }
    }

    private static void appendRaw(ExcerptAppender appender, byte[] record) {
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().write(record);
        }
    }

    private static JsonObject json(LatestValues.Result r, String topic) {
        return new JsonObject(new String(r.latest().stream().filter(m -> m.topic().equals(topic)).findFirst()
                .orElseThrow().json(), StandardCharsets.UTF_8));
    }

    @Test
    void shouldFindNothingInAnEmptyQueueOrBeforeItsFirstRecord() {
        try (ChronicleQueue queue = SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(RollCycles.FAST_DAILY)
                .build(); ExcerptAppender appender = queue.createAppender()) {
            assertEquals(List.of(), LatestValues.upTo(queue, Long.MAX_VALUE).latest());
            append(appender, new Tick(1, "A", 1, 2, 1.5, 1, 1));
            assertEquals(List.of(), LatestValues.upTo(queue, appender.lastIndexAppended() - 1).latest());
            assertEquals(1, LatestValues.upTo(queue, appender.lastIndexAppended()).latest().size());
        }
    }

    @Test
    void shouldCarryAnEarlierScanOnToALaterSeqAsIfScannedAtOnce() {
        try (ChronicleQueue queue = SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(RollCycles.FAST_DAILY)
                .build(); ExcerptAppender appender = queue.createAppender()) {
            for (int i = 0; i < 1_000; i++) {
                append(appender, new Tick(i, "S" + (i % 40), 1, 2, 1.5, 1, i));
            }
            LatestValues.Result early = LatestValues.upTo(queue, queue.lastIndex());
            assertEquals(appender.lastIndexAppended(), early.upTo());
            for (int i = 1_000; i < 1_100; i++) {   // written while the server started: new and known topics
                append(appender, new Tick(i, "S" + (i % 60), 1, 2, 1.5, 1, i));
            }
            long upTo = appender.lastIndexAppended();
            LatestValues.Result carried = LatestValues.extend(early, queue, upTo);
            LatestValues.Result atOnce = LatestValues.upTo(queue, upTo);
            assertEquals(seqByTopic(atOnce.latest()), seqByTopic(carried.latest()));
            assertEquals(atOnce.firstSeqs(), carried.firstSeqs());
            assertEquals(1_100, carried.records(), "each record read once");
            assertEquals(upTo, carried.upTo());
        }
    }
}
