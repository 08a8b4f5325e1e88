package io.tickstream.ingest;

import java.util.concurrent.locks.LockSupport;

/**
 * How a poll loop waits when a pass did no work. Kept apart from the loop so the trade between
 * latency and CPU can be changed without touching it.
 *
 * <p>Not thread-safe: one per polling thread.
 */
public interface IdleStrategy {

    /** Called after each pass with the amount of work it did; waits when {@code workCount} is 0. */
    void idle(int workCount);

    /**
     * Spins, then yields, then parks for doubling times up to {@code maxParkNanos}: low latency
     * after work, and about one wake-up per {@code maxParkNanos} when the feed is quiet.
     */
    static IdleStrategy backoff(long maxParkNanos) {
        return new IdleStrategy() {
            private static final int SPINS = 50;
            private static final int YIELDS = 50;
            private static final long MIN_PARK_NANOS = 20_000;
            private int idleCount;
            private long parkNanos = MIN_PARK_NANOS;

            @Override
            public void idle(int workCount) {
                if (workCount > 0) {
                    idleCount = 0;
                    parkNanos = MIN_PARK_NANOS;
                    return;
                }
                idleCount++;
                if (idleCount <= SPINS) {
                    Thread.onSpinWait();
                } else if (idleCount <= SPINS + YIELDS) {
                    Thread.yield();
                } else {
                    LockSupport.parkNanos(parkNanos);
                    parkNanos = Math.min(parkNanos * 2, maxParkNanos);
                }
            }
        };
    }
}
