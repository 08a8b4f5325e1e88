package io.tickstream.replication;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.tickstream.feed.MicroClock;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The feed host: publishes every record of the origin queue, in order, with its index as {@code seq}
 * ({@link Frame}), on an Aeron stream its embedded archive records. Edges catch up from the recording
 * and follow the live stream. After a restart it records a new stream, continuing with the record
 * after the last one recorded: the recordings, in order, hold each record once.
 * While the queue is quiet a heartbeat goes out every {@link #HEARTBEAT_MS}, so that an edge tells a
 * quiet feed from a lost one.
 *
 * <p>Threading: {@link #run()} on one thread, which owns the queue's tailer and the publication;
 * {@link #stop()} from any thread.
 */
public final class FeedPublisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FeedPublisher.class.getName());

    static final long HEARTBEAT_MS = 100;

    /** The publisher cannot go on: the message says why, for the operator. */
    public static final class PublishException extends RuntimeException {
        PublishException(String message) {
            super(message);
        }
    }

    private final ChronicleQueue queue;
    private final RecordedStream stream;
    private final ExclusivePublication publication;
    private final IdleStrategy idle;
    private final ExcerptTailer tailer;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean running = true;
    private long lastSeq;
    private long published;
    private byte[] staging = new byte[64 * 1024];
    private final UnsafeBuffer frame = new UnsafeBuffer(staging);
    private final CRC32C crc = new CRC32C();

    /**
     * Starts the driver and archive, begins this run's recording ({@link RecordedStream}) and positions
     * the queue's tailer after the last record recorded. Returns ready to {@link #run()}.
     *
     * @param queue      the origin queue, opened for reading; closed by {@link #close()}
     * @param rollCycle  the queue's roll cycle name, announced to edges
     * @param listen     where edges reach this host
     * @param archiveDir the recording, kept across restarts
     * @param aeronDir   the media driver's directory, private to this process; {@code null} for one
     *                   derived from the archive's
     */
    public static FeedPublisher start(ChronicleQueue queue, String rollCycle, Endpoint listen, Path archiveDir,
                                      Path aeronDir, double idleMs) {
        RecordedStream stream = RecordedStream.open(listen, archiveDir, aeronDir, idleMs, rollCycle, queue.file());
        try {
            return new FeedPublisher(queue, stream, listen, idleMs);
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    private FeedPublisher(ChronicleQueue queue, RecordedStream stream, Endpoint listen, double idleMs) {
        this.queue = queue;
        this.stream = stream;
        this.publication = stream.publication();
        this.idle = Media.idle(idleMs);
        this.lastSeq = stream.lastSeq();
        tailer = queue.createTailer();
        tailer.toStart();
        if (lastSeq >= 0) {
            if (!tailer.moveToIndex(lastSeq)) {
                tailer.close();
                throw new PublishException("the archive ends with seq " + lastSeq + " which " + queue.file()
                        + " does not hold: it is not the queue this archive recorded; publish that queue, or "
                        + "use another --archive-dir");
            }
            try (DocumentContext dc = tailer.readingDocument()) {
                // the last record recorded: skipped
            }
        }
        LOG.info(String.format("publishing %s on %s (recording %d%s)", queue.file(), listen, stream.recordingId(),
                lastSeq < 0 ? ", from the queue's start" : ", continuing after seq " + lastSeq));
    }

    /** Publishes until {@link #stop()}: each new record, heartbeats while quiet. Closes everything when it returns. */
    public void run() {
        tailer.singleThreadedCheckReset();   // positioned by the starting thread; this one owns it from now on
        try {
            long lastSentNanos = System.nanoTime();
            long heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_MS);
            while (running) {
                int work = 0;
                for (int i = 0; i < 256 && running && publishNext(); i++) {
                    work++;
                }
                long now = System.nanoTime();
                if (work > 0) {
                    lastSentNanos = now;
                } else if (now - lastSentNanos >= heartbeatNanos) {
                    Frame.putHeader(frame, Frame.HEARTBEAT, lastSeq, lastSeq, MicroClock.nowMicros(), 0);
                    if (publication.offer(frame, 0, Frame.HEADER_LENGTH) > 0) {
                        lastSentNanos = now;
                    }
                }
                idle.idle(work);
            }
        } finally {
            close();
        }
    }

    /** Offers the next record of the queue, if there is one; waits while the stream is back-pressured. */
    private boolean publishNext() {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return false;
            }
            long seq = dc.index();
            Bytes<?> bytes = dc.wire().bytes();
            int length = (int) bytes.readRemaining();
            int total = Frame.HEADER_LENGTH + length;
            if (total > publication.maxMessageLength()) {
                throw new PublishException("record " + seq + " is " + length + " bytes; a replicated record is "
                        + "at most " + (publication.maxMessageLength() - Frame.HEADER_LENGTH) + " bytes");
            }
            if (total > staging.length) {
                staging = new byte[Math.max(total, staging.length * 2)];
                frame.wrap(staging);
            }
            bytes.read(staging, Frame.HEADER_LENGTH, length);
            Frame.putHeader(frame, Frame.DATA, seq, lastSeq, MicroClock.nowMicros(),
                    Frame.checksum(crc, staging, Frame.HEADER_LENGTH, length));
            offer(total);
            lastSeq = seq;
            published++;
            return true;
        }
    }

    private void offer(int length) {
        idle.reset();
        while (true) {
            long result = publication.offer(frame, 0, length);
            if (result > 0) {
                return;
            }
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                throw new PublishException("the live stream cannot take more (" + Publication.errorString(result)
                        + ")");
            }
            // BACK_PRESSURED (the archive or the edges' window is full), ADMIN_ACTION, NOT_CONNECTED
            // (the archive's spy not attached yet): the record waits, none is dropped
            if (!running) {
                throw new PublishException("stopped while record " + Frame.seq(frame, 0) + " waited");
            }
            idle.idle();
        }
    }

    /** The seq of the last record published (or recorded before this start); -1 for none. */
    public long lastSeq() {
        return lastSeq;
    }

    /** Records published since this start. */
    public long published() {
        return published;
    }

    /** Makes {@link #run()} return and close; waits until the archive and driver are closed (at most 10 s). */
    public void stop() {
        running = false;
        try {
            closed.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes the publication, the archive and driver (the recording stays) and the queue. Idempotent. */
    @Override
    public void close() {
        if (closed.getCount() == 0) {
            return;
        }
        running = false;
        stream.close();
        tailer.close();
        queue.close();
        closed.countDown();
    }
}
