package io.tickstream.ingest;

import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedBatch;
import io.tickstream.feed.FeedMessage;
import io.tickstream.feed.JsonCodec;
import io.tickstream.feed.MicroClock;
import io.tickstream.feed.Score;
import io.tickstream.feed.ScoreEvent;
import io.tickstream.metrics.Meters;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;

/**
 * Tails the queue on its own thread, reads each record with a {@link RecordReader}, encodes it
 * once as protocol JSON and hands batches of them to a {@link BatchSink}. A record that cannot be
 * decoded is skipped, counted and logged.
 *
 * <p>Threading: the record reader (over a Chronicle {@link ExcerptTailer}), the {@link JsonCodec}
 * and the pending batch belong to the tailer thread alone ("tailers are NOT thread-safe").
 * {@link #start()} and {@link #close()} are called by the owner; the status getters are safe from
 * any thread.
 *
 * <p>While the sink cannot take a batch the tailer keeps reading into the one it holds, so batches
 * grow with load (fewer, larger writes per connection) and stay small, for low latency, when the
 * event loops keep up. Once the held batch is full it stops reading: the queue on disk is the
 * buffer, so a slow fan-out delays delivery but never loses or reorders a message.
 */
public final class QueueTailer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(QueueTailer.class.getName());

    private final ChronicleQueue queue;
    private final BatchSink sink;
    private final Meters meters;
    private final QueueDamage damage;
    private final boolean fromStart;
    private final int maxBatch;
    private final long lingerNanos;
    private final IdleStrategy idle;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean caughtUp;
    private volatile double lagSeconds;
    /** The damaged file the tailer cannot read past ("queue file ... is truncated: ..."), or null. */
    private volatile String damaged;
    /** Tailer thread: the last pass failed on a read (see {@link #run}). */
    private boolean faulted;
    private volatile long lastReadNanos = System.nanoTime();
    private final CountDownLatch positioned = new CountDownLatch(1);
    private final CountDownLatch begin = new CountDownLatch(1);
    private volatile long startPosition = -1;

    // tailer-thread state
    private final JsonCodec codec = new JsonCodec();
    private List<EncodedMessage> pending = new ArrayList<>();
    /** The index of the last record taken (where to read on after a fault), or -1 before any. */
    private long lastIndex = -1;
    /** The index of the last undecodable record counted, so that a retry after a fault counts it once. */
    private long lastDamaged = -1;
    private long pendingSinceNanos;

    /**
     * @param queue     the queue to tail; the caller keeps ownership and closes it after {@link #close()}
     * @param sink      where batches go
     * @param damage    what to check when a read fails: whether a cycle file was damaged under the tailer
     * @param fromStart read from the queue's first message rather than its end
     * @param maxBatch  most messages in one batch
     * @param lingerMs  how long a batch may stay open for more messages before it is handed over
     *                  (0: at once); a full batch goes at once regardless
     * @param idle      how to wait when there is nothing to read
     */
    public QueueTailer(ChronicleQueue queue, BatchSink sink, Meters meters, QueueDamage damage, boolean fromStart,
                       int maxBatch, long lingerMs, IdleStrategy idle) {
        this.damage = damage;
        this.lingerNanos = lingerMs * 1_000_000L;
        this.queue = queue;
        this.sink = sink;
        this.meters = meters;
        this.fromStart = fromStart;
        this.maxBatch = maxBatch;
        this.idle = idle;
        this.thread = new Thread(this::run, "tickstream-tailer");
        // a batch delivered makes room for the one held here: wake the tailer if it waits (parks)
        // for that, instead of leaving the held batch until its next poll
        sink.onDelivered(() -> LockSupport.unpark(thread));
        meters.tailerLag(() -> lagSeconds);
        meters.feedStaleness(this::stalenessSeconds);
    }

    /**
     * Starts the tailer thread and waits until it has placed itself in the queue; it reads nothing
     * until {@link #begin()}, so that every consumer can be registered first.
     *
     * @return the start position: every message with a {@code seq} up to it is in the queue before
     *     the first one the tailer will deliver (-1 when it delivers from the start)
     */
    public long start() throws InterruptedException {
        thread.start();
        positioned.await();
        return startPosition;
    }

    /** Lets the tailer read and deliver. */
    public void begin() {
        begin.countDown();
    }

    /** A tailer further behind than this (in feed time) is not ready, even after it caught up once. */
    static final double READY_LAG_SECONDS = 5;

    /**
     * True once the tailer has read everything that was in the queue (it found the end once), and
     * for as long as it stays within {@value #READY_LAG_SECONDS} s of the newest message.
     */
    public boolean caughtUp() {
        return caughtUp && lagSeconds < READY_LAG_SECONDS && thread.isAlive();
    }

    /**
     * Why the tailer cannot go on, when a cycle file in its way was found damaged (truncated or emptied
     * under it): "queue file ... is truncated: ...". Null while it reads on; cleared once it reads again.
     */
    public String damaged() {
        return damaged;
    }

    /** Seconds since the tailer last found a new message in the queue (0 while messages keep coming). */
    public double stalenessSeconds() {
        return Math.max(0, System.nanoTime() - lastReadNanos) / 1e9;
    }

    private void run() {
        ExcerptTailer start = queue.createTailer();
        if (fromStart) {
            start.toStart();
        } else {
            start.toEnd();
            startPosition = start.index() - 1;
        }
        RecordReader records = new RecordReader(start);
        positioned.countDown();
        try {
            begin.await();
            while (running) {
                try {
                    // The loop is inside the try: the JVM raises a fault in a mapped file some
                    // instructions after it happened, which can be this loop's back-edge.
                    while (running) {
                        if (records == null) {
                            records = reopen();
                        }
                        idle.idle(doWork(records));
                        if (faulted) {
                            // reading works again: look at the files again, so that a restored file
                            // clears readiness and the gauge even while the feed is silent
                            faulted = false;
                            damaged = damage.recheck();
                        }
                    }
                } catch (InternalError e) {
                    // The JVM's answer to SIGBUS in a memory-mapped file: the queue's file system is
                    // full (or failed) under a page being read. Keep what was read, and read on from
                    // the same place once the file system recovers (each retry may fault again).
                    // Or a cycle file was cut short under the tailer (a read-only mapping faults the
                    // same way past a file's end): then the file is named (once) and readiness says so.
                    meters.tailerFaults().increment();
                    String found = damage.recheck();
                    if (found == null) {
                        LOG.severe("reading the queue failed (" + e.getMessage() + "): is its file system full? "
                                + "retrying in 1 s after seq " + lastIndex);
                    } else if (damaged == null) {
                        LOG.severe("the tailer cannot read on after seq " + lastIndex + ": " + found
                                + "; retrying every second");
                    }
                    damaged = found;
                    faulted = true;
                    closeQuietly(records);
                    records = null;
                    LockSupport.parkNanos(1_000_000_000L);   // close() unparks
                }
            }
        } catch (RuntimeException e) {
            damaged = damage.recheck();
            LOG.log(Level.SEVERE, "tailer stopped: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(records);
        }
    }

    /**
     * A reader just after the last record read; before any record was read, where the tailer started;
     * from the queue's end when the last record read is no longer in it.
     */
    private RecordReader reopen() {
        if (lastIndex < 0) {
            return fromStart ? new RecordReader(queue.createTailer().toStart()) : RecordReader.at(queue, startPosition + 1);
        }
        RecordReader records = RecordReader.after(queue, lastIndex);
        if (records == null) {
            meters.tailerFaults().increment();
            LOG.severe("seq " + lastIndex + " is no longer in the queue; reading on from its end");
            records = new RecordReader(queue.createTailer().toEnd());
        }
        return records;
    }

    private static void closeQuietly(RecordReader records) {
        if (records != null) {
            try {
                records.close();
            } catch (RuntimeException | InternalError e) {
                // gone either way
            }
        }
    }

    /**
     * One pass: reads into the held batch (up to {@code maxBatch}) and hands it over when the sink
     * can take it. Returns how much work it did.
     */
    int doWork(RecordReader records) {
        long nowMicros = MicroClock.nowMicros();
        records.readingAt(nowMicros);
        int read = 0;
        boolean atEnd = false;
        while (pending.size() < maxBatch) {
            RecordReader.Found found = records.next(codec);
            if (found == RecordReader.Found.END) {
                atEnd = true;
                break;
            }
            if (pending.isEmpty()) {
                pendingSinceNanos = System.nanoTime();
            }
            read++;
            // A fault is raised a few instructions late (see run): the record is taken first and
            // lastIndex moves after, so a retry reads it again, and what was taken is not taken twice.
            long seq = records.seq();
            if (found == RecordReader.Found.RECORD) {
                if (pending.isEmpty() || pending.get(pending.size() - 1).seq() < seq) {
                    FeedMessage message = records.message();
                    pending.add(records.encoded());
                    meters.feedMessages(message.kind()).increment();
                    if (message instanceof Score s && s.event() != null
                            && s.event().kind() == ScoreEvent.Kind.CORRECTION) {
                        meters.scoreCorrections().increment();
                    }
                    meters.recordFeedReadLatencyMicros(nowMicros - message.ts());
                }
            } else if (seq > lastDamaged) {
                lastDamaged = seq;
                meters.feedDecodeErrors().increment();
                LOG.warning("skipped undecodable record at seq " + seq + ": " + records.decodeError().getMessage());
            }
            lastIndex = seq;
        }
        if (read > 0) {
            lastReadNanos = System.nanoTime();
            if (damaged != null) {
                damaged = null;
                LOG.info("the tailer reads the queue again after seq " + lastIndex);
            }
        }
        if (pending.isEmpty()) {
            if (atEnd) {
                caughtUp = true;
                lagSeconds = 0;
            }
            return read;
        }
        EncodedMessage last = pending.get(pending.size() - 1);
        lagSeconds = Math.max(0, nowMicros - last.ts()) / 1e6;
        if (lingerNanos > 0 && pending.size() < maxBatch && System.nanoTime() - pendingSinceNanos < lingerNanos) {
            return read;
        }
        if (!sink.canAccept()) {
            if (pending.size() >= maxBatch) {
                meters.tailerStalls().increment();
            }
            return read;
        }
        sink.publish(new FeedBatch(pending));
        pending = new ArrayList<>(Math.min(maxBatch, 64));
        if (atEnd) {
            caughtUp = true;
        }
        return read + 1;
    }

    /** Stops the tailer thread and waits for it. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        begin.countDown();
        LockSupport.unpark(thread);
        thread.join(5_000);
    }
}
