package io.tickstream.feed;

import java.util.List;

/**
 * Messages read from the queue in one pass of the tailer, in {@code seq} order, handed to every
 * event loop at once. Immutable: shared by all event loops.
 *
 * @param messages the encoded messages, in feed order
 */
public record FeedBatch(List<EncodedMessage> messages) {

    public FeedBatch {
        messages = List.copyOf(messages);
    }
}
