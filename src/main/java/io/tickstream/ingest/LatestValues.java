package io.tickstream.ingest;

import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedMessage;
import io.tickstream.feed.JsonCodec;
import io.tickstream.feed.MicroClock;
import io.tickstream.feed.QueueCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The latest message of every topic in the queue up to a position: what the server's snapshots
 * and {@code /api/topics} start from, whatever position the live tailer starts at. Read once at
 * start, while the server starts and listens, before it is ready.
 *
 * <p>A topic's last message can be anywhere in the queue (a match that ended hours ago), so the
 * whole queue is scanned, forward, and fast: a record is not decoded, only its topic's bytes are
 * read and looked up in a {@link TopicTable}, which keeps the seq of each topic's latest record.
 * Only those latest records are decoded at the end, checksum included; one that turns out damaged
 * (torn, see {@link QueueCodec}) is replaced by the topic's latest intact record before it, found
 * by reading backwards. Large ranges are scanned in two halves on two threads; the later half wins.
 *
 * <p>Threading: {@link #upTo} is called by one thread and returns once the scan is complete.
 */
public final class LatestValues {

    /** Below this many records a second thread does not pay for itself. */
    private static final long SPLIT_AT = 1_000_000;

    /**
     * What the scan found.
     *
     * @param latest    the latest intact message of each topic, encoded, in {@code seq} order
     * @param firstSeqs the seq of each topic's first record: before it the topic had no value
     * @param records   records read
     * @param damaged   records that could not be decoded among those the scan had to decode
     * @param upTo      the seq the scan went up to ({@code Long.MIN_VALUE}: nothing scanned)
     */
    public record Result(List<EncodedMessage> latest, Map<String, Long> firstSeqs, long records, long damaged,
                         long upTo) {

        /** Nothing: an empty queue, or one tailed from its start. */
        public static final Result NONE = new Result(List.of(), Map.of(), 0, 0, Long.MIN_VALUE);
    }

    private LatestValues() {
    }

    /**
     * {@code earlier} carried on to {@code upTo}: the records after the seq it went up to are read
     * and their topics' latest values replace its. So a server can scan most of the queue while it
     * starts its other parts, and then only the few records written meanwhile.
     *
     * @throws IllegalArgumentException when {@code earlier} went beyond {@code upTo}
     */
    public static Result extend(Result earlier, ChronicleQueue queue, long upTo) {
        if (earlier.upTo() == Long.MIN_VALUE) {
            return upTo(queue, upTo);
        }
        if (earlier.upTo() > upTo) {
            throw new IllegalArgumentException("scanned up to " + earlier.upTo() + ", beyond " + upTo);
        }
        if (earlier.upTo() == upTo) {
            return earlier;
        }
        TopicTable table = new TopicTable();
        scan(queue, earlier.upTo() + 1, upTo, table);
        Result later = decode(queue, table, table.records, upTo);
        Map<String, EncodedMessage> latest = new HashMap<>();
        earlier.latest().forEach(m -> latest.put(m.topic(), m));
        later.latest().forEach(m -> latest.put(m.topic(), m));
        Map<String, Long> firstSeqs = new HashMap<>(later.firstSeqs());
        firstSeqs.putAll(earlier.firstSeqs());
        List<EncodedMessage> out = new ArrayList<>(latest.values());
        out.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        return new Result(List.copyOf(out), Map.copyOf(firstSeqs), earlier.records() + later.records(),
                earlier.damaged() + later.damaged(), upTo);
    }

    /** Scans every record with {@code seq <= upTo}. */
    public static Result upTo(ChronicleQueue queue, long upTo) {
        long first = queue.firstIndex();
        if (first == Long.MAX_VALUE || upTo < first) {
            return Result.NONE;
        }
        long last = Math.min(upTo, queue.lastIndex());
        RollCycle rc = queue.rollCycle();
        boolean large = rc.toCycle(first) != rc.toCycle(last)
                || rc.toSequenceNumber(last) - rc.toSequenceNumber(first) >= SPLIT_AT;
        TopicTable[] halves;
        if (large) {
            long mid = middle(queue, rc, first, last);
            TopicTable early = new TopicTable();
            TopicTable late = new TopicTable();
            CompletableFuture<Void> other = CompletableFuture.runAsync(() -> scan(queue, mid, last, late), r -> {
                Thread t = new Thread(r, "tickstream-latest-scan");
                t.setDaemon(true);
                t.start();
            });
            scan(queue, first, mid - 1, early);
            other.join();
            halves = new TopicTable[] {early, late};
        } else {
            halves = new TopicTable[] {new TopicTable()};
            scan(queue, first, last, halves[0]);
        }
        TopicTable all = halves[0];
        for (int i = 1; i < halves.length; i++) {
            all.putAll(halves[i]);
        }
        long records = 0;
        for (TopicTable t : halves) {
            records += t.records;
        }
        return decode(queue, all, records, last);
    }

    /** Decodes each topic's latest record; a damaged one gives way to the topic's previous intact record. */
    private static Result decode(ChronicleQueue queue, TopicTable table, long records, long upTo) {
        JsonCodec codec = new JsonCodec();
        long readMicros = MicroClock.nowMicros();   // when this server read them: their trace.read
        List<EncodedMessage> out = new ArrayList<>(table.size());
        Map<String, Long> firstSeqs = new HashMap<>();
        long damaged = 0;
        ExcerptTailer t = queue.createTailer();
        try (RecordReader reader = new RecordReader(t)) {
            for (int slot : table.slots()) {
                long seq = table.seq(slot);
                FeedMessage m = read(t, reader, seq);
                while (m == null) {
                    damaged++;
                    seq = previousOfTopic(t, table, slot, seq);
                    if (seq < 0) {
                        break;
                    }
                    m = read(t, reader, seq);
                }
                if (m != null) {
                    out.add(EncodedMessage.of(seq, m, codec, readMicros));
                    firstSeqs.put(m.topic(), table.firstSeq(slot));
                }
            }
        }
        out.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        return new Result(List.copyOf(out), Map.copyOf(firstSeqs), records, damaged, upTo);
    }

    /**
     * The record at {@code seq} decoded ({@code reader} reads from {@code t}), or null when it
     * cannot be (damaged, or not presented by the queue).
     */
    private static FeedMessage read(ExcerptTailer t, RecordReader reader, long seq) {
        if (!t.moveToIndex(seq)) {
            return null;
        }
        try {
            return reader.next() == RecordReader.Found.RECORD ? reader.message() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The seq of the last record of the topic in {@code slot} before {@code seq}, or -1 when there is none. */
    private static long previousOfTopic(ExcerptTailer t, TopicTable table, int slot, long seq) {
        t.direction(TailerDirection.BACKWARD);
        try {
            if (!t.moveToIndex(seq)) {
                return -1;
            }
            try (DocumentContext skip = t.readingDocument()) {
                // the record at seq itself
            }
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        return -1;
                    }
                    if (table.sameTopic(slot, dc.wire().bytes())) {
                        return dc.index();
                    }
                }
            }
        } finally {
            t.direction(TailerDirection.FORWARD);
        }
    }

    /** Reads records {@code from..to} inclusive into {@code table}. */
    static void scan(ChronicleQueue queue, long from, long to, TopicTable table) {
        try (ExcerptTailer t = queue.createTailer()) {
            // at from, or at the record before it (from may be one past a cycle's last), or the start
            if (!t.moveToIndex(from) && !t.moveToIndex(from - 1)) {
                t.toStart();
            }
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        return;
                    }
                    long seq = dc.index();
                    if (seq > to) {
                        dc.rollbackOnClose();
                        return;
                    }
                    if (seq >= from) {
                        table.records++;
                        table.put(dc.wire().bytes(), seq);
                    }
                }
            }
        }
    }

    /** An index about halfway between {@code first} and {@code last} that is in the queue. */
    private static long middle(ChronicleQueue queue, RollCycle rc, long first, long last) {
        int firstCycle = rc.toCycle(first);
        int lastCycle = rc.toCycle(last);
        long mid = firstCycle == lastCycle
                ? rc.toIndex(firstCycle, (rc.toSequenceNumber(first) + rc.toSequenceNumber(last)) / 2)
                : rc.toIndex(firstCycle + (lastCycle - firstCycle + 1) / 2, 0);
        try (ExcerptTailer t = queue.createTailer()) {
            if (!t.moveToIndex(mid)) {
                t.moveToCycle(rc.toCycle(mid));   // that cycle may be missing: the next one present
            }
            long found = t.index();
            return found > first && found <= last ? found : last;
        }
    }
}
