package io.tickstream.feed;

/**
 * A feed message with its place in the feed.
 *
 * @param seq the message's index in the durable queue: one increasing number over the whole feed
 *            (not contiguous across queue roll-overs)
 * @param message the message
 */
public record Sequenced(long seq, FeedMessage message) {
}
