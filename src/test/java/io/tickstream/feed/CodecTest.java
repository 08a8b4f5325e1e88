package io.tickstream.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.support.OldRecords;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.Test;

class CodecTest {

    private static final Tick TICK = new Tick(1_700_000_000_123_456L, "AAPL", 189.12, 189.14, 189.13, 300, 12_345_600);
    private static final Score GOAL = new Score(1_700_000_000_222_333L, "football", "ARS-CHE", "Arsenal", "Chelsea",
            2, 1, 67 * 60, MatchStatus.LIVE,
            new ScoreEvent(ScoreEvent.Kind.GOAL, 67, ScoreEvent.Side.HOME, "Saka", null));
    private static final Score CARD = new Score(5, "football", "LIV-MCI", "Liverpool", "Manchester City", 0, 0, 12 * 60,
            MatchStatus.LIVE, new ScoreEvent(ScoreEvent.Kind.CARD, 12, ScoreEvent.Side.AWAY, "Rodri", "yellow"));
    private static final Score HALF_TIME = new Score(6, "football", "LIV-MCI", "Liverpool", "Manchester City", 0, 0,
            45 * 60, MatchStatus.HALFTIME, new ScoreEvent(ScoreEvent.Kind.PERIOD, 45, null, null, "HT"));
    private static final Score CLOCK = new Score(7, "football", "BAR-RMA", "Barcelona", "Real Madrid", 3, 3, 93 * 60 + 5,
            MatchStatus.LIVE, null);
    /** As the simulator writes events now: with an id. */
    private static final Score GOAL_WITH_ID = new Score(GOAL.ts(), "football", "ARS-CHE", "Arsenal", "Chelsea", 2, 1,
            67 * 60, MatchStatus.LIVE, GOAL.event().withId("89296231071744-7"));
    /** GOAL_WITH_ID disallowed three minutes later: the score without it. */
    private static final Score DISALLOWED = new Score(GOAL.ts() + 180_000_000L, "football", "ARS-CHE", "Arsenal",
            "Chelsea", 1, 1, 70 * 60, MatchStatus.LIVE, ScoreEvent.correction("89296231071744-9", 70,
                    ScoreEvent.Side.HOME, "89296231071744-7", "VAR: offside"));
    private static final List<FeedMessage> SHAPES = List.of(TICK, GOAL, GOAL_WITH_ID, CARD, HALF_TIME, CLOCK,
            DISALLOWED);
    /** The shapes a record of version 1 or 2 can hold: no ids, no corrections. */
    private static final List<FeedMessage> OLD_SHAPES = List.of(TICK, GOAL, CARD, HALF_TIME, CLOCK);

    @Test
    void shouldRoundTripEveryMessageShapeThroughQueueBytes() {
        Bytes<?> bytes = Bytes.allocateElasticOnHeap(256);
        for (FeedMessage m : SHAPES) {
            bytes.clear();
            QueueCodec.write(m, bytes);
            assertEquals(m, QueueCodec.read(bytes), "round trip of " + m);
            assertEquals(0, bytes.readRemaining(), "every byte read");
        }
    }

    @Test
    void shouldKeepQueueRecordsCompact() {
        Bytes<?> bytes = Bytes.allocateElasticOnHeap(256);
        QueueCodec.write(TICK, bytes);
        assertTrue(bytes.readRemaining() < 64, "a tick takes " + bytes.readRemaining() + " bytes");
    }

    @Test
    void shouldRejectRecordsOfAnUnknownVersionOrKind() {
        Bytes<?> bytes = Bytes.allocateElasticOnHeap(16);
        bytes.writeByte((byte) 9).writeByte((byte) 1).writeLong(0);
        assertThrows(IllegalArgumentException.class, () -> QueueCodec.read(bytes));
        Bytes<?> kind = Bytes.allocateElasticOnHeap(16);
        kind.writeByte(QueueCodec.VERSION).writeByte((byte) 7).writeLong(0);
        kind.writeInt(crc32c(kind.toByteArray()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QueueCodec.read(kind));
        assertTrue(e.getMessage().contains("kind"), e.getMessage());
    }

    private static byte[] record(FeedMessage m) {
        Bytes<?> bytes = Bytes.allocateElasticOnHeap(256);
        QueueCodec.write(m, bytes);
        return bytes.toByteArray();
    }

    private static FeedMessage read(byte[] record) {
        Bytes<?> bytes = Bytes.allocateElasticOnHeap(record.length);
        bytes.write(record);
        return QueueCodec.read(bytes);
    }

    private static int crc32c(byte[] b) {
        CRC32C crc = new CRC32C();
        crc.update(b);
        return (int) crc.getValue();
    }

    @Test
    void shouldRejectATornRecordWhateverPartOfItNeverReachedTheFile() {
        // a write that faults (full disk) leaves zeros where bytes never arrived, in a record
        // committed with its full length: every such record is refused, none decoded as a message
        for (FeedMessage m : SHAPES) {
            byte[] whole = record(m);
            for (int from = 1; from < whole.length; from++) {
                for (int to = from + 1; to <= whole.length; to++) {
                    byte[] torn = whole.clone();
                    Arrays.fill(torn, from, to, (byte) 0);
                    if (!Arrays.equals(torn, whole)) {
                        int f = from;
                        int t = to;
                        assertThrows(RuntimeException.class, () -> read(torn),
                                () -> m + " zeroed in [" + f + ", " + t + ") was read");
                    }
                }
            }
        }
    }

    @Test
    void shouldRejectARecordWithAFlippedBitOrBytesLeftOver() {
        byte[] whole = record(DISALLOWED);
        for (int i = 0; i < whole.length * 8; i++) {
            byte[] flipped = whole.clone();
            flipped[i / 8] ^= (byte) (1 << (i % 8));
            assertThrows(RuntimeException.class, () -> read(flipped), "bit " + i + " flipped");
        }
        // a well-formed message with an extra byte before a checksum that covers it
        byte[] body = Arrays.copyOf(whole, whole.length - 4 + 1);
        Bytes<?> longer = Bytes.allocateElasticOnHeap(64);
        longer.write(body);
        longer.writeInt(crc32c(body));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QueueCodec.read(longer));
        assertTrue(e.getMessage().contains("left over"), e.getMessage());
    }

    @Test
    void shouldWriteVersion3() {
        assertEquals(3, QueueCodec.VERSION);
        assertEquals(3, record(GOAL_WITH_ID)[0]);
    }

    @Test
    void shouldStillReadRecordsOfTheFormatBeforeEventIds() {
        for (FeedMessage m : OLD_SHAPES) {
            assertEquals(m, read(OldRecords.version2(m)), "version 2 of " + m);
        }
        // its events have no id of their own: on the wire they are named by their record's seq
        Score goal = (Score) read(OldRecords.version2(GOAL));
        assertNull(goal.event().id());
        JsonObject json = new JsonObject(new String(new JsonCodec().encode(2_430_000_124L, goal), StandardCharsets.UTF_8));
        assertEquals("2430000124", json.getJsonObject("event").getString("id"), json.encode());
        // a correction cannot be in one: its kind is refused, not guessed at
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> read(OldRecords.version2WithEventKind(GOAL, ScoreEvent.Kind.CORRECTION.ordinal() + 1)));
        assertTrue(e.getMessage().contains("event kind"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> read(OldRecords.version2WithEventKind(GOAL, 9)));
    }

    @Test
    void shouldStillReadRecordsOfTheFormatBeforeTheChecksum() {
        for (FeedMessage m : OLD_SHAPES) {
            assertEquals(m, read(OldRecords.version1(m)), "version 1 of " + m);
        }
    }

    @Test
    void shouldEncodeTickAsTheProtocolSays() {
        JsonObject json = new JsonObject(new String(new JsonCodec().encode(42, TICK), StandardCharsets.UTF_8));
        assertEquals(new JsonObject().put("type", "tick").put("topic", "stocks.AAPL").put("seq", 42)
                .put("ts", TICK.ts()).put("symbol", "AAPL").put("bid", 189.12).put("ask", 189.14)
                .put("last", 189.13).put("size", 300).put("volume", 12_345_600), json);
    }

    @Test
    void shouldEncodeScoresWithTheirEvents() {
        JsonCodec codec = new JsonCodec();
        JsonObject goal = new JsonObject(new String(codec.encode(7, GOAL), StandardCharsets.UTF_8));
        assertEquals("score", goal.getString("type"));
        assertEquals("sports.football.ARS-CHE", goal.getString("topic"));
        assertEquals("67:00", goal.getString("clock"));
        assertEquals("live", goal.getString("status"));
        assertEquals(2, goal.getInteger("homeScore"));
        assertEquals(new JsonObject().put("id", "7").put("kind", "goal").put("minute", 67).put("team", "home")
                .put("player", "Saka"), goal.getJsonObject("event"), "no id of its own: its seq");
        JsonObject withId = new JsonObject(new String(codec.encode(7, GOAL_WITH_ID), StandardCharsets.UTF_8));
        assertEquals(new JsonObject().put("id", "89296231071744-7").put("kind", "goal").put("minute", 67)
                .put("team", "home").put("player", "Saka"), withId.getJsonObject("event"));
        JsonObject card = new JsonObject(new String(codec.encode(8, CARD), StandardCharsets.UTF_8));
        assertEquals("yellow", card.getJsonObject("event").getString("card"));
        JsonObject ht = new JsonObject(new String(codec.encode(9, HALF_TIME), StandardCharsets.UTF_8));
        assertEquals("halftime", ht.getString("status"));
        assertEquals("HT", ht.getJsonObject("event").getString("period"));
        JsonObject clock = new JsonObject(new String(codec.encode(10, CLOCK), StandardCharsets.UTF_8));
        assertFalse(clock.containsKey("event"));
        assertEquals("93:05", clock.getString("clock"));
    }

    @Test
    void shouldEncodeACorrectionWithWhatItRetractsWhyAndTheScoreAfterIt() {
        JsonObject json = new JsonObject(new String(new JsonCodec().encode(12, DISALLOWED), StandardCharsets.UTF_8));
        assertEquals(new JsonObject().put("id", "89296231071744-9").put("kind", "correction").put("minute", 70)
                .put("team", "home").put("retracts", "89296231071744-7").put("reason", "VAR: offside"),
                json.getJsonObject("event"));
        assertEquals(1, json.getInteger("homeScore"));
        assertEquals("70:00", json.getString("clock"));
        assertFalse(DISALLOWED.conflatable(), "never conflated");
    }

    @Test
    void shouldRefuseACorrectionWithoutWhatItRetractsOrWhyAndAnythingElseWithThem() {
        assertThrows(IllegalArgumentException.class, () -> ScoreEvent.correction("r-2", 9, null, null, "VAR: offside"));
        assertThrows(IllegalArgumentException.class, () -> ScoreEvent.correction("r-2", 9, null, "r-1", null));
        assertThrows(IllegalArgumentException.class, () -> new ScoreEvent("r-3", ScoreEvent.Kind.GOAL, 9,
                ScoreEvent.Side.HOME, "Saka", null, "r-1", "VAR: offside"));
    }

    @Test
    void shouldEscapeStringsIntoValidAsciiJson() {
        Score odd = new Score(1, "football", "X-Y", "Quote \" and \\ slash", "Zürich\n", 0, 0, 0,
                MatchStatus.SCHEDULED, null);
        byte[] bytes = new JsonCodec().encode(1, odd);
        for (byte b : bytes) {
            assertTrue(b >= 0x20 && b < 0x7f, "pure printable ASCII");
        }
        JsonObject json = new JsonObject(new String(bytes, StandardCharsets.UTF_8));
        assertEquals("Quote \" and \\ slash", json.getString("home"));
        assertEquals("Zürich\n", json.getString("away"));
    }

    @Test
    void shouldMarkSnapshotsWithoutTouchingTheSharedBytes() {
        EncodedMessage m = EncodedMessage.of(3, TICK, new JsonCodec());
        byte[] before = m.json().clone();
        JsonObject snap = new JsonObject(new String(m.snapshotJson(), StandardCharsets.UTF_8));
        assertTrue(snap.getBoolean("snapshot"));
        assertEquals(3, snap.getLong("seq"));
        assertEquals(new String(before, StandardCharsets.UTF_8), new String(m.json(), StandardCharsets.UTF_8));
    }

    @Test
    void shouldWriteNonFiniteNumbersAsNull() {
        String json = new JsonWriter(16).beginObject().field("a", Double.NaN).field("b", 1.5).field("c", 2.0)
                .endObject().toString();
        assertEquals("{\"a\":null,\"b\":1.5,\"c\":2}", json);
    }
}
