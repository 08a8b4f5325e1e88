package io.tickstream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedBatch;
import io.tickstream.feed.QueueCodec;
import io.tickstream.feed.Tick;
import io.tickstream.metrics.Meters;
import io.tickstream.support.Await;
import io.tickstream.support.Fixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The tailer stage alone: a real queue, a sink that can refuse (the fan-out's backpressure). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QueueTailerTest {

    @TempDir
    Path dir;

    /** Takes batches only while {@code open}. */
    private static final class GateSink implements BatchSink {
        final AtomicBoolean open = new AtomicBoolean();
        final List<EncodedMessage> taken = new CopyOnWriteArrayList<>();

        @Override
        public boolean canAccept() {
            return open.get();
        }

        @Override
        public void publish(FeedBatch batch) {
            taken.addAll(batch.messages());
        }

        @Override
        public void onDelivered(Runnable listener) {
            // delivered as soon as taken: nothing to wait for
        }
    }

    @Test
    void shouldBeReadyOnlyAfterHandingOnEverythingAndNeverSkipUnderBackpressure() throws Exception {
        try (ChronicleQueue queue = SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(RollCycles.FAST_DAILY)
                .build(); ExcerptAppender appender = queue.createAppender()) {
            for (int i = 0; i < 5_000; i++) {
                try (DocumentContext dc = appender.writingDocument()) {
                    QueueCodec.write(new Tick(i, "S" + (i % 50), 1, 2, 1.5, 1, i), dc.wire().bytes());
                }
            }
            GateSink sink = new GateSink();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            QueueTailer tailer = new QueueTailer(queue, sink, new Meters(registry), new QueueDamage(dir), true, 100,
                    0,
                    IdleStrategy.backoff(TimeUnit.MILLISECONDS.toNanos(1)));
            assertEquals(-1, tailer.start(), "from the start: nothing before the first delivery");
            tailer.begin();
            Await.until(() -> registry.get("tickstream_tailer_backpressure_total").counter().count() > 0,
                    Duration.ofSeconds(10), "the tailer to meet the refusing sink");
            Await.holds(() -> !tailer.caughtUp(), Duration.ofMillis(300),
                    "the tailer not caught up while the sink refuses");
            assertFalse(tailer.caughtUp(), "not ready while the sink refuses");
            assertTrue(registry.get("tickstream_tailer_backpressure_total").counter().count() > 0,
                    "refusals are counted");
            sink.open.set(true);
            Fixture.await(tailer::caughtUp, Duration.ofSeconds(10), "caught up");
            assertEquals(5_000, sink.taken.size(), "every message handed on once");
            for (int i = 0; i < sink.taken.size(); i++) {
                assertEquals(i, sink.taken.get(i).ts(), "in order");
            }
            assertEquals(5_000, registry.get("tickstream_feed_messages_total").tag("kind", "tick").counter().count());
            tailer.close();
        }
    }
}
