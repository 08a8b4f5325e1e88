package io.tickstream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tickstream.feed.FeedMessage;
import io.tickstream.feed.JsonCodec;
import io.tickstream.feed.QueueCodec;
import io.tickstream.feed.Tick;
import io.tickstream.ingest.RecordReader.Found;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The record reader alone, on a real queue: what it finds, record by record. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RecordReaderTest {

    @TempDir
    Path dir;

    private static long append(ExcerptAppender appender, FeedMessage m, boolean torn) {
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> bytes = dc.wire().bytes();
            QueueCodec.write(m, bytes);
            if (torn) {   // the last byte (of the checksum) wrong: what a torn write leaves
                long last = bytes.writePosition() - 1;
                bytes.writeByte(last, (byte) (bytes.readByte(last) ^ 0x5a));
            }
        }
        return appender.lastIndexAppended();
    }

    private static Tick tick(long ts) {
        return new Tick(ts, "S" + ts, 1, 2, 1.5, 1, ts);
    }

    @Test
    void shouldEncodeEachRecordItDecodesWhenGivenACodecAndNothingOfADamagedOne() {
        try (ChronicleQueue queue = SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(RollCycles.FAST_DAILY)
                .build(); ExcerptAppender appender = queue.createAppender()) {
            long first = append(appender, tick(1), false);
            append(appender, tick(2), true);
            JsonCodec codec = new JsonCodec();
            try (RecordReader records = new RecordReader(queue.createTailer())) {
                assertEquals(Found.RECORD, records.next(codec));
                assertEquals(first, records.encoded().seq());
                assertEquals("stocks.S1", records.encoded().topic());

                assertEquals(Found.DAMAGED, records.next(codec), "the torn record");
                assertNull(records.encoded(), "nothing encoded of a torn record");
                assertNull(records.message());
            }
        }
    }

    @Test
    void shouldReportEachRecordDecodedATornOneAsDamagedAndThenTheEnd() {
        try (ChronicleQueue queue = SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(RollCycles.FAST_DAILY)
                .build(); ExcerptAppender appender = queue.createAppender()) {
            long first = append(appender, tick(1), false);
            long torn = append(appender, tick(2), true);
            long third = append(appender, tick(3), false);

            try (RecordReader records = new RecordReader(queue.createTailer())) {
                assertEquals(Found.RECORD, records.next());
                assertEquals(first, records.seq());
                assertEquals(tick(1), records.message());
                assertNull(records.decodeError());

                assertEquals(Found.DAMAGED, records.next(), "the torn record");
                assertEquals(torn, records.seq());
                assertNull(records.message(), "nothing of a torn record is delivered");
                assertNotNull(records.decodeError(), "why it could not be decoded");

                assertEquals(Found.RECORD, records.next(), "reads on past the torn record");
                assertEquals(third, records.seq());
                assertEquals(3, records.encode(new JsonCodec()).ts());

                assertEquals(Found.END, records.next());
                long later = append(appender, tick(4), false);
                assertEquals(Found.RECORD, records.next(), "a record written after the end");
                assertEquals(later, records.seq());
            }
        }
    }

    @Test
    void shouldStopBeforeTheRecordAfterItsLastAndLeaveItUnread() {
        try (ChronicleQueue queue = SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(RollCycles.FAST_DAILY)
                .build(); ExcerptAppender appender = queue.createAppender()) {
            List<Long> seqs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                seqs.add(append(appender, tick(i), false));
            }
            try (RecordReader records = new RecordReader(queue.createTailer(), seqs.get(2))) {
                assertEquals(true, records.skip(), "skips the first record");
                assertEquals(seqs.get(0), records.seq());
                List<Long> read = new ArrayList<>();
                while (records.next() == Found.RECORD) {
                    read.add(records.seq());
                }
                assertEquals(seqs.subList(1, 3), read, "up to its last, inclusive");
                assertEquals(Found.AFTER_LAST, records.next(), "and stays there");
                assertEquals(seqs.get(3), records.seq(), "the seq of the record after its last");
                assertNull(records.message(), "not decoded");
            }
        }
    }
}
