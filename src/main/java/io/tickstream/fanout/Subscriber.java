package io.tickstream.fanout;

import io.tickstream.feed.EncodedMessage;

/**
 * What the fan-out needs of a connection: which topics it wants, and a place to put messages.
 *
 * <p>Threading: every method is called on the event loop that owns both the subscriber and its
 * {@link Shard}.
 */
public interface Subscriber {

    /** Whether the subscriber's current subscriptions cover {@code topic}. */
    boolean covers(String topic);

    /**
     * Takes one live message of a covered topic, in {@code seq} order.
     *
     * @return {@code true} when this is the first message of the current batch for this subscriber,
     *     so that the shard calls {@link #endOfBatch()} on it once the batch is delivered
     */
    boolean deliver(EncodedMessage message);

    /** The batch is delivered: write what was taken (one write for the batch, not one per message). */
    void endOfBatch();

    /** Delivery to this subscriber threw: it has been removed from the shard and should close. */
    void fail(RuntimeException cause);
}
