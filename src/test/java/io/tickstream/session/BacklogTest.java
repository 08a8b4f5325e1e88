package io.tickstream.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedMessage;
import io.tickstream.metrics.Meters;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The backlog of a full socket: conflation per topic in write order, nothing else dropped. */
class BacklogTest {

    private final Meters meters = new Meters(new SimpleMeterRegistry());
    private final Backlog backlog = new Backlog(meters);

    private static EncodedMessage tick(String symbol, int price) {
        byte[] json = ("{\"type\":\"tick\",\"topic\":\"stocks." + symbol + "\",\"last\":" + price + "}")
                .getBytes(StandardCharsets.UTF_8);
        return new EncodedMessage("stocks." + symbol, price, price, FeedMessage.Kind.TICK, true, json, 0);
    }

    private static EncodedMessage goal(String match, int minute) {
        byte[] json = ("{\"type\":\"score\",\"topic\":\"" + match + "\",\"event\":" + minute + "}")
                .getBytes(StandardCharsets.UTF_8);
        return new EncodedMessage(match, minute, minute, FeedMessage.Kind.SCORE, false, json, 0);
    }

    private List<String> drain() {
        List<String> out = new ArrayList<>();
        for (Backlog.Entry e = backlog.poll(); e != null; e = backlog.poll()) {
            out.add(new String(e.wireJson(), StandardCharsets.UTF_8));
            e.written();   // as Outbox does once it has the bytes
        }
        return out;
    }

    @Test
    void shouldKeepOnlyTheLatestOfATopicCountingTheUpdatesItStandsFor() {
        assertFalse(backlog.offer(tick("A", 1)));
        assertTrue(backlog.offer(tick("A", 2)));
        assertTrue(backlog.offer(tick("A", 3)));

        assertEquals(List.of("{\"type\":\"tick\",\"topic\":\"stocks.A\",\"last\":3,\"conflated\":2}"), drain());
        assertEquals(2, meters.messagesConflated(FeedMessage.Kind.TICK).count());
    }

    @Test
    void shouldLetGoOfAWrittenMessageWhileKeepingTheTopicsSlot() {
        backlog.offer(tick("A", 1));
        backlog.offer(tick("A", 2));
        Backlog.Entry e = backlog.poll();
        assertEquals(2, e.latest().seq(), "readable until marked written");
        e.written();
        assertNull(e.latest(), "no message pinned by a slot whose update went out");
        assertFalse(backlog.offer(tick("A", 3)));
        assertSame(e, backlog.poll(), "the topic's slot is the same entry");
    }

    @Test
    void shouldStartATopicAfreshOnceItsWaitingUpdateIsWritten() {
        backlog.offer(tick("A", 1));
        backlog.offer(tick("A", 2));
        assertEquals(List.of("{\"type\":\"tick\",\"topic\":\"stocks.A\",\"last\":2,\"conflated\":1}"), drain());

        assertFalse(backlog.offer(tick("A", 3)), "what was written waits no more: nothing is replaced");
        assertEquals(43, backlog.bytes(), "the new update's bytes only");
        assertEquals(List.of("{\"type\":\"tick\",\"topic\":\"stocks.A\",\"last\":3}"), drain());
        assertTrue(backlog.isEmpty());
        assertEquals(0, backlog.bytes());
        assertEquals(1, meters.messagesConflated(FeedMessage.Kind.TICK).count());
    }

    @Test
    void shouldMoveAReplacedMessageToTheBackSoNoOlderFollowsANewer() {
        backlog.offer(tick("A", 1));
        backlog.offer(tick("B", 1));
        backlog.offer(tick("A", 2));

        List<String> written = drain();

        assertEquals(2, written.size());
        assertTrue(written.get(0).contains("stocks.B"), written.toString());
        assertTrue(written.get(1).contains("\"last\":2"), written.toString());
    }

    @Test
    void shouldAddWhatAnArrivingMessageAlreadyStoodFor() {
        backlog.offer(tick("A", 1).plusConflated(4));
        backlog.offer(tick("A", 2).plusConflated(2));

        Backlog.Entry e = backlog.poll();
        assertEquals(4 + 1 + 2, e.conflated());
    }

    @Test
    void shouldNeverDropOrReplaceScoreEvents() {
        assertFalse(backlog.offer(goal("football.m1", 10)));
        assertFalse(backlog.offer(goal("football.m1", 20)));
        assertFalse(backlog.offer(goal("football.m1", 30)));

        List<String> written = drain();

        assertEquals(3, written.size());
        for (int i = 0; i < 3; i++) {
            assertTrue(written.get(i).contains("\"event\":" + (i + 1) * 10), written.toString());
            assertFalse(written.get(i).contains("conflated"), written.toString());
        }
    }

    @Test
    void shouldKeepControlMessagesInTheirPlace() {
        backlog.offer(tick("A", 1));
        backlog.append(null, null, "{\"type\":\"pong\"}".getBytes(StandardCharsets.UTF_8), -1);
        backlog.offer(tick("A", 2));

        List<String> written = drain();

        assertEquals(List.of("{\"type\":\"pong\"}",
                "{\"type\":\"tick\",\"topic\":\"stocks.A\",\"last\":2,\"conflated\":1}"), written);
    }

    @Test
    void shouldCountTheBytesOfWhatWaits() {
        EncodedMessage a1 = tick("A", 1);
        EncodedMessage a22 = tick("A", 22);
        EncodedMessage b = tick("B", 1);

        backlog.offer(a1);
        backlog.offer(b);
        assertEquals(a1.json().length + b.json().length, backlog.bytes());
        backlog.offer(a22);
        assertEquals(a22.json().length + b.json().length, backlog.bytes());
        backlog.poll();
        assertEquals(a22.json().length, backlog.bytes());
        backlog.poll();
        assertEquals(0, backlog.bytes());
        assertTrue(backlog.isEmpty());
        assertNull(backlog.poll());
    }

    @Test
    void shouldDropTheTopicsNoLongerWantedAndKeepControlMessages() {
        backlog.offer(tick("A", 1));
        backlog.offer(goal("football.m1", 10));
        backlog.append(null, null, "{\"type\":\"pong\"}".getBytes(StandardCharsets.UTF_8), -1);
        backlog.offer(tick("B", 1));

        backlog.retainTopics(topic -> topic.equals("stocks.B"));
        backlog.offer(tick("A", 2));

        List<String> written = drain();
        assertEquals(3, written.size(), written.toString());
        assertEquals("{\"type\":\"pong\"}", written.get(0));
        assertTrue(written.get(1).contains("stocks.B"), written.toString());
        assertFalse(written.get(2).contains("conflated"), "A starts afresh: " + written);
    }

    @Test
    void shouldWriteTheLatestValueOfAMessageReplacedAfterItWasPeeked() {
        backlog.offer(tick("A", 1));
        assertEquals("{\"type\":\"tick\",\"topic\":\"stocks.A\",\"last\":1}",
                new String(backlog.peek().wireJson(), StandardCharsets.UTF_8));

        backlog.offer(tick("A", 2));

        assertEquals(List.of("{\"type\":\"tick\",\"topic\":\"stocks.A\",\"last\":2,\"conflated\":1}"), drain());
    }

    @Test
    void shouldLeaveTheHeadInPlaceWhenPeeked() {
        backlog.offer(tick("A", 1));
        backlog.offer(tick("A", 2));

        assertEquals(1, backlog.peek().conflated());
        assertEquals(1, backlog.poll().conflated());
        assertTrue(backlog.isEmpty());
    }

    @Test
    void shouldKeepTicksUnderABudgetExactUntilOneIsTooOldThenConflateEachTopicInPlace() {
        long budget = 1_000;
        backlog.offer(tick("A", 1), budget);
        backlog.offer(tick("B", 2), budget);
        backlog.offer(goal("sports.x", 3), budget);
        backlog.offer(tick("A", 4), budget);
        backlog.offer(tick("B", 5), budget);
        backlog.offer(tick("A", 6), budget);
        long bytes = backlog.bytes();

        assertEquals(0, backlog.freshen(1_001), "none older than the budget: every tick waits");
        assertEquals(bytes, backlog.bytes());
        assertEquals(3, backlog.freshen(1_002), "the oldest is over the budget: A1, B2 and A4 go");
        assertEquals(0, meters.messagesConflated(FeedMessage.Kind.SCORE).count());
        assertEquals(3, meters.messagesConflated(FeedMessage.Kind.TICK).count());
        assertEquals(0, backlog.freshen(5_000), "one per topic already: nothing more to conflate");
        assertEquals(List.of("{\"type\":\"score\",\"topic\":\"sports.x\",\"event\":3}",
                "{\"type\":\"tick\",\"topic\":\"stocks.B\",\"last\":5,\"conflated\":1}",
                "{\"type\":\"tick\",\"topic\":\"stocks.A\",\"last\":6,\"conflated\":2}"), drain(),
                "the event in place, each topic's latest in its own place");
        assertEquals(0, backlog.bytes());
    }

    @Test
    void shouldLeaveTicksWithoutABudgetToPlainConflation() {
        backlog.offer(tick("A", 1), 0);
        assertTrue(backlog.offer(tick("A", 2), 0), "no budget: conflated at once");
        assertEquals(0, backlog.freshen(Long.MAX_VALUE));
        assertEquals(List.of("{\"type\":\"tick\",\"topic\":\"stocks.A\",\"last\":2,\"conflated\":1}"), drain());
    }
}
