package io.tickstream.replication;

import io.aeron.Aeron;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.PersistentSubscription;
import io.aeron.driver.MediaDriver;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.agrona.concurrent.IdleStrategy;

/**
 * An edge's replication: follows the feed host ({@link FeedPublisher}) into the local replica
 * ({@link ReplicaWriter}). It catches up from the feed host's archive, starting where the replica's
 * stored position says: through the recordings of the feed host's ended runs, oldest first, to each
 * one's end ({@link EndedRunReplay}), then through the current run's recording into its live stream
 * (Aeron's {@link PersistentSubscription}, which recovers by itself from a loss of the live stream).
 * When the feed host starts a new run (heard by {@link LiveHead}), it walks on from where it is.
 * The replica's own check ({@code prevSeq}) guards against a gap: on one, or on any failure, it
 * starts over from the stored position a second later; records the replica holds are skipped.
 *
 * <p>Beside it, {@link LiveHead} hears where the feed host is now, even while the catch-up replays
 * old records: the newest seq it holds, against which {@link UpstreamStatus#recordsBehind()} counts.
 *
 * <p>The replica is opened when this starts: at once if it exists, otherwise once the feed host has
 * said which roll cycle it must have ({@link #start} waits for that).
 *
 * <p>Threading: one thread of its own ({@code tickstream-upstream}) owns the subscription and the
 * replica; the state read by {@link #notReady()} and the meters is published through volatiles.
 */
public final class UpstreamFollower implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(UpstreamFollower.class.getName());

    private static final long RETRY_MS = 1_000;

    private final Endpoint upstream;
    private final String localAddress;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final IdleStrategy idle;
    private final ReplicaWriter replica;
    /** Where the feed host is now, whether this edge is live or catching up. */
    private final LiveHead head;
    private final Thread thread;
    /** Where replays and the live stream hand their messages: the replica, the status, the delay. */
    private final ReplicaInput input;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    private final UpstreamStatus status;

    /** The recording being read (where {@code input}'s position is); the replication thread's only. */
    private long recordingId = -1;
    private long nextWarnNanos;

    /**
     * Starts following {@code upstream} into the replica in {@code replicaDir}; returns once the replica
     * is open (so the server can read it), replication going on in the background. A new replica is
     * created with {@code rollCycle}; the feed host's queue must have the same one (otherwise the edge
     * is never ready, and says why).
     *
     * @param advertise the address the feed host can send to this edge at; {@code null} for the one
     *                  the system routes toward the upstream from
     * @param aeronDir  the embedded media driver's directory; {@code null} for one derived from the replica's
     * @param retainCycles replica files kept as it rolls, the newest; 0 keeps all
     * @param delay     told, for each record received live, the µs from its write to the origin (its ts)
     *                  to its write to the replica; on the replication thread
     */
    public static UpstreamFollower start(Endpoint upstream, String advertise, Path replicaDir, String rollCycle,
                                         int retainCycles, Path aeronDir, double idleMs, LongConsumer delay) {
        String local = advertise != null ? advertise : upstream.localAddressToward();
        MediaDriver driver = MediaDriver.launchEmbedded(Media.driver(
                aeronDir != null ? aeronDir : Media.defaultDir("edge", replicaDir), idleMs));
        Aeron aeron = null;
        try {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            ReplicaWriter replica = ReplicaWriter.openOrCreate(replicaDir, rollCycle, retainCycles);
            return new UpstreamFollower(upstream, local, driver, aeron, replica, idleMs, delay);
        } catch (RuntimeException e) {
            if (aeron != null) {
                aeron.close();
            }
            driver.close();
            throw e;
        }
    }

    private UpstreamFollower(Endpoint upstream, String localAddress, MediaDriver driver, Aeron aeron,
                             ReplicaWriter replica, double idleMs, LongConsumer delay) {
        this.upstream = upstream;
        this.status = new UpstreamStatus(upstream);
        this.input = new ReplicaInput(upstream, replica, status, delay);
        this.localAddress = localAddress;
        this.driver = driver;
        this.aeron = aeron;
        this.replica = replica;
        this.head = new LiveHead(aeron, upstream);
        this.idle = Media.idle(idleMs);
        this.thread = new Thread(this::run, "tickstream-upstream");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                try {
                    follow();
                } catch (RuntimeException e) {
                    // the feed host down: said once every 10 s, not every retry (the stack at FINE)
                    if (System.nanoTime() > nextWarnNanos) {
                        LOG.warning("following " + upstream + ": " + e.getMessage() + "; retrying every second");
                        nextWarnNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    }
                    LOG.log(Level.FINE, "following " + upstream, e);
                }
                status.ended();
                if (status.isBroken()) {
                    return;
                }
                if (running) {
                    sleepQuietly(RETRY_MS);
                }
            }
        } finally {
            head.close();
            replica.close();
            stopped.countDown();
        }
    }

    /**
     * One pass: from the stored position through the feed host's recordings, oldest first, each ended
     * run's recording to its end, then the current run's into its live stream, until it fails, a gap
     * shows, the feed host starts a new run or the follower stops.
     */
    private void follow() {
        FeedRecording current = null;
        int[] ended = {};
        try (AeronArchive archive = Media.connect(upstream.archiveClient(localAddress).aeron(aeron), idle,
                () -> running)) {
            if (archive == null) {
                return;   // stopped while connecting
            }
            List<FeedRecording> recordings = FeedRecording.list(archive);
            if (recordings.isEmpty()) {
                return;   // the feed host has not recorded anything yet
            }
            FeedRecording newest = recordings.get(recordings.size() - 1);
            String why = replica.refusal(newest.rollCycle());
            if (why != null) {
                status.broken(why);
                LOG.severe(why);
                return;
            }
            status.replaying();
            ended = recordings.stream().filter(FeedRecording::stopped).mapToInt(FeedRecording::sessionId).toArray();
            for (int i = resumeAt(recordings); i < recordings.size() && running && !input.gap(); i++) {
                FeedRecording recording = recordings.get(i);
                if (!recording.stopped()) {
                    current = recording;   // the run going on: followed below, into its live stream
                    break;
                }
                if (input.position() < recording.stopPosition() && !replayToEnd(archive, recording)) {
                    break;
                }
                if (i + 1 < recordings.size()) {
                    // all of this run is held; the next run continues after its last recorded record
                    recordingId = recordings.get(i + 1).recordingId();
                    input.resume(recordings.get(i + 1).startPosition());
                    replica.savePosition(recordingId, input.position());
                }
            }
        }
        if (current != null && running && !input.gap()) {
            followLive(current, ended);
        }
        if (input.gap()) {
            status.lost();
        }
    }

    /** Sets {@link #recordingId} and the input's position to where the replica resumes; returns the recording's index. */
    private int resumeAt(List<FeedRecording> recordings) {
        ResumePoint at = ResumePoint.of(recordings, replica.storedPosition());
        if (at.storedGone()) {
            LOG.warning("the feed host " + upstream + " no longer holds the recording the replica followed; reading"
                    + " all it holds, skipping the records the replica has");
        }
        recordingId = at.recordingId();
        input.resume(at.position());
        return at.index();
    }

    /**
     * Reads an ended run's recording from the input's position to its end into the replica; {@code false}
     * when that did not finish (the follower stopped or a gap showed).
     */
    private boolean replayToEnd(AeronArchive archive, FeedRecording recording) {
        try (EndedRunReplay replay = EndedRunReplay.start(aeron, archive, localAddress, recording,
                input.position(), input, idle, () -> running)) {
            while (replay != null && running && !input.gap()) {
                if (replay.ended()) {
                    return true;
                }
                idle.idle(afterPoll(replay.poll(256)));
            }
            return false;
        }
    }

    /**
     * After a poll that read {@code work} fragments: saves the position, hears the feed host's head and
     * tells the status; returns all the work done.
     */
    private int afterPoll(int work) {
        int heard = head.poll();
        if (work > 0) {
            replica.savePosition(recordingId, input.position());
        }
        if (work > 0 || heard > 0) {
            status.behind(head.seq(), replica.recordsBehind(head.seq()));
        }
        return work + heard;
    }

    /**
     * Follows the current run's recording from the input's position into its live stream, until it ends:
     * until a run not among the {@code ended} ones' sessions is heard.
     */
    private void followLive(FeedRecording recording, int[] ended) {
        head.forget();
        PersistentSubscription.Context context = new PersistentSubscription.Context()
                .aeron(aeron)
                .aeronArchiveContext(upstream.archiveClient(localAddress))
                .recordingId(recording.recordingId())
                .startPosition(input.position())
                .liveChannel(upstream.subscription() + "|session-id=" + recording.sessionId())
                .liveStreamId(Media.LIVE_STREAM_ID)
                .replayChannel(Media.anyPort(localAddress))
                .replayStreamId(Media.REPLAY_STREAM_ID)
                .listener(new CatchUpLog(upstream, status));
        try (PersistentSubscription subscription = PersistentSubscription.create(context)) {
            while (running && !input.gap()) {
                int work = afterPoll(subscription.poll(input, 256));
                if (subscription.hasFailed()) {
                    // e.g. a stored position past what the archive holds yet, or past the end of a run
                    // that has just died: the next pass lists the recordings again and walks on
                    status.lost();
                    LOG.warning("replication from " + upstream + " failed: " + subscription.failureReason()
                            + "; starting over from the replica's position");
                    return;
                }
                if (head.newRunHeard(recording.sessionId(), ended)) {
                    status.lost();
                    LOG.info("the feed host " + upstream + " has started a new run; catching up from its archive");
                    return;
                }
                idle.idle(work);
            }
        }
    }

    /** What this edge knows about its replication, for readiness and the meters. */
    public UpstreamStatus status() {
        return status;
    }

    /** The replica's last seq as its writer knows it; for tests and logs. */
    public long replicaLastSeq() {
        return replica.lastSeq();
    }

    /** Stops replicating and closes the replica, the Aeron client and the driver; waits up to 10 s. */
    @Override
    public void close() {
        running = false;
        try {
            stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        aeron.close();
        driver.close();
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
