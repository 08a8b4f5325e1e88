package io.tickstream.support;

import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.JsonCodec;
import io.tickstream.feed.QueueCodec;
import io.tickstream.feed.Tick;
import io.tickstream.ingest.FeedIndex;
import io.tickstream.ingest.History;
import io.tickstream.ingest.QueueDamage;
import io.tickstream.ingest.Replayer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * A real queue of ticks with a {@link Replayer} on it, for resume tests without a server or a
 * simulator: tick {@code i} is on symbol {@code S(i % 5)}, and {@link #feed()} holds every record as
 * the tailer would hand it on, in order. Owned by the test thread; close it after the test.
 */
public final class TickQueue implements AutoCloseable {

    private final ChronicleQueue queue;
    private final Replayer replayer;
    private final List<EncodedMessage> feed;

    private TickQueue(ChronicleQueue queue, Replayer replayer, List<EncodedMessage> feed) {
        this.queue = queue;
        this.replayer = replayer;
        this.feed = feed;
    }

    /** Writes {@code ticks} ticks to a new queue in {@code dir}, replayed {@code chunkSize} messages at a time at most. */
    public static TickQueue write(Path dir, int ticks, int chunkSize) {
        ChronicleQueue queue = SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(RollCycles.FAST_DAILY).build();
        JsonCodec codec = new JsonCodec();
        List<EncodedMessage> feed = new ArrayList<>();
        try (ExcerptAppender appender = queue.createAppender()) {
            for (int i = 0; i < ticks; i++) {
                Tick t = new Tick(i, "S" + (i % 5), 1, 2, 1.5, 1, i);
                try (DocumentContext dc = appender.writingDocument()) {
                    QueueCodec.write(t, dc.wire().bytes());
                }
                feed.add(EncodedMessage.of(appender.lastIndexAppended(), t, codec));
            }
        }
        return new TickQueue(queue, new Replayer(queue, new QueueDamage(dir), chunkSize,
                new History(queue, new FeedIndex(queue, 1_000).start())), List.copyOf(feed));
    }

    public Replayer replayer() {
        return replayer;
    }

    /** Every record of the queue as the tailer would hand it on, in order. */
    public List<EncodedMessage> feed() {
        return feed;
    }

    @Override
    public void close() throws Exception {
        replayer.close();
        queue.close();
    }
}
