package io.tickstream.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedMessage;
import io.tickstream.feed.MicroClock;
import io.tickstream.metrics.DeliveryMeters;
import io.tickstream.metrics.Meters;
import io.tickstream.session.Outbox.Outcome;
import io.tickstream.support.RecordingTransport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One connection's outbound path without a server: a transport whose write queue the test fills
 * and empties, and a manual clock.
 */
class OutboxTest {

    private static final long MS = 1_000_000L;
    private static final int MAX_FRAME = 200;
    private static final long MAX_BACKLOG = 1_000;
    private static final long GRACE_MS = 500;
    private static final long STALL_MS = 2_000;

    private final RecordingTransport transport = new RecordingTransport();
    private final Meters meters = new Meters(new SimpleMeterRegistry());
    private long now = 1_000 * MS;
    private final Outbox outbox = outbox(null);

    private Outbox outbox(SharedFrames shared) {
        return new Outbox(transport, meters, new DeliveryMeters(meters), new FramePacker(MAX_FRAME),
                new SlowConsumerPolicy(MAX_BACKLOG, GRACE_MS, STALL_MS), shared, () -> now);
    }

    private static EncodedMessage tick(String symbol, long seq) {
        return message("stocks." + symbol, seq, FeedMessage.Kind.TICK, true);
    }

    private static EncodedMessage goal(String match, long seq) {
        return message(match, seq, FeedMessage.Kind.SCORE, false);
    }

    private static EncodedMessage message(String topic, long seq, FeedMessage.Kind kind, boolean conflatable) {
        byte[] json = ("{\"topic\":\"" + topic + "\",\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8);
        return new EncodedMessage(topic, seq, 1, kind, conflatable, json, 0);
    }

    private static EncodedMessage sized(String topic, long seq, int length) {
        String head = "{\"topic\":\"" + topic + "\",\"seq\":" + seq + ",\"p\":\"";
        byte[] json = (head + "x".repeat(length - head.length() - 2) + "\"}").getBytes(StandardCharsets.UTF_8);
        return new EncodedMessage(topic, seq, 1, FeedMessage.Kind.TICK, true, json, 0);
    }

    private static String json(String topic, long seq) {
        return "{\"topic\":\"" + topic + "\",\"seq\":" + seq + "}";
    }

    private static String json(String topic, long seq, int conflated) {
        return "{\"topic\":\"" + topic + "\",\"seq\":" + seq + ",\"conflated\":" + conflated + "}";
    }

    private Outcome deliver(EncodedMessage... batch) {
        for (EncodedMessage m : batch) {
            outbox.add(m);
        }
        return outbox.endOfBatch();
    }

    private void drain() {
        transport.full(false);
        outbox.onDrain();
    }

    /** Every message written, in order, array frames unpacked (the messages here hold no "},{"). */
    private List<String> messages() {
        List<String> out = new ArrayList<>();
        for (String f : transport.frames()) {
            if (f.startsWith("[")) {
                for (String m : f.substring(2, f.length() - 2).split("\\},\\{")) {
                    out.add("{" + m + "}");
                }
            } else {
                out.add(f);
            }
        }
        return out;
    }

    @Test
    void shouldWriteABatchAsOneFrameWhileTheSocketKeepsUp() {
        assertTrue(outbox.add(tick("A", 1)), "the first of a batch");
        assertFalse(outbox.add(tick("B", 2)));

        assertEquals(Outcome.OK, outbox.endOfBatch());

        assertEquals(List.of("[" + json("stocks.A", 1) + "," + json("stocks.B", 2) + "]"), transport.frames());
        assertEquals(0, outbox.backlogBytes());
    }

    @Test
    void shouldConflateTicksWhenTheSocketIsFull() {
        transport.full(true);
        deliver(tick("A", 1), tick("B", 2));
        deliver(tick("A", 3));
        deliver(tick("A", 4), tick("C", 5));
        assertTrue(transport.frames().isEmpty());

        drain();

        assertEquals(List.of(json("stocks.B", 2), json("stocks.A", 4, 2), json("stocks.C", 5)), messages());
        assertEquals(2.0, meters.messagesConflated(FeedMessage.Kind.TICK).count());
        assertEquals(0, outbox.backlogBytes());
    }

    @Test
    void shouldNeverWriteAnOlderUpdateAfterANewerOne() {
        transport.full(true);
        long seq = 0;
        String[] symbols = {"A", "B", "C"};
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i <= round % 3; i++) {
                deliver(tick(symbols[(round + i) % 3], ++seq));
            }
            if (round % 7 == 0) {
                transport.room(1);
                drain();
                transport.room(Integer.MAX_VALUE);
            }
        }
        drain();

        long[] last = new long[symbols.length];
        for (String m : messages()) {
            int symbol = m.charAt(m.indexOf("stocks.") + 7) - 'A';
            long s = Long.parseLong(m.replaceAll(".*\"seq\":(\\d+).*", "$1"));
            assertTrue(s > last[symbol], "seq " + s + " after " + last[symbol] + " in " + messages());
            last[symbol] = s;
        }
        assertEquals(seq, Math.max(last[0], Math.max(last[1], last[2])), "the latest is written");
    }

    @Test
    void shouldNeverDropOrConflateScoreEvents() {
        transport.full(true);
        deliver(goal("football.m1", 1), tick("A", 2));
        deliver(goal("football.m1", 3), tick("A", 4));
        deliver(goal("football.m1", 5));

        drain();

        assertEquals(List.of(json("football.m1", 1), json("football.m1", 3), json("stocks.A", 4, 1),
                json("football.m1", 5)), messages());
        assertEquals(0.0, meters.messagesConflated(FeedMessage.Kind.SCORE).count());
    }

    @Test
    void shouldWriteAControlMessageAfterWhatWaits() {
        transport.full(true);
        deliver(tick("A", 1));
        outbox.send("{\"type\":\"pong\"}".getBytes(StandardCharsets.UTF_8), null);
        deliver(tick("A", 2));

        drain();

        assertEquals(List.of("{\"type\":\"pong\"}", json("stocks.A", 2, 1)), messages());
    }

    @Test
    void shouldWriteAControlMessageAtOnceWhenNothingWaits() {
        outbox.send("{\"type\":\"pong\"}".getBytes(StandardCharsets.UTF_8), null);

        assertEquals(List.of("{\"type\":\"pong\"}"), transport.frames());
    }

    @Test
    void shouldHoldLiveMessagesBackUntilTheReplayIsWritten() {
        outbox.hold();
        deliver(tick("A", 10));
        deliver(tick("A", 11));
        assertTrue(transport.frames().isEmpty(), "live messages wait while held");
        assertEquals(2 * tick("A", 10).json().length, outbox.backlogBytes());

        outbox.sendReplayed(List.of(tick("A", 8), tick("A", 9)));
        assertEquals(Outcome.OK, outbox.release());

        assertEquals(List.of(json("stocks.A", 8), json("stocks.A", 9), json("stocks.A", 10), json("stocks.A", 11)),
                messages());
        assertEquals(0, outbox.backlogBytes());
    }

    @Test
    void shouldReleaseHeldMessagesAfterAReplayThatWaitsForTheSocket() {
        outbox.hold();
        deliver(tick("A", 10));
        transport.full(true);
        outbox.sendReplayed(List.of(tick("A", 8), tick("A", 9)));
        outbox.release();
        deliver(goal("football.m1", 12));

        drain();

        assertEquals(List.of(json("stocks.A", 8), json("stocks.A", 9), json("stocks.A", 10),
                json("football.m1", 12)), messages());
    }

    @Test
    void shouldDropWaitingMessagesOfTopicsNoLongerWanted() {
        outbox.hold();
        deliver(tick("A", 1), tick("B", 2));
        transport.full(true);
        outbox.release();
        deliver(tick("A", 3), tick("B", 4));
        outbox.add(tick("A", 5));

        outbox.retainTopics(topic -> !topic.equals("stocks.A"));
        outbox.endOfBatch();
        drain();

        assertEquals(List.of(json("stocks.B", 4, 1)), messages());
        assertEquals(0, outbox.backlogBytes());
    }

    @Test
    void shouldDropHeldMessagesOfTopicsNoLongerWanted() {
        outbox.hold();
        deliver(tick("A", 1), tick("B", 2));

        outbox.retainTopics(topic -> !topic.equals("stocks.A"));
        assertEquals(tick("B", 2).json().length, outbox.backlogBytes());
        outbox.release();

        assertEquals(List.of(json("stocks.B", 2)), messages());
        assertEquals(0, outbox.backlogBytes());
    }

    @Test
    void shouldDrainInFramesWithinTheLimitAndStopWhenTheSocketIsFullAgain() {
        transport.full(true);
        for (int i = 0; i < 30; i++) {
            deliver(sized("stocks.S" + i, i, 45));
        }

        transport.room(2);
        drain();
        assertEquals(2, transport.frames().size(), "the drain stops when the socket is full again");
        transport.room(Integer.MAX_VALUE);
        drain();

        for (byte[] frame : transport.raw()) {
            assertTrue(frame.length <= MAX_FRAME, "a frame of " + frame.length + " bytes");
        }
        assertEquals(30, messages().size());
        assertTrue(transport.frames().size() < 30, "messages are packed together");
    }

    @Test
    void shouldWriteAMessageLargerThanAFrameWhole() {
        EncodedMessage large = sized("stocks.L", 1, 3 * MAX_FRAME);

        deliver(tick("A", 0), large, tick("B", 2));

        assertEquals(3, transport.frames().size());
        assertSame(large.json(), transport.raw().get(1));
    }

    @Test
    void shouldShareFramesPackedOnceBetweenConnectionsOfALoop() {
        SharedFrames shared = new SharedFrames();
        Outbox first = outbox(shared);
        Outbox second = outbox(shared);
        List<EncodedMessage> batch = List.of(tick("A", 1), tick("B", 2));

        batch.forEach(first::add);
        first.endOfBatch();
        batch.forEach(second::add);
        second.endOfBatch();

        assertEquals(2, transport.raw().size());
        assertSame(transport.raw().get(0), transport.raw().get(1));
    }

    @Test
    void shouldBeASlowConsumerAtOnceOverFourTimesTheBacklogLimit() {
        transport.full(true);

        assertEquals(Outcome.OK, deliver(sized("stocks.A", 1, (int) (4 * MAX_BACKLOG))));
        assertEquals(Outcome.SLOW_CONSUMER, deliver(goal("football.m1", 2)));
    }

    @Test
    void shouldBeASlowConsumerWhenTheBacklogStaysOverTheLimitPastTheGracePeriod() {
        transport.full(true);
        deliver(sized("stocks.A", 1, (int) MAX_BACKLOG + 1));
        transport.full(false);

        now += GRACE_MS * MS;
        assertEquals(Outcome.OK, outbox.check(now));
        now += 1;
        assertEquals(Outcome.SLOW_CONSUMER, outbox.check(now));
    }

    @Test
    void shouldForgiveABacklogWrittenBackWithinTheLimit() {
        transport.full(true);
        deliver(sized("stocks.A", 1, (int) MAX_BACKLOG + 1));

        now += GRACE_MS * MS / 2;
        drain();
        now += GRACE_MS * MS;

        assertEquals(Outcome.OK, outbox.check(now));
    }

    @Test
    void shouldBeASlowConsumerWhenTheSocketStaysFullPastTheStallTimeout() {
        transport.full(true);

        assertEquals(Outcome.OK, outbox.check(now));
        assertEquals(Outcome.OK, outbox.check(now + STALL_MS * MS));
        assertEquals(Outcome.SLOW_CONSUMER, outbox.check(now + STALL_MS * MS + 1));
    }

    @Test
    void shouldRememberWhenItLastWrote() {
        now += 7 * MS;
        deliver(tick("A", 1));
        long written = now;
        now += 7 * MS;
        transport.full(true);
        deliver(tick("A", 2));

        assertEquals(written, outbox.lastWriteNanos());
    }

    @Test
    void shouldTraceOnlyTracedTopicsWithTheirReadTimeAndWhenTheyAreWritten() {
        Outbox traced = new Outbox(transport, meters, new DeliveryMeters(meters), new FramePacker(1 << 16),
                new SlowConsumerPolicy(MAX_BACKLOG, GRACE_MS, STALL_MS), null, () -> now, topic -> 0,
                topic -> topic.equals("stocks.A"));
        byte[] a = json("stocks.A", 1).getBytes(StandardCharsets.UTF_8);
        byte[] b = json("stocks.B", 2).getBytes(StandardCharsets.UTF_8);
        long before = MicroClock.nowMicros();
        traced.add(new EncodedMessage("stocks.A", 1, 1, FeedMessage.Kind.TICK, true, a, 0, 777));
        traced.add(new EncodedMessage("stocks.B", 2, 1, FeedMessage.Kind.TICK, true, b, 0, 778));
        traced.endOfBatch();
        transport.full(true);
        traced.add(new EncodedMessage("stocks.A", 3, 1, FeedMessage.Kind.TICK, true,
                json("stocks.A", 3).getBytes(StandardCharsets.UTF_8), 0, 779));
        traced.endOfBatch();
        transport.full(false);
        traced.onDrain();

        List<String> written = messages();
        assertEquals(3, written.size(), written.toString());
        assertTrue(written.get(0).startsWith("{\"topic\":\"stocks.A\",\"seq\":1,\"trace\":{\"read\":777,\"sent\":"),
                written.get(0));
        assertEquals(json("stocks.B", 2), written.get(1), "an untraced topic is written as it is");
        assertTrue(written.get(2).startsWith("{\"topic\":\"stocks.A\",\"seq\":3,\"trace\":{\"read\":779,"),
                "from the backlog too: " + written.get(2));
        long sent = Long.parseLong(written.get(2).replaceAll(".*\"sent\":(\\d+).*", "$1"));
        assertTrue(sent >= before, "sent is the time of the write: " + sent);
    }
}
