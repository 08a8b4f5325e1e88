package io.tickstream.ingest;

import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.JsonCodec;
import io.tickstream.feed.QueueCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Reads of the queue's past, with the {@link FeedIndex}: the state of topics as of any seq the queue
 * still holds (the {@code snapshot} op with {@code at}), and where a time window lies in the queue
 * (the {@code replay} op). Each read costs a checkpoint lookup, at most one checkpoint interval
 * of records read header-only, and then one decoded record per topic (for a snapshot) or one
 * header-only pass over the window (to count what a replay will send, before it sends it).
 *
 * <p>{@code ts} is taken as non-decreasing along the queue, as the feed writes it: a window starts
 * at the first record with {@code ts >= fromTime} and ends before the first after it with
 * {@code ts > toTime}.
 *
 * <p>Threading: one thread at a time (the replayer's); it creates and closes its own tailers.
 */
public final class History implements AutoCloseable {

    /** The window a replay asked for is not in the queue; {@link #getMessage()} says why. */
    public static final class Unavailable extends Exception {
        private final long firstSeq;
        private final long firstTs;

        Unavailable(String why, long firstSeq, long firstTs) {
            super(why, null, false, false);
            this.firstSeq = firstSeq;
            this.firstTs = firstTs;
        }

        /** The queue's first record, or -1 when it has none. */
        public long firstSeq() {
            return firstSeq;
        }

        /** Its {@code ts}, or -1. */
        public long firstTs() {
            return firstTs;
        }
    }

    /**
     * Where a time window lies in the queue.
     *
     * @param fromSeq the first record with {@code ts >= fromTime}, -1 when none is up to the end
     * @param toSeq   the last record of the window, -1 when none
     * @param count   records of the requested topics between them
     */
    public record Window(long fromSeq, long toSeq, long count) {
    }

    private final ChronicleQueue queue;
    private final FeedIndex index;

    /** @param index the queue's checkpoints; this history owns it ({@link #close()} stops it) */
    public History(ChronicleQueue queue, FeedIndex index) {
        this.queue = queue;
        this.index = index;
    }

    /** Stops the index's thread. */
    @Override
    public void close() throws InterruptedException {
        index.close();
    }

    /**
     * Of each topic that passes {@code topics} and had a message at {@code at}, its latest intact
     * message with {@code seq <= at}, in {@code seq} order; null when {@code at} is older than the
     * queue holds. A topic whose latest record then lies in a cycle file removed since is left out.
     */
    public List<EncodedMessage> snapshotAt(long at, Predicate<String> topics, JsonCodec codec) {
        long first = queue.firstIndex();
        if (first == Long.MAX_VALUE || at < first) {
            return null;
        }
        Map<String, Long> latest = new HashMap<>();
        FeedIndex.Checkpoint cp = index.atOrBefore(at);
        if (cp != null) {
            long[] seqs = cp.latest();
            for (int id = 0; id < seqs.length; id++) {
                String topic = index.topic(id);
                if (topics.test(topic)) {
                    latest.put(topic, seqs[id]);
                }
            }
        }
        // what changed after the checkpoint, read header-only as the start-up scan reads the queue
        TopicTable recent = new TopicTable();
        LatestValues.scan(queue, cp == null ? first : cp.seq() + 1, at, recent);
        for (int slot : recent.slots()) {
            String topic = recent.topicAt(slot);
            if (topics.test(topic)) {
                latest.put(topic, recent.seq(slot));
            }
        }
        return decode(latest, first, codec);
    }

    /**
     * Where the records written from {@code fromTs} to {@code toTs} (microseconds since the epoch)
     * lie, up to the seq {@code upTo}, and how many of them are of topics that pass {@code topics}.
     *
     * @throws Unavailable when the queue starts after {@code fromTs} (the start of the window is gone)
     */
    public Window window(long fromTs, long toTs, long upTo, Predicate<String> topics) throws Unavailable {
        long first = queue.firstIndex();
        if (first == Long.MAX_VALUE) {
            throw new Unavailable("the queue is empty", -1, -1);
        }
        long firstTs = tsAt(first);
        if (fromTs < firstTs) {
            throw new Unavailable("the queue starts at " + Instant.ofEpochSecond(0, firstTs * 1000) + " (seq "
                    + first + ")", first, firstTs);
        }
        TopicTable table = new TopicTable();
        byte[] verdicts = new byte[64];   // by the table's topic id: 0 not asked yet, 1 wanted, 2 not
        long fromSeq = -1;
        long toSeq = -1;
        long count = 0;
        try (ExcerptTailer t = queue.createTailer()) {
            FeedIndex.Checkpoint cp = index.before(fromTs);
            if (cp == null || !t.moveToIndex(cp.seq())) {
                t.toStart();
            }
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    long seq = dc.index();
                    if (seq > upTo) {
                        dc.rollbackOnClose();
                        break;
                    }
                    Bytes<?> b = dc.wire().bytes();
                    if (b.readRemaining() < QueueCodec.TS_OFFSET + Long.BYTES) {
                        continue;   // not a record of a known format
                    }
                    long ts = b.readLong(b.readPosition() + QueueCodec.TS_OFFSET);
                    if (fromSeq < 0) {
                        if (ts < fromTs) {
                            continue;
                        }
                        fromSeq = seq;
                    }
                    if (ts > toTs) {
                        dc.rollbackOnClose();
                        break;
                    }
                    toSeq = seq;
                    int id = table.put(b, seq);
                    if (id < 0) {
                        continue;
                    }
                    if (id >= verdicts.length) {
                        verdicts = Arrays.copyOf(verdicts, verdicts.length * 2);
                    }
                    if (verdicts[id] == 0) {
                        verdicts[id] = topics.test(table.topic(id)) ? (byte) 1 : (byte) 2;
                    }
                    if (verdicts[id] == 1) {
                        count++;
                    }
                }
            }
        }
        return new Window(fromSeq, toSeq, count);
    }

    /** The {@code ts} of the record at {@code seq}; {@code Long.MIN_VALUE} when it cannot be read. */
    private long tsAt(long seq) {
        try (ExcerptTailer t = queue.createTailer()) {
            if (!t.moveToIndex(seq)) {
                return Long.MIN_VALUE;
            }
            try (DocumentContext dc = t.readingDocument()) {
                Bytes<?> b = dc.wire().bytes();
                return dc.isPresent() && b.readRemaining() >= QueueCodec.TS_OFFSET + Long.BYTES
                        ? b.readLong(b.readPosition() + QueueCodec.TS_OFFSET) : Long.MIN_VALUE;
            }
        }
    }

    /** Decodes each topic's record; a damaged one gives way to the topic's latest intact one before it. */
    private List<EncodedMessage> decode(Map<String, Long> latest, long first, JsonCodec codec) {
        List<EncodedMessage> out = new ArrayList<>(latest.size());
        ExcerptTailer t = queue.createTailer();
        try (RecordReader reader = new RecordReader(t)) {
            for (Map.Entry<String, Long> e : latest.entrySet()) {
                long seq = e.getValue();
                if (seq < first || !t.moveToIndex(seq)) {
                    continue;   // its cycle file was removed since
                }
                RecordReader.Found found = reader.next(codec);
                EncodedMessage m = found == RecordReader.Found.RECORD ? reader.encoded()
                        : previousIntact(e.getKey(), seq, codec);
                if (m != null) {
                    out.add(m);
                }
            }
        }
        out.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        return out;
    }

    /** The topic's latest intact message before {@code seq}, read backwards; null when there is none. */
    private EncodedMessage previousIntact(String topic, long seq, JsonCodec codec) {
        ExcerptTailer back = queue.createTailer();
        back.direction(TailerDirection.BACKWARD);
        try (RecordReader records = new RecordReader(back)) {
            if (!back.moveToIndex(seq)) {
                return null;
            }
            records.skip();   // the damaged record itself
            while (true) {
                RecordReader.Found found = records.next(codec);
                if (found == RecordReader.Found.END) {
                    return null;
                }
                if (found == RecordReader.Found.RECORD && records.message().topic().equals(topic)) {
                    return records.encoded();
                }
            }
        }
    }
}
