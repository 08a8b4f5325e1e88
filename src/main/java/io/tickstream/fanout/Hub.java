package io.tickstream.fanout;

import io.tickstream.feed.FeedBatch;
import io.tickstream.ingest.BatchSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The fan-out across event loops: every batch goes to every {@link Shard}, each of which delivers
 * it to its own connections on its own event loop.
 *
 * <p>Bounded: when any shard has {@code maxInFlight} batches not yet delivered,
 * {@link #canAccept()} answers {@code false}: the tailer grows its next batch meanwhile, then waits
 * until a shard tells it (through {@link #onDelivered}) that it has delivered one; memory between
 * the tailer and the event loops never grows beyond that. Thread-safe.
 */
public final class Hub implements BatchSink {

    private final List<Shard> shards = new CopyOnWriteArrayList<>();
    private final int maxInFlight;
    private volatile Runnable delivered = () -> { };

    public Hub(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    /** Adds an event loop's shard. Register every shard before the tailer starts. */
    public void register(Shard shard) {
        shards.add(shard);
    }

    public void unregister(Shard shard) {
        shards.remove(shard);
    }

    @Override
    public boolean canAccept() {
        for (Shard s : shards) {
            if (s.inFlight() >= maxInFlight) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void publish(FeedBatch batch) {
        Runnable done = delivered;
        for (Shard s : shards) {
            s.post(batch, done);
        }
    }

    @Override
    public void onDelivered(Runnable listener) {
        this.delivered = listener;
    }
}
