package io.tickstream.ingest;

/** Where the tailer hands its batches: the fan-out. */
public interface BatchSink {

    /**
     * Offers a batch for delivery.
     *
     * @return {@code true} when taken; {@code false} when the sink is saturated and the caller must
     *     offer the same batch again later (backpressure as a value: the queue is the buffer)
     */
    boolean offer(FeedBatch batch);
}
