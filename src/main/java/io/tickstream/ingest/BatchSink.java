package io.tickstream.ingest;

import io.tickstream.feed.FeedBatch;

/** Where the tailer hands its batches: the fan-out. */
public interface BatchSink {

    /**
     * Whether a batch would be taken now. While it is not, the tailer keeps reading into the batch
     * it holds (so that under load batches grow and each connection gets fewer, larger writes),
     * and once that batch is full it waits: backpressure as a value, the queue being the buffer.
     */
    boolean canAccept();

    /** Hands over a batch; call only after {@link #canAccept()} answered true, from the same thread. */
    void publish(FeedBatch batch);

    /**
     * Asks to be told, on whatever thread finishes the work, each time a consumer of the sink (an
     * event loop's shard: several for each batch) has delivered a batch handed over, so that a
     * tailer waiting for {@link #canAccept()} need not poll for it. Call once, before the first
     * {@link #publish}.
     */
    void onDelivered(Runnable listener);
}
