package io.tickstream.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.logbuffer.Header;
import io.tickstream.feed.FeedQueue;
import io.tickstream.feed.QueueFiles;
import io.tickstream.feed.QueueCodec;
import io.tickstream.feed.Tick;
import io.tickstream.support.Await;
import io.tickstream.support.External;
import io.tickstream.support.Replicas;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A feed host and an edge in this JVM, each with its own real Aeron driver, over loopback UDP: the
 * replica holds the origin's records at the origin's indexes, byte for byte, across roll-overs, a
 * publisher restart and an edge restart, and through the recordings of several feed host runs.
 */
class ReplicationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void replicaEqualsOriginAcrossRollsPublisherRestartAndEdgeRestart() throws Exception {
        Origin origin = openOrigin();
        Path replica = tmp.resolve("replica");
        Endpoint listen = new Endpoint("127.0.0.1", External.freeUdpPortPair());
        origin.append(5_000);
        rollOver(origin.writer);
        origin.append(5_000);

        Running publisher = publish(origin.dir, listen);
        UpstreamFollower edge = follow(listen, replica);
        awaitReplica(edge, origin.writer, "the first catch-up");
        UpstreamFollower first = edge;
        Await.until(first.status()::live, WAIT, "the edge joins the live stream after catching up");
        assertEquals(1, edge.status().catchUps(), "one catch-up");
        assertCaughtUpWithTheHead(edge, origin.writer, "after the first catch-up");

        origin.append(3_000);   // live
        awaitReplica(edge, origin.writer, "live records");

        publisher.stop();
        origin.append(3_000);   // while the feed host is down
        rollOver(origin.writer);
        origin.append(1_000);
        publisher = publish(origin.dir, listen);
        awaitReplica(edge, origin.writer, "after the publisher's restart");

        edge.close();
        open.remove(edge);
        origin.append(3_000);   // while the edge is down
        edge = follow(listen, replica);
        awaitReplica(edge, origin.writer, "after the edge's restart");
        assertNull(edge.status().notReady(), "caught up: ready");
        assertCaughtUpWithTheHead(edge, origin.writer, "after the edge's restart");

        Replicas.assertSameRecords(origin.dir, replica, TestRollCycles.TEST_SECONDLY, origin.written);
        publisher.stop();
    }

    @Test
    void anEdgeDownAcrossTwoFeedHostRunsReadsEachRunsRecordingInOrderThenGoesLive() throws Exception {
        RunOne one = runOneWhileAnEdgeFollowsThenStops();
        Origin origin = one.origin();
        Path replica = one.replica();
        Endpoint listen = one.listen();
        Running publisher = one.publisher();

        origin.append(1_000);   // run 1 records them while the edge is down
        awaitPublished(publisher, origin.writer);
        publisher.stop();
        origin.append(1_000);
        publisher = publish(origin.dir, listen);   // run 2: a recording of its own
        awaitPublished(publisher, origin.writer);
        publisher.stop();
        origin.append(1_000);
        publish(origin.dir, listen);   // run 3, going on

        UpstreamFollower edge = follow(listen, replica);
        awaitReplica(edge, origin.writer, "the rest of run 1, run 2, then run 3");
        Await.until(edge.status()::live, WAIT, "the edge joins run 3's live stream");
        origin.append(500);
        awaitReplica(edge, origin.writer, "run 3, live");
        Replicas.assertSameRecords(origin.dir, replica, TestRollCycles.TEST_SECONDLY, origin.written);
    }

    @Test
    void anEdgeThatReceivedMoreOfADeadRunThanItsRecordingHoldsGoesOnWithTheNextRun() throws Exception {
        RunOne one = runOneWhileAnEdgeFollowsThenStops();
        Origin origin = one.origin();
        Path replica = one.replica();
        one.publisher().stop();
        // as a feed host killed with kill -9 leaves it: its edges received more than its archive recorded
        try (ReplicaWriter writer = ReplicaWriter.open(replica, "TEST_SECONDLY")) {
            ReplicaWriter.StoredPosition stored = writer.storedPosition();
            writer.savePosition(stored.recordingId(), stored.position() + Media.TERM_LENGTH);
        }

        origin.append(1_000);
        publish(origin.dir, one.listen());   // run 2 continues after run 1's last recorded record
        UpstreamFollower edge = follow(one.listen(), replica);
        awaitReplica(edge, origin.writer, "run 2");
        Replicas.assertSameRecords(origin.dir, replica, TestRollCycles.TEST_SECONDLY, origin.written);
    }

    @Test
    void anEdgeCatchingUpCountsTheRecordsItLacksThenNone() throws Exception {
        Origin origin = openOrigin();
        origin.append(100_000);
        Endpoint listen = new Endpoint("127.0.0.1", External.freeUdpPortPair());
        publish(origin.dir, listen);
        UpstreamFollower edge = follow(listen, tmp.resolve("replica"));
        long[] most = {0};
        Await.until(() -> {
            most[0] = Math.max(most[0], edge.status().recordsBehind());
            return edge.replicaLastSeq() == origin.writer.lastIndex();
        }, WAIT, "the replica holds every record");
        assertTrue(most[0] > 0, "records behind the head were counted during the catch-up: " + most[0]);
        assertCaughtUpWithTheHead(edge, origin.writer, "after the catch-up");
    }

    @Test
    void anEdgeKeepsTheNewestReplicaFilesItIsToldTo() throws Exception {
        Origin origin = openOrigin();
        Path replica = tmp.resolve("replica");
        Endpoint listen = new Endpoint("127.0.0.1", External.freeUdpPortPair());
        publish(origin.dir, listen);
        UpstreamFollower edge = follow(listen, replica, 2);
        for (int cycle = 0; cycle < 4; cycle++) {
            origin.append(500);
            awaitReplica(edge, origin.writer, "cycle " + cycle);
            rollOver(origin.writer);
        }
        assertEquals(4, QueueFiles.cycleFiles(origin.dir).size(), "the origin keeps every file");
        assertEquals(2, QueueFiles.cycleFiles(replica).size(), "the replica keeps the newest two");
        assertEquals(origin.writer.lastIndex(), edge.replicaLastSeq(), "and the newest record");
    }

    @Test
    void aReplicaOfAnotherRollCycleIsRefusedWithTheReason() {
        Path replica = tmp.resolve("replica");
        FeedQueue.openForWriting(replica, FeedQueue.rollCycle("FAST_DAILY"), 0).close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ReplicaWriter.open(replica, "TEST_SECONDLY"));
        assertTrue(e.getMessage().contains("roll cycle FAST_DAILY") && e.getMessage().contains(replica.toString()),
                e.getMessage());
    }

    @Test
    void aSecondPublisherOnABusyArchiveIsRefusedAtOnceWithTheReason() throws Exception {
        Path origin = tmp.resolve("origin");
        open.add(FeedQueue.openForWriting(origin, TestRollCycles.TEST_SECONDLY, 0));
        publish(origin, new Endpoint("127.0.0.1", External.freeUdpPortPair()));
        SingleChronicleQueue queue = FeedQueue.openForReading(origin, TestRollCycles.TEST_SECONDLY);
        open.add(queue);
        FeedPublisher.PublishException e = assertThrows(FeedPublisher.PublishException.class,
                () -> FeedPublisher.start(queue, "TEST_SECONDLY", new Endpoint("127.0.0.1", External.freeUdpPortPair()),
                        tmp.resolve("archive"), tmp.resolve("aeron-second"), 1));
        assertEquals("archive " + tmp.resolve("archive") + " is in use by another publisher: stop it, or use another"
                + " --archive-dir", e.getMessage());
    }

    @Test
    void aRecordThatDoesNotFollowTheReplicaIsAGapAndNotWritten() throws Exception {
        Path replica = tmp.resolve("replica");
        try (ReplicaWriter writer = ReplicaWriter.open(replica, "FAST_DAILY")) {
            long base = FeedQueue.rollCycle("FAST_DAILY").toIndex(20_000, 0);
            assertEquals(ReplicaWriter.Applied.WRITTEN, writer.apply(frame(base, -1), 0, FRAME));
            assertEquals(ReplicaWriter.Applied.WRITTEN, writer.apply(frame(base + 1, base), 0, FRAME));
            assertEquals(ReplicaWriter.Applied.SKIPPED, writer.apply(frame(base + 1, base), 0, FRAME));
            assertEquals(ReplicaWriter.Applied.GAP, writer.apply(frame(base + 3, base + 2), 0, FRAME));
            assertEquals(base + 1, writer.lastSeq());
        }
    }

    @Test
    void aRecordDamagedOnTheWayIsRefusedAndNotWritten() throws Exception {
        try (ReplicaWriter writer = ReplicaWriter.open(tmp.resolve("replica"), "FAST_DAILY")) {
            long base = FeedQueue.rollCycle("FAST_DAILY").toIndex(20_000, 0);
            assertEquals(ReplicaWriter.Applied.WRITTEN, writer.apply(frame(base, -1), 0, FRAME));
            UnsafeBuffer damaged = frame(base + 1, base);
            damaged.putByte(Frame.HEADER_LENGTH + 3, (byte) 0);   // one byte of the record, after its checksum
            assertEquals(ReplicaWriter.Applied.DAMAGED, writer.apply(damaged, 0, FRAME));
            assertEquals(base, writer.lastSeq(), "nothing written");
            assertEquals(ReplicaWriter.Applied.WRITTEN, writer.apply(frame(base + 1, base), 0, FRAME),
                    "the same record intact, read again");
        }
    }

    @Test
    void aFrameOfAVersionNotKnownHereStopsTheEdgeWithTheReasonAndWritesNothing() throws Exception {
        Endpoint upstream = new Endpoint("127.0.0.1", 40_100);
        try (ReplicaWriter writer = ReplicaWriter.open(tmp.resolve("replica"), "FAST_DAILY")) {
            UpstreamStatus status = new UpstreamStatus(upstream);
            ReplicaInput input = new ReplicaInput(upstream, writer, status, micros -> { });
            UnsafeBuffer newer = frame(FeedQueue.rollCycle("FAST_DAILY").toIndex(20_000, 0), -1);
            newer.putInt(4, Frame.VERSION + 1, ByteOrder.LITTLE_ENDIAN);   // from a feed host of a later release
            input.onFragment(newer, 0, FRAME, new Header(0, 0));
            assertTrue(input.gap(), "nothing more taken");
            assertEquals(-1, writer.lastSeq(), "nothing written");
            assertEquals("the upstream 127.0.0.1:40100 sends replication frames of version " + (Frame.VERSION + 1)
                    + "; this edge reads versions 1 to " + Frame.VERSION + ": upgrade the edges before the feed host",
                    status.notReady());
        }
    }

    @Test
    void aVersion1FrameFromAnArchiveRecordedBeforeTheChecksumIsWritten() throws Exception {
        try (ReplicaWriter writer = ReplicaWriter.open(tmp.resolve("replica"), "FAST_DAILY")) {
            long base = FeedQueue.rollCycle("FAST_DAILY").toIndex(20_000, 0);
            UnsafeBuffer v1 = new UnsafeBuffer(new byte[Frame.V1_HEADER_LENGTH + 8]);
            v1.putInt(0, Frame.DATA, ByteOrder.LITTLE_ENDIAN);
            v1.putInt(4, 1, ByteOrder.LITTLE_ENDIAN);
            v1.putLong(8, base, ByteOrder.LITTLE_ENDIAN);
            v1.putLong(16, -1, ByteOrder.LITTLE_ENDIAN);
            v1.putLong(Frame.V1_HEADER_LENGTH, 0x0102030405060708L);
            assertEquals(ReplicaWriter.Applied.WRITTEN, writer.apply(v1, 0, v1.capacity()));
            assertEquals(ReplicaWriter.Applied.WRITTEN, writer.apply(frame(base + 1, base), 0, FRAME),
                    "then version 2, as the feed host's next run sends");
            assertEquals(base + 1, writer.lastSeq());
        }
    }

    @Test
    void theSameGapThreePassesInARowStopsTheEdgeWithTheReason() throws Exception {
        Endpoint upstream = new Endpoint("127.0.0.1", 40_100);
        try (ReplicaWriter writer = ReplicaWriter.open(tmp.resolve("replica"), "FAST_DAILY")) {
            long base = FeedQueue.rollCycle("FAST_DAILY").toIndex(20_000, 0);
            writer.apply(frame(base, -1), 0, FRAME);
            UpstreamStatus status = new UpstreamStatus(upstream);
            ReplicaInput input = new ReplicaInput(upstream, writer, status, micros -> { });
            for (int pass = 1; pass <= 3; pass++) {
                input.resume(4_096);   // each pass from the same stored position
                input.onFragment(frame(base + 3, base + 2), 0, FRAME, new Header(0, 0));
                assertTrue(input.gap(), "pass " + pass + " stops at the gap");
                assertEquals(pass == 3, status.isBroken(), "pass " + pass);
            }
            assertEquals("the upstream 127.0.0.1:40100's archive does not continue this replica after seq " + base
                    + " (a record missing or damaged there): start this edge on an empty replica directory",
                    status.notReady());
        }
    }

    @Test
    void theRecordsBehindTheHeadAreCountedWithinACycleAndAtLeastTheHeadsCycleAcrossARoll() throws Exception {
        RollCycle cycle = FeedQueue.rollCycle("FAST_DAILY");
        long base = cycle.toIndex(20_000, 0);
        try (ReplicaWriter writer = ReplicaWriter.open(tmp.resolve("replica"), "FAST_DAILY")) {
            assertEquals(6, writer.recordsBehind(base + 5), "an empty replica: the head's cycle up to it");
            writer.apply(frame(base, -1), 0, FRAME);
            assertEquals(0, writer.recordsBehind(base), "holding the head");
            assertEquals(0, writer.recordsBehind(-1), "no head heard yet");
            assertEquals(7, writer.recordsBehind(base + 7), "the same cycle");
            assertEquals(3, writer.recordsBehind(cycle.toIndex(20_001, 2)), "the next cycle: its records only");
        }
    }

    /** The edge heard the feed host's newest seq on the live stream, and lacks none of it. */
    private static void assertCaughtUpWithTheHead(UpstreamFollower edge, SingleChronicleQueue origin, String what)
            throws InterruptedException {
        long last = origin.lastIndex();
        Await.until(() -> edge.status().headSeq() == last, WAIT, "the head heard as seq " + last + " (" + what + ")");
        assertEquals(0, edge.status().recordsBehind(), "no record behind the head (" + what + ")");
    }

    /** A DATA frame's length in these tests: the header and an 8-byte record. */
    private static final int FRAME = Frame.HEADER_LENGTH + 8;

    /** A DATA frame with an 8-byte record (1 to 8) and its checksum. */
    private static UnsafeBuffer frame(long seq, long prevSeq) {
        byte[] bytes = new byte[FRAME];
        for (int i = 0; i < 8; i++) {
            bytes[Frame.HEADER_LENGTH + i] = (byte) (i + 1);
        }
        UnsafeBuffer b = new UnsafeBuffer(bytes);
        Frame.putHeader(b, Frame.DATA, seq, prevSeq, 1,
                Frame.checksum(new CRC32C(), bytes, Frame.HEADER_LENGTH, 8));
        return b;
    }

    /** A publisher running on its own thread. */
    private record Running(FeedPublisher publisher, Thread thread) {
        void stop() throws InterruptedException {
            publisher.stop();
            thread.join(10_000);
            assertFalse(thread.isAlive(), "the publisher stopped");
        }
    }

    private Running publish(Path origin, Endpoint listen) {
        SingleChronicleQueue queue = FeedQueue.openForReading(origin, TestRollCycles.TEST_SECONDLY);
        FeedPublisher p = FeedPublisher.start(queue, FeedQueue.nameOf(queue.rollCycle()), listen,
                tmp.resolve("archive"), tmp.resolve("aeron-publish"), 1);
        Thread t = new Thread(p::run, "test-publisher");
        t.start();
        Running running = new Running(p, t);
        open.add(() -> {
            if (t.isAlive()) {
                running.stop();
            }
        });
        return running;
    }

    private UpstreamFollower follow(Endpoint listen, Path replica) {
        return follow(listen, replica, 0);
    }

    private UpstreamFollower follow(Endpoint listen, Path replica, int retainCycles) {
        UpstreamFollower f = UpstreamFollower.start(listen, "127.0.0.1", replica, "TEST_SECONDLY", retainCycles,
                tmp.resolve("aeron-edge"), 1, micros -> { });
        open.add(f);
        return f;
    }

    /** A feed host's first run, the origin, and the replica of an edge that followed it, then stopped. */
    private record RunOne(Origin origin, Path replica, Endpoint listen, Running publisher) {
    }

    private RunOne runOneWhileAnEdgeFollowsThenStops() throws Exception {
        Origin origin = openOrigin();
        Path replica = tmp.resolve("replica");
        Endpoint listen = new Endpoint("127.0.0.1", External.freeUdpPortPair());
        origin.append(2_000);
        Running publisher = publish(origin.dir, listen);
        UpstreamFollower edge = follow(listen, replica);
        awaitReplica(edge, origin.writer, "run 1");
        edge.close();
        open.remove(edge);
        return new RunOne(origin, replica, listen, publisher);
    }

    /** Waits until the publisher has published the origin's last record. */
    private static void awaitPublished(Running publisher, SingleChronicleQueue origin) throws InterruptedException {
        long last = origin.lastIndex();
        Await.until(() -> publisher.publisher().lastSeq() == last, WAIT, "seq " + last + " published");
    }

    private static void awaitReplica(UpstreamFollower edge, SingleChronicleQueue origin, String what)
            throws InterruptedException {
        long last = origin.lastIndex();
        Await.until(() -> edge.replicaLastSeq() == last, WAIT, "the replica holds every record (" + what + ")");
    }

    /** An origin queue (TEST_SECONDLY) open for appending; closed after the test. Test thread only. */
    private static final class Origin {
        final Path dir;
        final SingleChronicleQueue writer;
        final ExcerptAppender appender;
        /** Records appended so far. */
        int written;

        Origin(Path dir, SingleChronicleQueue writer) {
            this.dir = dir;
            this.writer = writer;
            this.appender = writer.createAppender();
        }

        /** Appends {@code n} ticks. */
        void append(int n) {
            for (int i = 0; i < n; i++) {
                int k = written++;
                Tick t = new Tick(k, "S" + (k % 7), 100 + k % 13, 101, 100.5, 1 + k % 5, k);
                try (DocumentContext dc = appender.writingDocument()) {
                    QueueCodec.write(t, dc.wire().bytes());
                }
            }
        }
    }

    private Origin openOrigin() {
        Path dir = tmp.resolve("origin");
        SingleChronicleQueue writer = FeedQueue.openForWriting(dir, TestRollCycles.TEST_SECONDLY, 0);
        open.add(writer);
        Origin origin = new Origin(dir, writer);
        open.add(origin.appender);
        return origin;
    }

    /** Waits until the wall clock is in the queue's next cycle, so the next record starts a new cycle file. */
    private static void rollOver(SingleChronicleQueue queue) throws InterruptedException {
        int cycle = queue.cycle();
        Await.until(() -> queue.cycle() != cycle, Duration.ofSeconds(5), "the next cycle");
    }
}
