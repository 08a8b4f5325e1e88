package io.tickstream.session;

import static io.tickstream.session.TopicThrottles.Offer.FIRST_OF_BATCH;
import static io.tickstream.session.TopicThrottles.Offer.HELD;
import static io.tickstream.session.Outbox.Outcome.OK;
import static io.tickstream.session.TopicThrottles.Offer.PASSED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedMessage;
import io.tickstream.feed.TopicPattern;
import io.tickstream.metrics.DeliveryMeters;
import io.tickstream.metrics.Meters;
import io.tickstream.support.RecordingTransport;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * maxRate in front of a real outbox, without a server: a transport that records what is written, a
 * scheduler that records the timers asked for, and a manual clock.
 */
class TopicThrottlesTest {

    private static final long MS = 1_000_000L;
    private static final long T0 = 1_000 * MS;
    private static final String AAPL = "stocks.AAPL";
    private static final String MSFT = "stocks.MSFT";
    private static final String MATCH = "sports.football.ARS-CHE";

    private final List<JsonObject> written = new ArrayList<>();
    private final List<Long> timerDelaysMs = new ArrayList<>();
    private final Meters meters = new Meters(new SimpleMeterRegistry());
    private final Outbox outbox = new Outbox(new RecordingTransport(written::add), meters, new DeliveryMeters(meters),
            new FramePacker(65_536), new SlowConsumerPolicy(1 << 20, 5_000, 30_000), new SharedFrames(), System::nanoTime);
    private final Subscriptions subscriptions = new Subscriptions(null, 100, new AtomicLong());
    private final TopicThrottles throttles = new TopicThrottles(outbox, subscriptions, meters,
            (delayMs, task) -> timerDelaysMs.add(delayMs), outcome -> { });

    private void subscribe(String pattern, Double maxRate) {
        subscriptions.add(List.of(TopicPattern.parse(pattern)), maxRate, null, false);
    }

    private static EncodedMessage tick(String topic, long seq) {
        return new EncodedMessage(topic, seq, seq, FeedMessage.Kind.TICK, true, json(seq), 0);
    }

    private static EncodedMessage scoreEvent(String topic, long seq) {
        return new EncodedMessage(topic, seq, seq, FeedMessage.Kind.SCORE, false, json(seq), 0);
    }

    private static byte[] json(long seq) {
        return ("{\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** Ends the outbox's batch; returns the seqs written since the last call. */
    private List<Long> flush() {
        outbox.endOfBatch();
        List<Long> seqs = written.stream().map(m -> m.getLong("seq")).toList();
        written.clear();
        return seqs;
    }

    private double conflatedTicks() {
        return meters.messagesConflated(FeedMessage.Kind.TICK).count();
    }

    @Test
    void shouldPassOneMessagePerIntervalAndHoldTheLatestWithTheUpdatesItReplaced() {
        subscribe("stocks.*", 10.0);   // one per 100 ms

        assertEquals(FIRST_OF_BATCH, throttles.offer(tick(AAPL, 1), T0));
        assertEquals(List.of(1L), flush());
        assertEquals(HELD, throttles.offer(tick(AAPL, 2), T0 + MS));
        assertEquals(HELD, throttles.offer(tick(AAPL, 3), T0 + 2 * MS));
        assertEquals(HELD, throttles.offer(tick(AAPL, 4), T0 + 3 * MS));
        assertEquals(List.of(), flush(), "nothing more within the interval");
        assertEquals(List.of(99L), timerDelaysMs, "one release timer, for the end of the interval");
        assertEquals(2, conflatedTicks());

        assertEquals(OK, throttles.releaseDue(T0 + 99 * MS));
        assertEquals(List.of(), written, "not due yet");
        assertEquals(OK, throttles.releaseDue(T0 + 100 * MS));
        assertEquals(1, written.size(), "written at once");
        assertEquals(4, written.get(0).getLong("seq"), "the latest value");
        assertEquals(2, written.get(0).getInteger("conflated"), "standing for the two it replaced");
    }

    @Test
    void shouldPassAMessageAtOnceWhenItsIntervalHasPassedAndNothingIsHeld() {
        subscribe("stocks.*", 10.0);
        throttles.offer(tick(AAPL, 1), T0);
        flush();

        assertEquals(FIRST_OF_BATCH, throttles.offer(tick(AAPL, 2), T0 + 100 * MS));
        assertEquals(PASSED, throttles.offer(tick(MSFT, 3), T0 + 100 * MS), "another topic, same batch");
        assertEquals(List.of(2L, 3L), flush());
        assertEquals(List.of(), timerDelaysMs);
    }

    @Test
    void shouldNeverHoldScoreEventsAndWriteTheHeldUpdateBeforeThem() {
        subscribe("sports.>", 10.0);
        throttles.offer(tick(MATCH, 1), T0);
        flush();
        assertEquals(HELD, throttles.offer(tick(MATCH, 2), T0 + MS));

        assertEquals(FIRST_OF_BATCH, throttles.offer(scoreEvent(MATCH, 3), T0 + 2 * MS));
        assertEquals(PASSED, throttles.offer(scoreEvent(MATCH, 4), T0 + 3 * MS), "one right after another");
        assertEquals(List.of(2L, 3L, 4L), flush());
        assertEquals(HELD, throttles.offer(tick(MATCH, 5), T0 + 4 * MS), "a score event starts an interval");
    }

    @Test
    void shouldSetATimerForTheNextHeldMessageAfterAReleaseAndEachInSeqOrder() {
        subscribe("stocks.*", 10.0);
        throttles.offer(tick(AAPL, 1), T0);
        throttles.offer(tick(MSFT, 2), T0 + 50 * MS);
        flush();
        throttles.offer(tick(MSFT, 3), T0 + 60 * MS);   // due at 150 ms
        throttles.offer(tick(AAPL, 4), T0 + 60 * MS);   // due at 100 ms
        assertEquals(List.of(90L, 40L), timerDelaysMs, "a new timer only for an earlier due time");

        assertEquals(OK, throttles.releaseDue(T0 + 100 * MS));
        assertEquals(List.of(4L), flush());
        assertEquals(List.of(90L, 40L, 50L), timerDelaysMs, "the next due, MSFT at 150 ms");
        assertEquals(OK, throttles.releaseDue(T0 + 150 * MS));
        assertEquals(List.of(3L), flush());
        assertEquals(OK, throttles.releaseDue(T0 + 300 * MS));
        assertEquals(List.of(), flush());
        assertEquals(3, timerDelaysMs.size(), "nothing held: no timer");
    }

    @Test
    void shouldReleaseEverythingHeldInSeqOrderWhenSubscriptionsChange() {
        subscribe("stocks.*", 10.0);
        throttles.offer(tick(AAPL, 1), T0);
        throttles.offer(tick(MSFT, 2), T0);
        flush();
        throttles.offer(tick(MSFT, 3), T0 + MS);
        throttles.offer(tick(AAPL, 4), T0 + MS);

        assertEquals(OK, throttles.releaseAll());
        assertEquals(List.of(3L, 4L), flush());
        assertEquals(OK, throttles.releaseAll());
        assertEquals(List.of(), flush(), "nothing held any more");
    }

    @Test
    void shouldLookTheRateUpAgainAfterASubscriptionChange() {
        subscribe("stocks.*", 10.0);
        throttles.offer(tick(AAPL, 1), T0);
        assertEquals(HELD, throttles.offer(tick(AAPL, 2), T0 + MS));

        flush();
        subscribe(AAPL, null);   // the most permissive now: no limit
        throttles.releaseAll();
        assertEquals(List.of(2L), flush());

        assertEquals(FIRST_OF_BATCH, throttles.offer(tick(AAPL, 3), T0 + 2 * MS));
        assertEquals(PASSED, throttles.offer(tick(AAPL, 4), T0 + 3 * MS));
        assertEquals(List.of(3L, 4L), flush());
    }

    @Test
    void shouldPassTopicsNoMaxRateCoversStraightThrough() {
        subscribe("stocks.*", 10.0);
        subscribe(AAPL, null);

        for (long seq = 1; seq <= 5; seq++) {
            assertEquals(seq == 1 ? FIRST_OF_BATCH : PASSED, throttles.offer(tick(AAPL, seq), T0));
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), flush());
        assertEquals(0, conflatedTicks());
    }
}
