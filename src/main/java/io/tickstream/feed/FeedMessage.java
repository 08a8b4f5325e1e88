package io.tickstream.feed;

/**
 * One message of the feed, as the simulator writes it and the server reads it.
 *
 * <p>Immutable; safe to share between threads. The feed-wide sequence number is not part of the
 * message: it is the message's index in the queue, known only once it has been appended (see
 * {@link Sequenced}).
 */
public sealed interface FeedMessage permits Tick, Score {

    /** Time the message was written to the feed, in microseconds since the epoch. */
    long ts();

    /** The topic this message belongs to, e.g. {@code stocks.AAPL}. */
    String topic();

    /** Which kind of message this is, for metrics and the wire {@code type}. */
    Kind kind();

    /**
     * Whether a newer message of the same topic may replace this one for a subscriber that has
     * fallen behind. Ticks and plain score/clock updates are; score events never are.
     */
    boolean conflatable();

    /** The kinds of feed message; {@link #wireName()} is the protocol's {@code type}. */
    enum Kind {
        TICK("tick"),
        SCORE("score");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }
}
