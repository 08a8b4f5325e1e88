package io.tickstream.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * An edge's replication from its upstream (only with {@code --upstream}), read from its status at
 * scrape time: how far behind it is, what it wrote, how often it caught up and how often it lost
 * the stream. Registered by {@link Meters#upstream}; the delay histogram is {@link Meters#upstreamDelay}.
 *
 * <p>Threading: immutable once built; the suppliers are called on the scraping thread.
 */
final class UpstreamMeters {

    /** The sources of the function counters, which hold them weakly: kept alive as long as this. */
    private final List<LongSupplier> sources;

    UpstreamMeters(MeterRegistry registry, DoubleSupplier lagSeconds, LongSupplier lagRecords, LongSupplier records,
                   LongSupplier catchUps, LongSupplier lastCatchUpRecords, LongSupplier disconnects) {
        this.sources = List.of(records, catchUps, disconnects);
        Gauge.builder("tickstream_upstream_lag_seconds", lagSeconds::getAsDouble).baseUnit("seconds")
                .description("Time since the feed host sent the newest message this edge's replica holds "
                        + "(NaN before the first)").register(registry);
        Gauge.builder("tickstream_upstream_lag_records", lagRecords::getAsLong).baseUnit("records")
                .description("Records this edge's replica lacks up to the newest seq the feed host has sent (heard "
                        + "on its live stream, also while catching up); across a roll cycle, the newest cycle's only")
                .register(registry);
        FunctionCounter.builder("tickstream_upstream_records", records, LongSupplier::getAsLong)
                .description("Records written to this edge's replica").register(registry);
        FunctionCounter.builder("tickstream_upstream_catchups", catchUps, LongSupplier::getAsLong)
                .description("Catch-ups from the feed host's archive that ended in the live stream").register(registry);
        Gauge.builder("tickstream_upstream_last_catchup_records", lastCatchUpRecords::getAsLong).baseUnit("records")
                .description("Records the last catch-up wrote").register(registry);
        FunctionCounter.builder("tickstream_upstream_disconnects", disconnects, LongSupplier::getAsLong)
                .description("Times the live stream or the replication was lost (then caught up again)")
                .register(registry);
    }
}
