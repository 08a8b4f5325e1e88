package io.tickstream.replication;

import io.aeron.Aeron;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.ArchivingMediaDriver;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.codecs.SourceLocation;
import io.aeron.archive.status.RecordingPos;
import io.tickstream.feed.MicroClock;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

/**
 * The feed host: publishes every record of the origin queue, in order, with its index as {@code seq}
 * ({@link Frame}), on an Aeron stream its embedded archive records. Edges catch up from the recording
 * and follow the live stream. After a restart it extends the same recording from where it stopped,
 * continuing with the record after the last one recorded: the recording holds each record once.
 * While the queue is quiet a heartbeat goes out every {@link #HEARTBEAT_MS}, so that an edge tells a
 * quiet feed from a lost one.
 *
 * <p>Threading: {@link #run()} on one thread, which owns the queue's tailer and the publication;
 * {@link #stop()} from any thread.
 */
public final class FeedPublisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FeedPublisher.class.getName());

    static final long HEARTBEAT_MS = 100;
    /** How long a start retries an archive whose previous process died holding it (Aeron deems it live for 10 s). */
    private static final long ARCHIVE_BUSY_RETRY_MS = 15_000;

    /** The publisher cannot go on: the message says why, for the operator. */
    public static final class PublishException extends RuntimeException {
        PublishException(String message) {
            super(message);
        }
    }

    private final ChronicleQueue queue;
    private final ArchivingMediaDriver driver;
    private final Aeron aeron;
    private final AeronArchive archive;
    private final ExclusivePublication publication;
    private final long recordingId;
    private final IdleStrategy idle;
    private final ExcerptTailer tailer;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean running = true;
    private long lastSeq;
    private long published;
    private byte[] staging = new byte[64 * 1024];
    private final UnsafeBuffer frame = new UnsafeBuffer(staging);

    /**
     * Starts the driver and archive, finds or begins the recording and positions the queue's tailer
     * after the last record recorded. Returns ready to {@link #run()}.
     *
     * @param queue      the origin queue, opened for reading; closed by {@link #close()}
     * @param rollCycle  the queue's roll cycle name, announced to edges
     * @param listen     where edges reach this host
     * @param archiveDir the recording, kept across restarts
     * @param aeronDir   the media driver's directory, private to this process; {@code null} for one
     *                   derived from the archive's
     */
    public static FeedPublisher start(ChronicleQueue queue, String rollCycle, Endpoint listen, Path archiveDir,
                                      Path aeronDir, long idleMs) {
        if (aeronDir == null) {
            aeronDir = Media.defaultDir("publish", archiveDir);
        }
        ArchivingMediaDriver driver = launch(listen, archiveDir, aeronDir, idleMs);
        Aeron aeron = null;
        AeronArchive archive = null;
        try {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir.toString()));
            Archive.Context a = driver.archive().context();
            archive = AeronArchive.connect(new AeronArchive.Context().aeron(aeron)
                    .controlRequestChannel(a.localControlChannel()).controlRequestStreamId(a.localControlStreamId())
                    .controlResponseChannel(a.localControlChannel()));
            return new FeedPublisher(queue, rollCycle, listen, driver, aeron, archive, idleMs);
        } catch (RuntimeException e) {
            closeQuietly(archive);
            closeQuietly(aeron);
            closeQuietly(driver);
            throw e;
        }
    }

    private FeedPublisher(ChronicleQueue queue, String rollCycle, Endpoint listen, ArchivingMediaDriver driver,
                          Aeron aeron, AeronArchive archive, long idleMs) {
        this.queue = queue;
        this.driver = driver;
        this.aeron = aeron;
        this.archive = archive;
        this.idle = Media.idle(idleMs);
        String channel = listen.publication(Media.ALIAS_PREFIX + rollCycle);
        FeedRecording recording = FeedRecording.find(archive);
        if (recording == null) {
            publication = archive.addRecordedExclusivePublication(channel, Media.LIVE_STREAM_ID);
            recordingId = awaitRecordingId(publication.sessionId());
            lastSeq = -1;
        } else {
            if (!recording.rollCycle().equals(rollCycle)) {
                throw new PublishException("the archive records a queue with roll cycle " + recording.rollCycle()
                        + " but " + queue.file() + " has " + rollCycle + ": publish that queue, or use another "
                        + "--archive-dir");
            }
            recordingId = recording.recordingId();
            long stop = archive.getStopPosition(recordingId);
            lastSeq = lastSeqRecorded(recording, stop);
            String extend = new ChannelUriStringBuilder(channel)
                    .initialPosition(stop, recording.initialTermId(), recording.termLength())
                    .sessionId(recording.sessionId())
                    .build();
            publication = aeron.addExclusivePublication(extend, Media.LIVE_STREAM_ID);
            archive.extendRecording(recordingId, extend, Media.LIVE_STREAM_ID, SourceLocation.LOCAL);
        }
        tailer = queue.createTailer();
        tailer.toStart();
        if (lastSeq >= 0) {
            if (!tailer.moveToIndex(lastSeq)) {
                throw new PublishException("the archive ends with seq " + lastSeq + " which " + queue.file()
                        + " does not hold: it is not the queue this archive recorded; publish that queue, or "
                        + "use another --archive-dir");
            }
            try (DocumentContext dc = tailer.readingDocument()) {
                // the last record recorded: skipped
            }
        }
        LOG.info(String.format("publishing %s on %s (recording %d%s)", queue.file(), listen, recordingId,
                lastSeq < 0 ? ", new" : ", extended after seq " + lastSeq));
    }

    private static ArchivingMediaDriver launch(Endpoint listen, Path archiveDir, Path aeronDir, long idleMs) {
        long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ARCHIVE_BUSY_RETRY_MS);
        boolean told = false;
        while (true) {
            try {
                return ArchivingMediaDriver.launch(Media.driver(aeronDir, idleMs).spiesSimulateConnection(true),
                        new Archive.Context()
                                .aeronDirectoryName(aeronDir.toString())
                                .archiveDir(archiveDir.toFile())
                                .controlChannel(listen.archiveControl())
                                .replicationChannel("aeron:udp?endpoint=" + listen.host() + ":0")
                                .recordingEventsEnabled(false)
                                .threadingMode(ArchiveThreadingMode.SHARED)
                                .idleStrategySupplier(() -> Media.idle(idleMs))
                                .segmentFileLength(64 * 1024 * 1024)
                                .deleteArchiveOnStart(false));
            } catch (IllegalStateException e) {
                if (e.getMessage() == null || !e.getMessage().contains("active mark file")
                        || System.nanoTime() > giveUp) {
                    throw e;
                }
                if (!told) {
                    LOG.warning("archive " + archiveDir + " was in use moments ago (a publisher that did not close);"
                            + " retrying for up to " + ARCHIVE_BUSY_RETRY_MS / 1000 + " s");
                    told = true;
                }
                sleep(500);
            }
        }
    }

    private long awaitRecordingId(int sessionId) {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int counterId;
        while ((counterId = RecordingPos.findCounterIdBySession(aeron.countersReader(),
                sessionId, archive.archiveId())) == CountersReader.NULL_COUNTER_ID) {
            if (System.nanoTime() > giveUp) {
                throw new PublishException("the archive did not start recording the live stream within 10 s");
            }
            sleep(1);
        }
        return RecordingPos.getRecordingId(aeron.countersReader(), counterId);
    }

    /**
     * The seq of the last whole message in the recording, read back from its last two terms (a message
     * never crosses a term, so a term's start is a message's start); -1 for an empty recording. A
     * message cut short by a crash is left where it is: readers drop a fragment without its end.
     */
    private long lastSeqRecorded(FeedRecording recording, long stop) {
        if (stop <= recording.startPosition()) {
            return -1;
        }
        long termLength = recording.termLength();
        long from = Math.max(recording.startPosition(), (stop / termLength - 1) * termLength);
        long[] last = {-1};
        FragmentAssembler reader = new FragmentAssembler((buffer, offset, length, header) ->
                last[0] = Frame.seq(buffer, offset));
        try (Subscription replay = archive.replay(recordingId, from, stop - from, "aeron:ipc", Media.TAIL_STREAM_ID)) {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (replay.imageCount() == 0) {
                if (System.nanoTime() > giveUp) {
                    throw new PublishException("could not read back the end of recording " + recordingId);
                }
                sleep(1);
            }
            Image image = replay.imageAtIndex(0);
            while (image.position() < stop && !image.isEndOfStream() && !image.isClosed()) {
                if (image.poll(reader, 256) == 0) {
                    idle.idle();
                }
                if (System.nanoTime() > giveUp) {
                    throw new PublishException("could not read back the end of recording " + recordingId);
                }
            }
        }
        return last[0];
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
                    Frame.putHeader(frame, Frame.HEARTBEAT, lastSeq, lastSeq, MicroClock.nowMicros());
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
            Frame.putHeader(frame, Frame.DATA, seq, lastSeq, MicroClock.nowMicros());
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
        closeQuietly(publication);
        closeQuietly(archive);
        closeQuietly(aeron);
        closeQuietly(driver);
        tailer.close();
        queue.close();
        closed.countDown();
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warning("close: " + e);
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted");
        }
    }
}
