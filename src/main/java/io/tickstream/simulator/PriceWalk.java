package io.tickstream.simulator;

import io.tickstream.feed.Tick;
import java.util.random.RandomGenerator;

/**
 * A geometric random walk of one symbol's mid price, quoted in cents with a spread around it.
 * Not thread-safe: owned by the generator's thread.
 */
final class PriceWalk {

    private static final double MIN_PRICE = 1.0;
    private final String symbol;
    private final double volatility;
    private double mid;
    private long volume;

    PriceWalk(Scenario.Symbol spec) {
        this.symbol = spec.symbol();
        this.volatility = spec.volatility();
        this.mid = spec.price();
    }

    /** Moves the price one step and returns the resulting quote and trade. */
    Tick next(RandomGenerator rng, long ts) {
        double z = rng.nextGaussian();
        mid = Math.max(MIN_PRICE, mid * Math.exp(volatility * z - 0.5 * volatility * volatility));
        long midCents = Math.round(mid * 100);
        long halfSpread = Math.max(1, Math.round(midCents * 0.0002));
        long bid = midCents - halfSpread;
        long ask = midCents + halfSpread;
        long last = switch (rng.nextInt(3)) {
            case 0 -> bid;
            case 1 -> ask;
            default -> midCents;
        };
        long size = (1 + rng.nextInt(20)) * (rng.nextInt(4) == 0 ? 1L : 100L);
        volume += size;
        return new Tick(ts, symbol, bid / 100.0, ask / 100.0, last / 100.0, size, volume);
    }
}
