package io.tickstream.replication;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.ArchivingMediaDriver;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.status.RecordingPos;
import io.tickstream.replication.FeedPublisher.PublishException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.status.CountersReader;

/**
 * The feed host's side of Aeron: an embedded media driver and archive, and the one live stream the
 * archive records. Each start records its stream anew, in a recording of its own, after reading back
 * the last record the earlier ones hold ({@link #lastSeq()}), with which the new stream continues.
 *
 * <p>Not extending the last recording is deliberate. A publisher that died (SIGKILL) may have sent edges
 * more than its archive recorded; a restart that extended the recording from its stop position, with
 * the same session id, would send different bytes at positions those edges had already received, into
 * the same image: an edge's image could stall or mix the two. A new recording has a new session id, so
 * an edge's image only ever holds one run's bytes, and positions are only compared within a recording;
 * edges walk the recordings in order ({@link UpstreamFollower}).
 *
 * <p>Threading: built by the starting thread, then used by the publishing thread only.
 */
final class RecordedStream implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RecordedStream.class.getName());

    private final ArchiveLock lock;
    private final ArchivingMediaDriver driver;
    private final Aeron aeron;
    private final AeronArchive archive;
    private final IdleStrategy idle;
    private ExclusivePublication publication;
    private long recordingId;
    private long lastSeq = -1;

    /**
     * Starts the driver and archive and begins or extends the recording of the live stream.
     *
     * @param rollCycle the origin queue's roll cycle name, announced to edges in the stream's alias
     * @param origin    the origin queue, as messages name it
     * @param aeronDir  the media driver's directory, private to this process; {@code null} for one
     *                  derived from the archive's
     */
    static RecordedStream open(Endpoint listen, Path archiveDir, Path aeronDir, double idleMs, String rollCycle,
                               Object origin) {
        Path dir = aeronDir != null ? aeronDir : Media.defaultDir("publish", archiveDir);
        ArchiveLock lock = ArchiveLock.acquire(archiveDir);
        ArchivingMediaDriver driver = null;
        Aeron aeron = null;
        AeronArchive archive = null;
        try {
            driver = launch(listen, archiveDir, dir, idleMs);
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir.toString()));
            Archive.Context a = driver.archive().context();
            archive = AeronArchive.connect(new AeronArchive.Context().aeron(aeron)
                    .controlRequestChannel(a.localControlChannel()).controlRequestStreamId(a.localControlStreamId())
                    .controlResponseChannel(a.localControlChannel()));
            RecordedStream stream = new RecordedStream(lock, driver, aeron, archive, idleMs);
            stream.begin(listen.publication(Media.ALIAS_PREFIX + rollCycle), rollCycle, origin);
            return stream;
        } catch (RuntimeException e) {
            closeQuietly(archive);
            closeQuietly(aeron);
            closeQuietly(driver);
            lock.close();
            throw e;
        }
    }

    private RecordedStream(ArchiveLock lock, ArchivingMediaDriver driver, Aeron aeron, AeronArchive archive,
                           double idleMs) {
        this.lock = lock;
        this.driver = driver;
        this.aeron = aeron;
        this.archive = archive;
        this.idle = Media.idle(idleMs);
    }

    private void begin(String channel, String rollCycle, Object origin) {
        List<FeedRecording> recordings = FeedRecording.list(archive);
        if (!recordings.isEmpty()) {
            FeedRecording newest = recordings.get(recordings.size() - 1);
            if (!newest.rollCycle().equals(rollCycle)) {
                throw new PublishException("the archive records a queue with roll cycle " + newest.rollCycle()
                        + " but " + origin + " has " + rollCycle + ": publish that queue, or use another --archive-dir");
            }
            for (int i = recordings.size() - 1; i >= 0 && lastSeq < 0; i--) {
                lastSeq = lastSeqRecorded(recordings.get(i));
            }
        }
        publication = archive.addRecordedExclusivePublication(channel, Media.LIVE_STREAM_ID);
        recordingId = awaitRecordingId(publication.sessionId());
    }

    /** The stream every record and heartbeat is offered to. */
    ExclusivePublication publication() {
        return publication;
    }

    long recordingId() {
        return recordingId;
    }

    /** The seq of the last record the earlier recordings hold; -1 for none. */
    long lastSeq() {
        return lastSeq;
    }

    /** The driver and archive; the caller holds the archive's {@link ArchiveLock}. */
    private static ArchivingMediaDriver launch(Endpoint listen, Path archiveDir, Path aeronDir, double idleMs) {
        return ArchivingMediaDriver.launch(Media.driver(aeronDir, idleMs).spiesSimulateConnection(true),
                new Archive.Context()
                        .aeronDirectoryName(aeronDir.toString())
                        .archiveDir(archiveDir.toFile())
                        .controlChannel(listen.archiveControl())
                        .replicationChannel(Media.anyPort(listen.host()))
                        .recordingEventsEnabled(false)
                        .threadingMode(ArchiveThreadingMode.SHARED)
                        .idleStrategySupplier(() -> Media.idle(idleMs))
                        .segmentFileLength(64 * 1024 * 1024)
                        .deleteArchiveOnStart(false));
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
     * The seq of the last whole message in {@code recording}, read back from its last two terms (a
     * message never crosses a term, so a term's start is a message's start); -1 for an empty recording.
     * A message cut short by a crash is left where it is: readers drop a fragment without its end.
     */
    private long lastSeqRecorded(FeedRecording recording) {
        long id = recording.recordingId();
        long stop = recording.stopPosition();   // as listed: every recording is stopped while this start runs
        if (stop <= recording.startPosition()) {
            return -1;
        }
        long termLength = recording.termLength();
        long from = Math.max(recording.startPosition(), (stop / termLength - 1) * termLength);
        long[] last = {-1};
        FragmentAssembler reader = new FragmentAssembler((buffer, offset, length, header) ->
                last[0] = Frame.seq(buffer, offset));
        try (Subscription replay = archive.replay(id, from, stop - from, "aeron:ipc", Media.TAIL_STREAM_ID)) {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (replay.imageCount() == 0) {
                if (System.nanoTime() > giveUp) {
                    throw new PublishException("could not read back the end of recording " + id);
                }
                sleep(1);
            }
            Image image = replay.imageAtIndex(0);
            while (image.position() < stop && !image.isEndOfStream() && !image.isClosed()) {
                if (image.poll(reader, 256) == 0) {
                    idle.idle();
                }
                if (System.nanoTime() > giveUp) {
                    throw new PublishException("could not read back the end of recording " + id);
                }
            }
        }
        return last[0];
    }

    /** Closes the publication, the archive client, the driver and the archive, then unlocks; the recording stays. */
    @Override
    public void close() {
        closeQuietly(publication);
        closeQuietly(archive);
        closeQuietly(aeron);
        closeQuietly(driver);
        lock.close();
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
