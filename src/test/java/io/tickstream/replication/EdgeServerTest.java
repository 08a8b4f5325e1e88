package io.tickstream.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.feed.FeedQueue;
import io.tickstream.support.External;
import io.tickstream.support.Fixture;
import io.tickstream.support.TestStack;
import io.tickstream.support.WsClient;
import io.vertx.core.http.UpgradeRejectedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server started with {@code --upstream} (an edge): its queue is a replica of the feed host's, it is
 * ready only while it keeps up, and it says why not when the feed host is gone; when the feed host
 * returns it catches up and is ready again, its replica the origin's seq for seq.
 */
class EdgeServerTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void anEdgeServesTheReplicaAndIsReadyOnlyWhileItsUpstreamIsThere() throws Exception {
        Path origin = tmp.resolve("origin");
        Path replica = tmp.resolve("replica");
        Endpoint listen = new Endpoint("127.0.0.1", External.freeUdpPortPair());
        Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(origin, 400, 7));
        ServerMain edge = null;
        Thread publisherThread = null;
        FeedPublisher publisher = null;
        try {
            Fixture.awaitQueueGrowth(origin, 200, WAIT);
            publisher = publish(origin, listen);
            publisherThread = run(publisher);
            edge = Fixture.startServer(edgeConfig(replica, listen));
            ServerMain server = edge;
            int port = edge.port();
            Fixture.await(server::ready, WAIT, "the edge ready once caught up");
            Fixture.awaitTopics(port, 10, WAIT);
            assertTrue(Fixture.metric(port, "tickstream_upstream_records_total") > 0, "records replicated, counted");
            Fixture.await(() -> {
                try {
                    return Fixture.metric(port, "tickstream_upstream_delay_seconds_count") > 0;
                } catch (Exception e) {
                    return false;
                }
            }, WAIT, "the delay of live records measured");

            publisher.stop();
            publisherThread.join(10_000);
            Fixture.await(() -> !server.ready(), WAIT, "the edge not ready with its upstream gone");
            Fixture.await(() -> readiness(port).contains("upstream stale: nothing from " + listen), WAIT,
                    "readiness to name the lost upstream");
            assertEquals(503, Fixture.get(port, "/health/ready").statusCode());
            assertEquals(200, Fixture.get(port, "/api/topics").statusCode(), "still serving what it holds");

            publisher = publish(origin, listen);
            publisherThread = run(publisher);
            Fixture.await(server::ready, WAIT, "the edge ready again after catching up");

            sim.stop();
            long last = Fixture.lastSeq(origin);
            Fixture.await(() -> Fixture.lastSeq(replica) == last, WAIT, "the replica holds the origin's last record");
            List<Long> originSeqs = Fixture.queueSeqs(origin);
            assertEquals(originSeqs, Fixture.queueSeqs(replica), "the replica has the origin's seqs, no gap or duplicate");
            Fixture.await(() -> {
                try {
                    return Fixture.metric(port, "tickstream_upstream_lag_records") == 0;
                } catch (Exception e) {
                    return false;
                }
            }, WAIT, "caught up: no record behind the feed host's newest");
        } finally {
            sim.stop();
            if (edge != null) {
                edge.close();
            }
            if (publisher != null) {
                publisher.stop();
            }
        }
    }

    @Test
    void anEdgeWhoseUpstreamIsNotThereServesAndSaysSo() throws Exception {
        Endpoint nobody = new Endpoint("127.0.0.1", External.freeUdpPortPair());
        try (ServerMain edge = Fixture.startServer(edgeConfig(tmp.resolve("replica"), nobody));
             TestStack stack = new TestStack()) {
            assertEquals(503, Fixture.get(edge.port(), "/health/ready").statusCode());
            assertEquals("{\"status\":\"upstream " + nobody + " not reached yet\"}", readiness(edge.port()));
            assertEquals(200, Fixture.get(edge.port(), "/health/live").statusCode());
            // behind a balancer the client is better served by an edge that holds the feed
            UpgradeRejectedException refused = assertThrows(UpgradeRejectedException.class,
                    () -> WsClient.connect(stack.client(), edge.port()).close());
            assertEquals(503, refused.getStatus());
            assertEquals("{\"status\":503,\"reason\":\"upstream " + nobody + " not reached yet\"}",
                    refused.getBody().toString());
        }
    }

    @Test
    void anEdgeWhoseReplicaHasAnotherRollCycleThanItsUpstreamSaysWhatToDo() throws Exception {
        Path origin = tmp.resolve("origin");
        Endpoint listen = new Endpoint("127.0.0.1", External.freeUdpPortPair());
        FeedQueue.openForWriting(origin, FeedQueue.rollCycle("HALF_HOURLY"), 0).close();
        SingleChronicleQueue queue = FeedQueue.openForReading(origin, FeedQueue.rollCycle("HALF_HOURLY"));
        FeedPublisher publisher = FeedPublisher.start(queue, "HALF_HOURLY", listen, tmp.resolve("archive"),
                tmp.resolve("aeron-publish"), 1);
        Thread publishing = run(publisher);
        try (ServerMain edge = Fixture.startServer(edgeConfig(tmp.resolve("replica"), listen))) {
            Fixture.await(() -> readiness(edge.port()).contains("roll cycle HALF_HOURLY but the replica FAST_DAILY: "
                    + "start this edge on an empty directory with --roll-cycle HALF_HOURLY"), WAIT,
                    "readiness to say what to do");
        } finally {
            publisher.stop();
            publishing.join(10_000);
        }
    }

    private ServerConfig edgeConfig(Path replica, Endpoint upstream) {
        return Fixture.server(replica).with(ServerConfig.UPSTREAM, upstream.toString())
                .with(ServerConfig.ADVERTISE, "127.0.0.1").with(ServerConfig.AERON_DIR, tmp.resolve("aeron-edge"));
    }

    private static String readiness(int port) {
        try {
            return Fixture.get(port, "/health/ready").body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private FeedPublisher publish(Path origin, Endpoint listen) {
        SingleChronicleQueue queue = FeedQueue.openForReading(origin, FeedQueue.rollCycle(FeedQueue.DEFAULT_ROLL_CYCLE));
        return FeedPublisher.start(queue, FeedQueue.nameOf(queue.rollCycle()), listen, tmp.resolve("archive"),
                tmp.resolve("aeron-publish"), 1);
    }

    private static Thread run(FeedPublisher publisher) {
        Thread t = new Thread(publisher::run, "test-publisher");
        t.start();
        return t;
    }
}
