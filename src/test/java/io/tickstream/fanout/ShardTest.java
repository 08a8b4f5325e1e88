package io.tickstream.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedBatch;
import io.tickstream.feed.FeedMessage;
import io.tickstream.feed.TopicPattern;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The shard on its own (run on the calling thread): removal, failure isolation, batch boundaries. */
class ShardTest {

    /** A subscriber that records what it is given; optionally throws on one seq. */
    private static final class Recorder implements Subscriber {
        final List<Long> seqs = new ArrayList<>();
        int batches;
        boolean inBatch;
        long failOn = -1;
        RuntimeException failedWith;

        @Override
        public boolean covers(String topic) {
            return topic.startsWith("stocks.");
        }

        @Override
        public boolean deliver(EncodedMessage m) {
            if (m.seq() == failOn) {
                throw new IllegalStateException("boom at " + m.seq());
            }
            seqs.add(m.seq());
            boolean first = !inBatch;
            inBatch = true;
            return first;
        }

        @Override
        public void endOfBatch() {
            inBatch = false;
            batches++;
        }

        @Override
        public void fail(RuntimeException cause) {
            failedWith = cause;
        }
    }

    private static FeedBatch batch(long from, long to) {
        List<EncodedMessage> ms = new ArrayList<>();
        LongStream.rangeClosed(from, to).forEach(seq -> ms.add(new EncodedMessage("stocks.S" + (seq % 7), seq, seq,
                FeedMessage.Kind.TICK, true, ("{\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8), 0)));
        return new FeedBatch(ms);
    }

    private static Shard shardWith(Recorder... subscribers) {
        Shard shard = new Shard(Runnable::run, 0, nanos -> { }, null);   // no replays here
        shard.onBatch(batch(1, 7));   // every topic exists
        for (Recorder r : subscribers) {
            shard.add(r);
            shard.subscribe(r, Set.of(TopicPattern.parse("stocks.*")));
        }
        return shard;
    }

    @Test
    void shouldStopDeliveringToARemovedSubscriberAndKeepTheOthers() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        Recorder c = new Recorder();
        Shard shard = shardWith(a, b, c);
        shard.post(batch(8, 20), () -> { });
        for (Recorder r : List.of(a, b)) {
            shard.remove(r);
        }
        shard.post(batch(21, 40), () -> { });
        assertEquals(LongStream.rangeClosed(8, 20).boxed().toList(), a.seqs);
        assertEquals(a.seqs, b.seqs);
        assertEquals(LongStream.rangeClosed(8, 40).boxed().toList(), c.seqs);
        assertEquals(2, c.batches, "one endOfBatch per batch");
        assertEquals(1, shard.subscribers().size());
    }

    @Test
    void shouldDropOnlyTheSubscriberThatThrowsAndDeliverTheWholeBatchToTheRest() {
        Recorder bad = new Recorder();
        bad.failOn = 12;
        Recorder good = new Recorder();
        Shard shard = shardWith(bad, good);
        shard.post(batch(8, 20), () -> { });
        shard.post(batch(21, 25), () -> { });
        assertEquals(LongStream.rangeClosed(8, 25).boxed().toList(), good.seqs);
        assertEquals(LongStream.rangeClosed(8, 11).boxed().toList(), bad.seqs);
        assertEquals("boom at 12", bad.failedWith.getMessage());
        assertEquals(0, bad.batches, "a failed subscriber is not asked to write its batch");
    }

    @Test
    void shouldTellTheHubsListenerOfEachDeliveredBatchOnceItIsCountedOut() {
        Recorder a = new Recorder();
        Shard shard = shardWith(a);
        Hub hub = new Hub(1);
        hub.register(shard);
        List<String> told = new ArrayList<>();
        hub.onDelivered(() -> told.add(a.seqs.size() + " delivered, " + shard.inFlight() + " in flight"));
        assertEquals(true, hub.canAccept());
        hub.publish(batch(8, 10));
        hub.publish(batch(11, 11));
        assertEquals(List.of("3 delivered, 0 in flight", "4 delivered, 0 in flight"), told);
    }

    @Test
    void shouldGiveASubscriberThatReturnsAfterRemovalNothingTwice() {
        Recorder a = new Recorder();
        Shard shard = shardWith(a);
        shard.remove(a);
        shard.add(a);
        shard.subscribe(a, Set.of(TopicPattern.parse("stocks.*")));
        shard.post(batch(8, 10), () -> { });
        assertEquals(List.of(8L, 9L, 10L), a.seqs);
    }
}
