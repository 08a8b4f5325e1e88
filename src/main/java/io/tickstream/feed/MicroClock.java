package io.tickstream.feed;

import java.time.Instant;

/** Wall-clock time in microseconds since the epoch, the unit of every {@code ts}. */
public final class MicroClock {

    private MicroClock() {
    }

    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
