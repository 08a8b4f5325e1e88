package io.tickstream.ingest;

import io.tickstream.feed.QueueCodec;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Logger;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Checkpoints of the queue, for reads of its past ({@link History}): every {@code interval} records,
 * the seq and {@code ts} of that record and the seq of every topic's latest record up to it. A
 * snapshot at any seq is then a checkpoint, plus at most {@code interval} records read forward from
 * it, plus one read per topic; the first record of a time window is a binary search over the
 * checkpoints' {@code ts}, plus at most {@code interval} records. Without it, a topic silent for
 * an hour (a finished match) would cost a scan of the hour.
 *
 * <p>Built by its own thread, which reads the queue from its start and then follows it, header
 * only (a record is not decoded: its topic's bytes are looked up in a {@link TopicTable}, its
 * {@code ts} read in place), and idles with a backoff when it is at the end. Memory: one
 * {@code long} per topic per checkpoint, 8 bytes × 600 topics every 65,536 records, about 270 KB
 * an hour at 1,000 records/s.
 *
 * <p>Threading: the indexing thread writes; {@link #checkpoints()} and {@link #topic} may be read by
 * any thread and see a consistent prefix.
 */
public final class FeedIndex implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FeedIndex.class.getName());
    /** Records between two checkpoints in a server. */
    public static final int INTERVAL = 65_536;

    /**
     * The queue at one record.
     *
     * @param seq    the record's seq
     * @param ts     its {@code ts}, microseconds since the epoch
     * @param latest by topic id ({@link FeedIndex#topic}), the seq of the topic's latest record up to
     *               {@code seq}; ids beyond its length first appear after it
     */
    public record Checkpoint(long seq, long ts, long[] latest) {
    }

    private final ChronicleQueue queue;
    private final int interval;
    private final Thread thread;
    private volatile boolean running = true;
    /** Published: the first {@link #count} are complete. */
    private volatile Checkpoint[] checkpoints = new Checkpoint[64];
    private volatile int count;
    /** Records read so far. */
    private volatile long records;
    /** Published: the topic of each id known when it was replaced. */
    private volatile String[] topics = new String[0];
    // the indexing thread's
    private final TopicTable table = new TopicTable();
    private long[] latest = new long[1024];

    /**
     * An index of {@code queue}, from its start once {@link #start()}ed. Until it has checkpoints,
     * reads of the past read the queue from its start.
     *
     * @param interval records between two checkpoints ({@link #INTERVAL} in a server; fewer in tests)
     */
    public FeedIndex(ChronicleQueue queue, int interval) {
        this.queue = queue;
        this.interval = interval;
        this.thread = new Thread(this::run, "tickstream-feed-index");
        thread.setDaemon(true);
    }

    /** Starts the indexing thread. */
    public FeedIndex start() {
        thread.start();
        return this;
    }

    /** The checkpoints made so far, in seq order (and, as the feed writes it, {@code ts} order). */
    public Checkpoint[] checkpoints() {
        int n = count;   // first: the array read after it holds that many
        return Arrays.copyOf(checkpoints, n);
    }

    /** The last checkpoint at or before {@code seq}, or null when there is none. */
    public Checkpoint atOrBefore(long seq) {
        return last(c -> c.seq() <= seq);
    }

    /** The last checkpoint whose {@code ts} is before {@code tsMicros}, or null when there is none. */
    public Checkpoint before(long tsMicros) {
        return last(c -> c.ts() < tsMicros);
    }

    /** The last checkpoint that passes {@code test}, which holds for a prefix of them; null when none does. */
    private Checkpoint last(Predicate<Checkpoint> test) {
        int hi = count - 1;   // first: the array read after it holds that many
        Checkpoint[] all = checkpoints;
        int lo = 0;
        Checkpoint found = null;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (test.test(all[mid])) {
                found = all[mid];
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Records indexed so far (read and looked at): where the index is, for the metrics. */
    public long records() {
        return records;
    }

    /** Checkpoints made so far. */
    public int checkpointCount() {
        return count;
    }

    /** The topic of a checkpoint's id. */
    public String topic(int id) {
        return topics[id];
    }

    private void run() {
        IdleStrategy idle = IdleStrategy.backoff(TimeUnit.MILLISECONDS.toNanos(5));
        int sinceCheckpoint = 0;
        try (ExcerptTailer t = queue.createTailer()) {
            while (running) {
                int work = 0;
                while (work < 4096) {
                    try (DocumentContext dc = t.readingDocument()) {
                        if (!dc.isPresent()) {
                            break;
                        }
                        work++;
                        long seq = dc.index();
                        Bytes<?> b = dc.wire().bytes();
                        int id = table.put(b, seq);
                        if (id < 0) {
                            continue;   // not a record of a known format: it has no topic
                        }
                        if (id >= latest.length) {
                            latest = Arrays.copyOf(latest, latest.length * 2);
                        }
                        latest[id] = seq;
                        if (id >= topics.length) {
                            publishTopics();
                        }
                        if (++sinceCheckpoint >= interval) {
                            sinceCheckpoint = 0;
                            add(new Checkpoint(seq, b.readLong(b.readPosition() + QueueCodec.TS_OFFSET),
                                    Arrays.copyOf(latest, table.size())));
                        }
                    }
                }
                records += work;
                idle.idle(work);
            }
        } catch (RuntimeException | InternalError e) {
            // a fault in the mapped queue: reads of the past go on without the later checkpoints
            LOG.warning("feed index stopped at checkpoint " + count + ": " + e);
        }
    }

    private void publishTopics() {
        String[] next = Arrays.copyOf(topics, table.size());
        for (int i = topics.length; i < next.length; i++) {
            next[i] = table.topic(i);
        }
        topics = next;
    }

    private void add(Checkpoint c) {
        Checkpoint[] all = checkpoints;
        if (count == all.length) {
            all = Arrays.copyOf(all, all.length * 2);
            checkpoints = all;   // before count: a reader of the new count finds the array that holds it
        }
        all[count] = c;
        count = count + 1;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread.isAlive()) {
            thread.join(5_000);
        }
    }
}
