package io.tickstream.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tickstream.feed.FeedQueue;
import java.nio.file.Path;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/** Compares an edge's replica with the origin queue it replicates. Stateless. */
public final class Replicas {

    private Replicas() {
    }

    /**
     * Asserts that {@code replica} holds exactly the records of {@code origin}, {@code expected} of them:
     * record for record, at the same index, with the same bytes. Both are only read (a writer may go on).
     */
    public static void assertSameRecords(Path origin, Path replica, RollCycle rollCycle, int expected) {
        assertEquals(expected, assertSameRecords(origin, replica, rollCycle), "every record in " + replica);
    }

    /**
     * Asserts that {@code replica} holds exactly the records of {@code origin}: the same count, each
     * at the same index with the same bytes. Returns how many records were compared.
     */
    public static int assertSameRecords(Path origin, Path replica, RollCycle rollCycle) {
        try (SingleChronicleQueue o = FeedQueue.openForReading(origin, rollCycle);
             SingleChronicleQueue r = FeedQueue.openForReading(replica, rollCycle);
             ExcerptTailer ot = o.createTailer();
             ExcerptTailer rt = r.createTailer()) {
            int n = 0;
            while (true) {
                try (DocumentContext od = ot.readingDocument(); DocumentContext rd = rt.readingDocument()) {
                    assertEquals(od.isPresent(), rd.isPresent(), "both end at record " + n + " of " + replica);
                    if (!od.isPresent()) {
                        return n;
                    }
                    assertEquals(od.index(), rd.index(), "the same index at record " + n + " of " + replica);
                    assertArrayEquals(od.wire().bytes().toByteArray(), rd.wire().bytes().toByteArray(),
                            "the same bytes at record " + n + " of " + replica);
                    n++;
                }
            }
        }
    }

    /** The bytes of every record of the queue, added up. */
    public static long recordBytes(Path queue, RollCycle rollCycle) {
        try (SingleChronicleQueue q = FeedQueue.openForReading(queue, rollCycle);
             ExcerptTailer tailer = q.createTailer()) {
            long bytes = 0;
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return bytes;
                    }
                    bytes += dc.wire().bytes().readRemaining();
                }
            }
        }
    }
}
