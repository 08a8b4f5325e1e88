package io.tickstream.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.feed.FeedQueue;
import io.tickstream.support.AppProcess;
import io.tickstream.support.Await;
import io.tickstream.support.External;
import io.tickstream.support.Fixture;
import io.tickstream.support.NetNamespaces.Host;
import io.tickstream.support.NetNamespaces;
import io.tickstream.support.Replicas;
import io.tickstream.support.SuiteOrder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.queue.RollCycle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feed host and two edges on three hosts: real processes, each in a network namespace of its own,
 * joined by a bridge (see {@link NetNamespaces}); the simulator writes the origin queue, which only
 * the feed host reads (it is on the shared file system). Both replicas equal the origin record for
 * record, both edges answer ready to a client on the LAN, and nothing of it went over any host's
 * loopback: every byte crossed the hosts' links. One edge is told its address ({@code --advertise}),
 * the other finds it (the local address that routes to the feed host). Skipped, saying why, where the
 * machine does not allow network namespaces (not root, no {@code ip netns}).
 */
@Tag(SuiteOrder.LOAD)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AcrossHostsTest {

    /** Three JVMs starting at once on a small, busy box may take this long (~100 s seen at load 45 on 2 cores). */
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Records the origin gains once both edges are live, replicated as they come. */
    private static final int LIVE_RECORDS = 3_000;
    private static final int FEED_PORT = 9400;
    /** Every edge's HTTP port: each host has its own ports. */
    private static final int HTTP_PORT = 8080;

    @TempDir
    Path tmp;

    private NetNamespaces net;
    private final List<External.Running> started = new ArrayList<>();

    /** Here, not once per class, so that a machine that does not allow it shows the test skipped, with the reason. */
    @BeforeEach
    void createHosts() throws Exception {
        net = NetNamespaces.create("ts-" + ProcessHandle.current().pid(), "10.215.15", "feed", "edge1", "edge2");
    }

    /** The processes first: a namespace deleted while a process runs in it lives on until that process ends. */
    @AfterEach
    void stopProcessesThenDeleteHosts() throws InterruptedException {
        try {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).close();
            }
        } finally {
            if (net != null) {
                net.close();
            }
        }
    }

    @Test
    void edgesOnOtherHostsReplicateTheFeedRecordForRecordOverTheirLinksOnly() throws Exception {
        Host feed = net.host("feed");
        Host edge1 = net.host("edge1");
        Host edge2 = net.host("edge2");
        Path origin = tmp.resolve("origin");
        Path replica1 = tmp.resolve("replica1");
        Path replica2 = tmp.resolve("replica2");
        String upstream = feed.address() + ":" + FEED_PORT;
        Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(origin, 1_000, 15));
        try {
            sim.awaitWritten(200, WAIT);
            start(feed, "publish", "--queue", origin.toString(), "--listen", upstream,
                    "--archive-dir", tmp.resolve("archive").toString(),
                    "--aeron-dir", tmp.resolve("aeron-feed").toString());
            start(edge1, "server", "--queue", replica1.toString(), "--upstream", upstream,
                    "--advertise", edge1.address(), "--port", String.valueOf(HTTP_PORT),
                    "--aeron-dir", tmp.resolve("aeron-edge1").toString());
            start(edge2, "server", "--queue", replica2.toString(), "--upstream", upstream,
                    "--port", String.valueOf(HTTP_PORT), "--aeron-dir", tmp.resolve("aeron-edge2").toString());

            awaitReady(edge1);
            awaitReady(edge2);
            Fixture.awaitQueueGrowth(origin, LIVE_RECORDS, WAIT);
        } finally {
            sim.stop();
        }
        long last = Fixture.lastSeq(origin);
        int records = Fixture.queueSeqs(origin).size();
        awaitReplica(replica1, last);
        awaitReplica(replica2, last);
        RollCycle rollCycle = FeedQueue.rollCycle(FeedQueue.DEFAULT_ROLL_CYCLE);
        Replicas.assertSameRecords(origin, replica1, rollCycle, records);
        Replicas.assertSameRecords(origin, replica2, rollCycle, records);

        long recordBytes = Replicas.recordBytes(origin, rollCycle);
        for (Host host : List.of(feed, edge1, edge2)) {
            assertEquals(0, net.received(host, "lo").packets(),
                    host.name() + ": nothing over its loopback (its link got " + net.received(host, "eth0") + ")");
        }
        for (Host edge : List.of(edge1, edge2)) {
            assertTrue(net.received(edge, "eth0").bytes() > recordBytes,
                    edge.name() + ": the records' " + recordBytes + " bytes came over its link");
        }
    }

    private void start(Host host, String... args) throws Exception {
        started.add(AppProcess.startUnder(host.exec(), tmp.resolve(host.name() + ".log"), args));
    }

    /** Waits until a client on the LAN gets 200 from the edge's /health/ready. */
    private void awaitReady(Host edge) throws InterruptedException {
        String url = "http://" + edge.address() + ":" + HTTP_PORT + "/health/ready";
        String[] lastAnswer = {"no answer"};
        Await.result(() -> {
            assertAlive();
            String out = NetNamespaces.run(net.fromLan(External.require("curl"), "-s", "--max-time", "5",
                    "-w", "\n%{http_code}", url));
            lastAnswer[0] = out.strip();
            return out.endsWith("\n200") ? Boolean.TRUE : null;
        }, START, () -> edge.name() + " not ready after " + START + ": " + lastAnswer[0] + logs());
    }

    private void awaitReplica(Path replica, long last) throws InterruptedException {
        Await.result(() -> {
            assertAlive();
            return Fixture.lastSeq(replica) == last ? Boolean.TRUE : null;
        }, WAIT, () -> replica.getFileName() + " does not hold the origin's last record " + last + " after " + WAIT
                + logs());
    }

    /** The end of every process's output, for a failure's message. */
    private String logs() {
        StringBuilder out = new StringBuilder();
        for (External.Running p : started) {
            try {
                List<String> lines = Files.readAllLines(p.log());
                out.append("\n--- ").append(p.log().getFileName()).append(" ---\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
            } catch (IOException e) {
                out.append("\n(").append(p.log()).append(": ").append(e).append(')');
            }
        }
        return out.toString();
    }

    private void assertAlive() throws Exception {
        for (External.Running p : started) {
            if (!p.process().isAlive()) {
                throw new AssertionError(p.log().getFileName() + " exited " + p.process().exitValue() + ":\n"
                        + p.output());
            }
        }
    }
}
