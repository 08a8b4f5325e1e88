package io.tickstream.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedMessage;
import io.tickstream.metrics.Meters;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The conflation rule alone: one latest update per topic slot, the count it carries, the meter. */
class ConflationTest {

    private static final String AAPL = "stocks.AAPL";
    private static final String MATCH = "sports.football.ARS-CHE";

    /** A caller's per-topic state, with nothing of its own. */
    private static final class TopicSlot extends Conflation.Slot {
    }

    private final Meters meters = new Meters(new SimpleMeterRegistry());
    private final Conflation<TopicSlot> conflation = new Conflation<>(meters);
    private final TopicSlot slot = new TopicSlot();

    private static EncodedMessage tick(long seq) {
        return message(AAPL, seq, FeedMessage.Kind.TICK, true);
    }

    private static EncodedMessage scoreClock(long seq) {
        return message(MATCH, seq, FeedMessage.Kind.SCORE, true);
    }

    private static EncodedMessage scoreEvent(long seq) {
        return message(MATCH, seq, FeedMessage.Kind.SCORE, false);
    }

    private static EncodedMessage message(String topic, long seq, FeedMessage.Kind kind, boolean conflatable) {
        byte[] json = ("{\"topic\":\"" + topic + "\",\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8);
        return new EncodedMessage(topic, seq, seq, kind, conflatable, json, 0);
    }

    private double conflated(FeedMessage.Kind kind) {
        return meters.messagesConflated(kind).count();
    }

    @Test
    void shouldHoldTheFirstUpdateOfATopicAsItCame() {
        EncodedMessage first = tick(1);

        assertFalse(conflation.hold(slot, first));

        assertSame(first, slot.latest());
        assertEquals(0, conflated(FeedMessage.Kind.TICK));
    }

    @Test
    void shouldKeepOnlyTheLatestUpdateStandingForTheOnesItReplaced() {
        conflation.hold(slot, tick(1));
        assertTrue(conflation.hold(slot, tick(2)));
        assertTrue(conflation.hold(slot, tick(3)));

        assertEquals(3, slot.latest().seq());
        assertEquals(2, slot.latest().conflated());
        assertEquals("{\"topic\":\"stocks.AAPL\",\"seq\":3,\"conflated\":2}",
                new String(slot.latest().wireJson(), StandardCharsets.UTF_8));
        assertEquals(2, conflated(FeedMessage.Kind.TICK), "each replacement counted once");
    }

    @Test
    void shouldAddWhatAnArrivingUpdateAlreadyStoodFor() {
        conflation.hold(slot, tick(1).plusConflated(4));
        conflation.hold(slot, tick(2).plusConflated(2));

        assertEquals(4 + 1 + 2, slot.latest().conflated());
        assertEquals(1, conflated(FeedMessage.Kind.TICK), "only the replacement made here");
    }

    @Test
    void shouldCountAReplacementByTheKindOfTheUpdate() {
        conflation.hold(slot, scoreClock(1));
        conflation.hold(slot, scoreClock(2));

        assertEquals(1, conflated(FeedMessage.Kind.SCORE));
        assertEquals(0, conflated(FeedMessage.Kind.TICK));
    }

    @Test
    void shouldRefuseAMessageThatIsNeverConflated() {
        conflation.hold(slot, scoreClock(1));

        assertFalse(Conflation.conflatable(scoreEvent(2)));
        assertThrows(IllegalArgumentException.class, () -> conflation.hold(slot, scoreEvent(2)));
        assertEquals(1, slot.latest().seq(), "what waits stays as it was");
        assertEquals(0, conflated(FeedMessage.Kind.SCORE));
    }

    @Test
    void shouldStartAfreshOnceTheWaitingUpdateIsTaken() {
        conflation.hold(slot, tick(1));
        conflation.hold(slot, tick(2));

        assertEquals(2, slot.take().seq());
        assertNull(slot.latest());
        assertNull(slot.take(), "nothing waits any more");

        assertFalse(conflation.hold(slot, tick(3)));
        assertEquals(0, slot.latest().conflated());
    }

    @Test
    void shouldKeepOneSlotPerTopicMadeOnItsFirstMessage() {
        List<String> made = new ArrayList<>();
        TopicSlot aapl = conflation.slot(AAPL, topic -> {
            made.add(topic);
            return new TopicSlot();
        });

        assertSame(aapl, conflation.slot(AAPL, topic -> new TopicSlot()));
        assertNotSame(aapl, conflation.slot(MATCH, topic -> new TopicSlot()));
        assertEquals(List.of(AAPL), made);
        assertEquals(2, conflation.slots().size());
    }

    @Test
    void shouldForgetSlotsRemovedFromItsViewAndEveryOneOnClear() {
        TopicSlot aapl = conflation.slot(AAPL, topic -> new TopicSlot());
        conflation.slot(MATCH, topic -> new TopicSlot());

        conflation.slots().removeIf(slot -> slot != aapl);
        assertSame(aapl, conflation.slot(AAPL, topic -> new TopicSlot()), "the kept slot is still the topic's");
        assertEquals(1, conflation.slots().size());

        conflation.slot(MATCH, topic -> new TopicSlot());
        conflation.clear();
        assertTrue(conflation.isEmpty());
    }
}
