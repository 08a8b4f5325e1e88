package io.tickstream.feed;

/**
 * A stock quote and last trade for one symbol.
 *
 * @param ts     write time, microseconds since the epoch
 * @param symbol ticker symbol, e.g. {@code AAPL}
 * @param bid    best bid price
 * @param ask    best ask price (always above {@code bid})
 * @param last   price of the last trade
 * @param size   shares in the last trade
 * @param volume cumulative shares traded in this symbol since the simulator started
 */
public record Tick(long ts, String symbol, double bid, double ask, double last, long size, long volume)
        implements FeedMessage {

    public static final String TOPIC_PREFIX = "stocks.";

    @Override
    public String topic() {
        return TOPIC_PREFIX + symbol;
    }

    @Override
    public Kind kind() {
        return Kind.TICK;
    }

    @Override
    public boolean conflatable() {
        return true;
    }
}
