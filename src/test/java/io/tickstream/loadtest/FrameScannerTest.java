package io.tickstream.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameScannerTest {

    private final List<String> seen = new ArrayList<>();
    private final FrameScanner.Sink sink = new FrameScanner.Sink() {
        @Override
        public void message(long topicKey, long seq, long ts, int conflated, boolean snapshot) {
            seen.add(topicKey + " " + seq + " " + ts + " " + conflated + " " + snapshot);
        }

        @Override
        public void control(String type) {
            seen.add(type);
        }
    };

    private void scan(String json) {
        FrameScanner.scan(json.getBytes(StandardCharsets.UTF_8), sink);
    }

    private static String expect(String topic, long seq, long ts, int conflated, boolean snapshot) {
        return FrameScanner.hash(topic) + " " + seq + " " + ts + " " + conflated + " " + snapshot;
    }

    @Test
    void shouldReadOneMessageWithFieldsInAnyOrder() {
        scan("{\"ts\":17,\"bid\":1.5,\"topic\":\"stocks.AAPL\",\"seq\":42,\"type\":\"tick\"}");
        assertEquals(List.of(expect("stocks.AAPL", 42, 17, 0, false)), seen);
    }

    @Test
    void shouldScanOnlyTheFramesBytesOfAReusedBuffer() {
        byte[] frame = "{\"type\":\"tick\",\"topic\":\"stocks.A\",\"seq\":5,\"ts\":6}".getBytes(StandardCharsets.UTF_8);
        byte[] buffer = Arrays.copyOf(frame, frame.length + 40);
        byte[] leftOver = ",{\"type\":\"tick\",\"seq\":9".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(leftOver, 0, buffer, frame.length, leftOver.length);   // an earlier, longer frame
        FrameScanner.scan(buffer, frame.length, sink);
        assertEquals(List.of(expect("stocks.A", 5, 6, 0, false)), seen);
        // and a frame cut short by the length is not protocol JSON
        assertThrows(IllegalArgumentException.class, () -> FrameScanner.scan(buffer, frame.length - 1, sink));
    }

    @Test
    void shouldSkipEveryKindOfJsonWhitespace() {
        scan("\n\t[\r\n{ \"type\" :\t\"tick\" ,\n\"topic\":\r\"stocks.A\", \"seq\" : 5 ,\"ts\":\t6\n}\r\n,\t"
                + "{\"type\":\"tick\",\"topic\":\"stocks.B\",\"seq\":7,\"ts\":8} ]\n");
        assertEquals(List.of(expect("stocks.A", 5, 6, 0, false), expect("stocks.B", 7, 8, 0, false)), seen);
    }

    @Test
    void shouldReadAnArrayOfMessagesWithNestedValuesAndEscapes() {
        scan(" [ {\"type\":\"score\",\"topic\":\"sports.m1\",\"seq\":7,\"ts\":9,\"event\":{\"kind\":\"goal\","
                + "\"player\":\"O\\\"Neil }]\"},\"score\":{\"home\":1,\"away\":0},\"list\":[1,[2,{}]]},"
                + "{\"type\":\"tick\",\"topic\":\"stocks.X\",\"seq\":8,\"ts\":10,\"conflated\":3,\"snapshot\":true},"
                + "{\"type\":\"welcome\",\"seq\":null}]");
        assertEquals(List.of(expect("sports.m1", 7, 9, 0, false), expect("stocks.X", 8, 10, 3, true), "welcome"),
                seen);
    }

    @Test
    void shouldTellTopicsApart() {
        scan("[{\"type\":\"tick\",\"topic\":\"stocks.AB\",\"seq\":1,\"ts\":1},"
                + "{\"type\":\"tick\",\"topic\":\"stocks.BA\",\"seq\":1,\"ts\":1}]");
        assertEquals(2, seen.size());
        assertEquals(false, seen.get(0).equals(seen.get(1)));
    }

    @Test
    void shouldRejectWhatIsNotProtocolJson() {
        for (String bad : new String[] {"", "[", "{\"type\":\"tick\"", "{\"seq\":1}", "[1]", "{\"type\" \"tick\"}",
                "{\"type\":\"tick\",\"topic\":\"unterminated}"}) {
            assertThrows(IllegalArgumentException.class, () -> scan(bad), bad);
        }
    }

    @Test
    void lastSeqByTopicShouldKeepManyTopicsApart() {
        TopicIds ids = new TopicIds();
        LastSeqByTopic map = new LastSeqByTopic();
        for (int i = 0; i < 1000; i++) {
            assertEquals(-1, map.put(ids.id(FrameScanner.hash("t" + i)), i));
        }
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, map.put(ids.id(FrameScanner.hash("t" + i)), i + 1));
        }
        assertEquals(1000, ids.size());
    }

    @Test
    void lastSeqByTopicShouldHoldFarApartIdsAndFindTheirMinimum() {
        LastSeqByTopic map = new LastSeqByTopic();
        assertEquals(Long.MAX_VALUE, map.minValue());
        assertEquals(-1, map.put(100_000, 7));
        assertEquals(-1, map.put(3, 9));
        assertEquals(-1, map.put(64, 8));
        assertEquals(7, map.put(100_000, 10));
        assertEquals(8, map.minValue());
    }

    @Test
    void topicIdsShouldBeDenseInOrderOfFirstAppearanceAndStable() {
        TopicIds ids = new TopicIds();
        for (int i = 0; i < 5000; i++) {
            assertEquals(i, ids.id(FrameScanner.hash("stocks.S" + i)));
        }
        for (int i = 4999; i >= 0; i--) {
            assertEquals(i, ids.id(FrameScanner.hash("stocks.S" + i)));
        }
        assertEquals(0, ids.id(FrameScanner.hash("stocks.S0")));
        assertEquals(5000, ids.id(0L));   // a key of 0 is a key like any other
        assertEquals(5000, ids.id(0L));
        assertEquals(5001, ids.size());
    }

    @Test
    void shouldReadWhatTheServerWritesAsItReadsTheSameFieldsInAnotherOrder() {
        io.tickstream.feed.JsonCodec codec = new io.tickstream.feed.JsonCodec();
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        StringBuilder frame = new StringBuilder("[");
        StringBuilder reordered = new StringBuilder("[");
        for (int i = 0; i < 2000; i++) {
            long seq = random.nextLong(1L << 50);
            io.tickstream.feed.FeedMessage m = i % 3 == 0
                    ? new io.tickstream.feed.Score(random.nextLong(1L << 52), "football", "ARS-CHE", "Arsenal", "Chelsea",
                            2, 1, 4000, io.tickstream.feed.MatchStatus.LIVE, new io.tickstream.feed.ScoreEvent(
                                    io.tickstream.feed.ScoreEvent.Kind.CARD, 67, io.tickstream.feed.ScoreEvent.Side.HOME,
                                    "A \"}{[\\ player", "yellow"))
                    : new io.tickstream.feed.Tick(random.nextLong(1L << 52), "S" + i % 50, 1.25, 1.5, 1.375, 100, 5000);
            io.tickstream.feed.EncodedMessage e = io.tickstream.feed.EncodedMessage.of(seq, m, codec);
            int conflated = random.nextInt(3);
            byte[] json = i % 5 == 0 ? e.snapshotJson() : e.plusConflated(conflated).wireJson();
            String text = new String(json, StandardCharsets.UTF_8);
            if (i > 0) {
                frame.append(',');
                reordered.append(',');
            }
            frame.append(text);
            // the same fields, "type" moved last: read by the scanner's general path
            io.vertx.core.json.JsonObject o = new io.vertx.core.json.JsonObject(text);
            Object type = o.remove("type");
            reordered.append(o.put("type", type).encode());
        }
        scan(frame.append(']').toString());
        List<String> fast = new ArrayList<>(seen);
        seen.clear();
        scan(reordered.append(']').toString());
        assertEquals(2000, fast.size());
        assertEquals(seen, fast);
    }

    @Test
    void shouldReadWhatTheFastPathLeavesAsTheGeneralPathDoes() {
        String head = "{\"type\":\"tick\",\"topic\":\"stocks.A\",\"seq\":1,\"ts\":2";
        scan(head + ", \"conflated\": 5}");
        scan(head + ",\"snapshot\" : true}");
        scan(head + ",\"seq\":7}");
        scan(head + ",\"type\":\"error\"}");
        assertEquals(List.of(expect("stocks.A", 1, 2, 5, false), expect("stocks.A", 1, 2, 0, true),
                expect("stocks.A", 7, 2, 0, false), "error"), seen);
        assertThrows(IllegalArgumentException.class, () -> scan(head + "]"));
    }
}
