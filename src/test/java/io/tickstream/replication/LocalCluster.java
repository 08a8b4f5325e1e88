package io.tickstream.replication;

import io.tickstream.support.AppProcess;
import io.tickstream.support.External;
import io.tickstream.support.Fixture;
import io.tickstream.support.TestStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cluster on this machine as real processes ({@link AppProcess}), over an origin queue that an
 * in-process simulator of the test's {@link TestStack} writes ({@link #fedBySimulator}): a feed host
 * ({@code publish}) on a free pair of loopback UDP ports, and edges ({@code server --upstream}) on
 * free HTTP ports. Each process has its Aeron directory in the test's directory and logs to
 * {@code NAME-RUN.log} there, a run for each start. Closing stops every process still running
 * (SIGTERM, then SIGKILL). Touched by the test thread only.
 */
final class LocalCluster implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(120);

    private final Path dir;
    private final Path origin;
    private final Fixture.RunningSimulator simulator;
    private final String listen;
    private final List<Edge> edges = new ArrayList<>();
    private External.Running publisher;
    private int publisherRuns;

    private LocalCluster(Path dir, Path origin, Fixture.RunningSimulator simulator) throws Exception {
        this.dir = dir;
        this.origin = origin;
        this.simulator = simulator;
        this.listen = "127.0.0.1:" + External.freeUdpPortPair();
    }

    /**
     * A cluster in {@code dir} over the origin queue {@code dir/origin}, which a simulator the stack
     * starts now writes ({@code rate} messages a second, {@code seed}); no process of the cluster runs
     * yet. The stack closes the cluster, then the simulator.
     */
    static LocalCluster fedBySimulator(TestStack stack, Path dir, int rate, long seed) throws Exception {
        Path origin = dir.resolve("origin");
        Fixture.RunningSimulator simulator = stack.simulator(Fixture.simulator(origin, rate, seed));
        return stack.add(new LocalCluster(dir, origin, simulator));
    }

    /** The queue the simulator writes and the feed host publishes. */
    Path origin() {
        return origin;
    }

    /** The simulator writing the origin. */
    Fixture.RunningSimulator simulator() {
        return simulator;
    }

    /** Starts the feed host (again); it may still be waiting for its archive when this returns. */
    void startPublisher() throws Exception {
        publisher = AppProcess.start(dir.resolve("publish-" + publisherRuns++ + ".log"), "publish",
                "--queue", origin.toString(), "--listen", listen, "--archive-dir", dir.resolve("archive").toString(),
                "--aeron-dir", dir.resolve("aeron-publish").toString());
    }

    /** Stops the feed host with SIGTERM and checks that it closed its archive and exited 0. */
    void stopPublisher() throws Exception {
        publisher.process().destroy();
        if (!publisher.process().waitFor(20, TimeUnit.SECONDS)) {
            throw new AssertionError("publish did not exit within 20 s of SIGTERM:\n" + publisher.output());
        }
        if (publisher.process().exitValue() != 0 || !publisher.output().contains("publish: stopped after")) {
            throw new AssertionError("publish exited " + publisher.process().exitValue() + " on SIGTERM:\n"
                    + publisher.output());
        }
    }

    void killPublisher() throws InterruptedException {
        AppProcess.kill9(publisher);
    }

    /** Starts a new edge, with an empty replica, and waits until it serves (not until it is ready). */
    Edge addEdge() throws Exception {
        return addEdges(1).get(0);
    }

    /** Starts {@code count} new edges at once, and waits until each serves (not until it is ready). */
    List<Edge> addEdges(int count) throws Exception {
        List<Edge> added = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Edge edge = new Edge(edges.size(), External.freePort());
            edges.add(edge);
            added.add(edge);
            edge.launch();
        }
        for (Edge edge : added) {
            edge.awaitStarted();
        }
        return added;
    }

    List<Edge> edges() {
        return edges;
    }

    @Override
    public void close() throws Exception {
        for (Edge edge : edges) {
            if (edge.process != null) {
                edge.process.close();
            }
        }
        if (publisher != null) {
            publisher.close();
        }
    }

    /** One edge: a server with {@code --upstream} on its own replica; started again on the same one. */
    final class Edge {
        final int index;
        final int port;
        final Path replica;
        private External.Running process;
        private int runs;

        private Edge(int index, int port) {
            this.index = index;
            this.port = port;
            this.replica = dir.resolve("replica-" + index);
        }

        /** Starts the edge (again) and waits until it lets WebSockets in. */
        void start() throws Exception {
            launch();
            awaitStarted();
        }

        /** Starts the edge (again), as a supervisor restarting it would; returns at once. */
        void launch() throws Exception {
            process = AppProcess.start(dir.resolve("edge-" + index + "-" + runs++ + ".log"), "server",
                    "--queue", replica.toString(), "--upstream", listen, "--advertise", "127.0.0.1",
                    "--aeron-dir", dir.resolve("aeron-edge-" + index).toString(),
                    "--host", "127.0.0.1", "--port", String.valueOf(port));
        }

        /** Waits until the edge lets WebSockets in. */
        void awaitStarted() throws Exception {
            External.awaitPort(process, port, START);
            Fixture.awaitStarted(port, START);
        }

        /** Kills the edge with SIGKILL, as a machine lost would. */
        void kill9() throws InterruptedException {
            AppProcess.kill9(process);
        }

        /** Waits until {@code /health/ready} answers 200: the edge has caught up with the feed host. */
        void awaitReady() throws InterruptedException {
            Fixture.await(() -> {
                try {
                    return Fixture.get(port, "/health/ready").statusCode() == 200;
                } catch (Exception e) {
                    return false;
                }
            }, START, "edge " + index + " ready");
        }

        /** The open WebSockets the edge counts. */
        double connections() throws Exception {
            return Fixture.metric(port, "tickstream_connections");
        }
    }
}
