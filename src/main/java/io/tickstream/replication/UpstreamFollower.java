package io.tickstream.replication;

import io.aeron.Aeron;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.PersistentSubscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.tickstream.feed.MicroClock;
import io.tickstream.feed.QueueCodec;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

/**
 * An edge's replication: follows the feed host ({@link FeedPublisher}) into the local replica
 * ({@link ReplicaWriter}). It catches up from the feed host's archive, starting where the replica's
 * stored position says, then merges into the live stream (Aeron's {@link PersistentSubscription}),
 * and does so again after any loss of the live stream. The replica's own check ({@code prevSeq})
 * guards against a gap: on one, or on any failure, it starts over from the stored position a second
 * later; records the replica holds are skipped.
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
    private final LongConsumer delay;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    private final UpstreamStatus status;

    /** Where the current subscription's messages stand; the replication thread's only. */
    private long recordingId = -1;
    private long position;
    private boolean gap;
    private boolean startFromScratch;
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
                                         int retainCycles, Path aeronDir, long idleMs, LongConsumer delay) {
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

    /** How to reach the feed host's archive; answers come to {@code local}. */
    private static AeronArchive.Context archiveContext(Endpoint upstream, String local) {
        return new AeronArchive.Context()
                .controlRequestChannel(upstream.archiveControl())
                .controlResponseChannel("aeron:udp?endpoint=" + local + ":0");
    }

    private UpstreamFollower(Endpoint upstream, String localAddress, MediaDriver driver, Aeron aeron,
                             ReplicaWriter replica, long idleMs, LongConsumer delay) {
        this.delay = delay;
        this.upstream = upstream;
        this.status = new UpstreamStatus(upstream);
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

    /** One subscription, from the stored position until it fails, a gap shows or the follower stops. */
    private void follow() {
        FeedRecording recording;
        try (AeronArchive archive = connectArchive()) {
            if (archive == null) {
                return;   // stopped while connecting
            }
            recording = FeedRecording.find(archive);
        }
        if (recording == null) {
            return;   // the feed host has not recorded anything yet
        }
        if (!recording.rollCycle().equals(ReplicaWriter.rollCycleOf(replica))) {
            String why = "the upstream's queue has roll cycle " + recording.rollCycle() + " but the replica "
                    + ReplicaWriter.rollCycleOf(replica) + ": start this edge on an empty directory with --roll-cycle "
                    + recording.rollCycle();
            status.broken(why);
            LOG.severe(why);
            return;
        }
        ReplicaWriter.StoredPosition stored = replica.storedPosition();
        long start = stored != null && stored.recordingId() == recording.recordingId() && !startFromScratch
                ? stored.position() : PersistentSubscription.FROM_START;
        startFromScratch = false;
        recordingId = recording.recordingId();
        gap = false;
        status.replaying();
        PersistentSubscription.Context context = new PersistentSubscription.Context()
                .aeron(aeron)
                .aeronArchiveContext(archiveContext(upstream, localAddress))
                .recordingId(recordingId)
                .startPosition(start)
                .liveChannel(upstream.subscription())
                .liveStreamId(Media.LIVE_STREAM_ID)
                .replayChannel("aeron:udp?endpoint=" + localAddress + ":0")
                .replayStreamId(Media.REPLAY_STREAM_ID)
                .listener(new CatchUpLog(upstream, status));
        FragmentHandler handler = this::onMessage;
        try (PersistentSubscription subscription = PersistentSubscription.create(context)) {
            while (running && !gap) {
                int work = subscription.poll(handler, 256);
                int heard = head.poll();
                if (work > 0) {
                    replica.savePosition(recordingId, position);
                }
                if (work > 0 || heard > 0) {
                    status.behind(head.seq(), replica.recordsBehind(head.seq()));
                }
                work += heard;
                if (subscription.hasFailed()) {
                    status.lost();
                    Exception why = subscription.failureReason();
                    // a stored position the recording does not have (the archive was replaced): read
                    // it all again next time, skipping what the replica holds
                    startFromScratch = why != null && String.valueOf(why.getMessage()).contains("position");
                    LOG.warning("replication from " + upstream + " failed: " + subscription.failureReason()
                            + "; starting over from the replica's position");
                    return;
                }
                idle.idle(work);
            }
        }
        if (gap) {
            status.lost();
        }
    }

    /**
     * Connects to the feed host's archive, polling so that a stop is seen at once rather than after
     * Aeron's connect timeout (10 s) when the feed host is not there; {@code null} once stopped. A
     * connect that times out throws, as a blocking one would.
     */
    private AeronArchive connectArchive() {
        try (AeronArchive.AsyncConnect connect =
                     AeronArchive.asyncConnect(archiveContext(upstream, localAddress).aeron(aeron))) {
            while (running) {
                AeronArchive archive = connect.poll();
                if (archive != null) {
                    return archive;
                }
                idle.idle();
            }
            return null;
        }
    }

    private void onMessage(DirectBuffer buffer, int offset, int length, Header header) {
        if (gap) {
            return;
        }
        if (Frame.type(buffer, offset) == Frame.DATA) {
            ReplicaWriter.Applied applied = replica.apply(buffer, offset, length);
            if (applied == ReplicaWriter.Applied.GAP) {
                LOG.warning("replication from " + upstream + ": record " + Frame.seq(buffer, offset) + " follows "
                        + Frame.prevSeq(buffer, offset) + " but the replica ends at " + replica.lastSeq()
                        + "; starting over from the replica's position");
                gap = true;
                return;
            }
            if (applied == ReplicaWriter.Applied.WRITTEN) {
                status.written();
                if (status.live() && length >= Frame.HEADER_LENGTH + QueueCodec.TS_OFFSET + Long.BYTES) {
                    long ts = buffer.getLong(offset + Frame.HEADER_LENGTH + QueueCodec.TS_OFFSET, ByteOrder.LITTLE_ENDIAN);
                    delay.accept(MicroClock.nowMicros() - ts);
                }
            }
        }
        status.received(Frame.sentMicros(buffer, offset));
        position = header.position();
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
