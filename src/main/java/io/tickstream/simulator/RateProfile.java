package io.tickstream.simulator;

/**
 * Messages per second over time: a steady base rate with an optional repeating burst (a
 * market-open spike): {@code burstMultiplier} times the base rate for the first
 * {@code burstSeconds} of every {@code burstEverySeconds}. Immutable.
 *
 * @param rate              base rate, messages per second
 * @param burstMultiplier   rate multiplier during a burst
 * @param burstSeconds      length of a burst
 * @param burstEverySeconds period of the bursts; 0 for none
 */
public record RateProfile(double rate, double burstMultiplier, double burstSeconds, double burstEverySeconds) {

    public static RateProfile steady(double rate) {
        return new RateProfile(rate, 1, 0, 0);
    }

    /** The rate at {@code elapsedMillis} since the start. */
    public double rateAt(long elapsedMillis) {
        if (burstEverySeconds <= 0 || burstSeconds <= 0) {
            return rate;
        }
        double inPeriod = (elapsedMillis / 1000.0) % burstEverySeconds;
        return inPeriod < burstSeconds ? rate * burstMultiplier : rate;
    }
}
