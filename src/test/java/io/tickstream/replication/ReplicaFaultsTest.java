package io.tickstream.replication;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.feed.FeedQueue;
import io.tickstream.support.Fixture;
import io.tickstream.support.Replicas;
import io.tickstream.support.SuiteOrder;
import io.tickstream.support.TestStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feed host and an edge as real processes, the origin written by a fast simulator: the edge's
 * replica ends identical to the origin, record for record, after the feed host is stopped (SIGTERM)
 * and killed (SIGKILL, restarted at once: a new run, while the edge may still hold the dead one's
 * image) and the edge is killed
 * (SIGKILL) mid-stream and restarted on its replica.
 */
@Tag(SuiteOrder.LOAD)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReplicaFaultsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Messages a second the simulator writes to the origin. */
    private static final int RATE = 10_000;
    private static final int RECORDS = 100_000;

    /** Kept when the test fails: the processes' logs are there. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    @RegisterExtension
    final TestStack stack = new TestStack();

    @Test
    void replicaEqualsOriginAfterThePublisherIsStoppedAndKilledAndTheEdgeKilled() throws Exception {
        LocalCluster cluster = LocalCluster.fedBySimulator(stack, dir, RATE, 5);
        Path origin = cluster.origin();
        Fixture.RunningSimulator sim = cluster.simulator();
        sim.awaitWritten(1_000, WAIT);
        cluster.startPublisher();
        LocalCluster.Edge edge = cluster.addEdge();
        awaitReplicaHoldsOrigin(edge, origin, "the first catch-up");

        cluster.stopPublisher();
        sim.awaitWritten(RATE / 2, WAIT);   // while the feed host is down
        cluster.startPublisher();
        awaitReplicaHoldsOrigin(edge, origin, "after the publisher's SIGTERM and restart");

        cluster.killPublisher();
        cluster.startPublisher();   // at once: the archive's mark file is the dead publisher's
        awaitReplicaHoldsOrigin(edge, origin, "after the publisher's SIGKILL and restart");

        edge.kill9();
        sim.awaitWritten(RATE / 2, WAIT);   // while the edge is down
        edge.start();
        awaitReplicaHoldsOrigin(edge, origin, "after the edge's SIGKILL and restart");

        Fixture.await(() -> sim.simulator().written() > RECORDS, WAIT, RECORDS + " records in the origin");
        sim.stop();
        long last = Fixture.lastSeq(origin);
        Fixture.await(() -> Fixture.lastSeq(edge.replica) == last, WAIT, "the replica to hold seq " + last);
        int compared = Replicas.assertSameRecords(origin, edge.replica,
                FeedQueue.rollCycle(FeedQueue.DEFAULT_ROLL_CYCLE));
        assertTrue(compared > RECORDS, "a real load: " + compared + " records compared");
        System.out.printf("replica equals origin: %d records%n", compared);
    }

    /** Waits until the replica holds the origin's newest record as of the call. */
    private static void awaitReplicaHoldsOrigin(LocalCluster.Edge edge, Path origin, String what)
            throws InterruptedException {
        long last = Fixture.lastSeq(origin);
        Fixture.await(() -> Fixture.lastSeq(edge.replica) >= last, WAIT,
                "the replica to hold seq " + last + " (" + what + ")");
    }
}
