package io.tickstream.faults;

import static io.tickstream.support.ResumingClients.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.feed.Sequenced;
import io.tickstream.support.AppProcess;
import io.tickstream.support.Await;
import io.tickstream.support.External;
import io.tickstream.support.Fixture;
import io.tickstream.support.RawWebSocket;
import io.tickstream.support.ResumingClient;
import io.tickstream.support.ResumingClients;
import io.tickstream.support.SuiteOrder;
import io.tickstream.support.TestStack;
import io.tickstream.support.WsClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failures that really happen, with real processes: the feed killed with SIGKILL and
 * restarted, the server stopped with SIGTERM. Nothing that reached the queue is lost or
 * delivered twice. Bounded in time; every process started here is stopped here.
 */
@Tag(SuiteOrder.LOAD)
class FaultsTest {

    /** Resuming clients in the kill tests, on two event loops of the test's Vert.x. */
    private static final int CLIENTS = 1_000;
    /**
     * The simulator's messages a second in the kill tests: with a thousand subscribers of
     * everything, 100,000 deliveries a second, plus each kill's outage replayed to every client.
     */
    private static final int FEED_RATE = 100;

    @TempDir
    Path dir;
    /** The test's Vert.x and WebSocket client, closed after each test. */
    @RegisterExtension
    final TestStack stack = new TestStack();

    /**
     * SIGTERM ends the process with 0 within the drain time plus one second, whatever the clients
     * do: here one client never reads its socket (its TCP window and the server's write queue are
     * full, so its close frame cannot be written), and a reading client still gets its 1001.
     */
    @Test
    void shouldDrainOnSigtermClosingClientsWith1001AndExitingWithZeroWithinTheDrainTime() throws Exception {
        Path queue = dir.resolve("queue");
        int port = External.freePort();
        long drainMs = 2000;
        // fast enough to fill the stalled client's socket buffers (some MB) within seconds
        Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(queue, 5000, 1));
        // the stalled client must still be connected at the signal, not cut as a slow consumer before it
        External.Running server = AppProcess.start(dir.resolve("server.log"), "server", "--queue", queue.toString(),
                "--port", String.valueOf(port), "--host", "127.0.0.1", "--drain-ms", String.valueOf(drainMs),
                "--slow-consumer-grace-ms", "600000", "--stall-timeout-ms", "600000");
        try {
            External.awaitPort(server, port, Duration.ofSeconds(30));
            Fixture.awaitStarted(port, Duration.ofSeconds(30));
            try (RawWebSocket stalled = RawWebSocket.connect(port, 4096); WsClient c = WsClient.connect(stack.client(), port)) {
                stalled.send(RawWebSocket.frame(true, RawWebSocket.TEXT,
                        Fixture.subscribeAll("stalled").encode().getBytes(StandardCharsets.UTF_8)));
                c.request(Fixture.subscribeAll("all"), "subscribed");
                c.awaitMessage(m -> "tick".equals(m.getString("type")) && !m.getBoolean("snapshot", false),
                        Duration.ofSeconds(10));
                // conflation starts only once the stalled client's write queue is full
                Fixture.await(() -> conflated(port) > 0, Duration.ofSeconds(30),
                        "the stalled client's socket and write queue to fill");
                long signalled = System.nanoTime();
                server.process().destroy();   // SIGTERM
                assertEquals((short) 1001, c.awaitClose(Duration.ofSeconds(15)));
                assertEquals("going away", c.closeReason());
                assertTrue(server.process().waitFor(20, TimeUnit.SECONDS), "the server exits after its drain");
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
                assertEquals(0, server.process().exitValue(), server.output());
                assertTrue(tookMs <= drainMs + 1000, "exited " + tookMs + " ms after SIGTERM with --drain-ms "
                        + drainMs + ":\n" + server.output());
                assertTrue(server.output().contains("server: stopped"), server.output());
            }
        } finally {
            server.close();
            sim.stop();
        }
    }

    private static double conflated(int port) {
        try {
            return Fixture.metric(port, "tickstream_messages_conflated_total{kind=\"tick\"}");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldDeliverEveryMessageOfTheQueueExactlyOnceWhileTheFeedIsKilledFiveTimes() throws Exception {
        Path queue = dir.resolve("queue");
        ServerConfig config = Fixture.server(queue).with(ServerConfig.STALE_AFTER_MS, 700);
        Random random = new Random(7);
        try (ServerMain server = Fixture.startServer(config); WsClient c = WsClient.connect(stack.client(), server.port())) {
            c.request(Fixture.subscribeAll("all"), "subscribed");
            for (int round = 0; round < 5; round++) {
                External.Running sim = AppProcess.start(dir.resolve("sim-" + round + ".log"), "simulate", "--queue",
                        queue.toString(), "--rate", "2000", "--seed", String.valueOf(round), "--stats-every", "0");
                Fixture.await(server::ready, Duration.ofSeconds(30), "the server ready with the feed running");
                int killAt = c.liveSeqs().size() + 600 + random.nextInt(2400);   // a random point of the feed
                Await.until(() -> c.liveSeqs().size() >= killAt, Duration.ofSeconds(30), "the feed to run a while");
                AppProcess.kill9(sim);
                Fixture.await(() -> !server.ready(), Duration.ofSeconds(10), "readiness to show the feed down");
                assertEquals("{\"status\":\"feed stale\"}", Fixture.get(server.port(), "/health/ready").body());
                assertTrue(Fixture.metric(server.port(), "tickstream_feed_staleness_seconds") >= 0.7);
            }
            List<Long> inQueue = Fixture.queueSeqs(queue);
            assertTrue(inQueue.size() > 1000, "the feed wrote " + inQueue.size());
            Fixture.await(() -> c.liveSeqs().size() >= inQueue.size(), Duration.ofSeconds(30),
                    "every message in the queue to arrive");
            Fixture.assertSameSeqs(inQueue, c.liveSeqs(), "each message of the queue once, in order");
        }
    }

    /**
     * A thousand real subscribers of the whole feed, each resuming with {@code from} = its resume
     * point whenever its connection drops, while the server process is killed with SIGKILL three
     * times: the first and the last time while every client is live again, the second as soon as
     * every client has reconnected (replays still running). Each must end with every record of the
     * queue from its first message on, once and in order, and no snapshot after a resume.
     */
    @Test
    void shouldLetAThousandClientsResumeWithNothingMissingOrTwiceWhenTheServerIsKilledThreeTimes() throws Exception {
        Random random = new Random(11);
        try (KilledProcesses p = new KilledProcesses()) {
            for (int kill = 1; kill <= 3; kill++) {
                if (kill == 2) {
                    awaitConnects(p.clients, kill);
                } else {
                    awaitLive(p.clients, kill, p.queue, random);
                }
                AppProcess.kill9(p.server);
                p.restartServer(kill);
            }
            p.assertEveryClientGetsTheQueueOnce(4, random, false);
        }
    }

    /**
     * The machine dies: the simulator and the server, both real processes, killed with SIGKILL at
     * the same moment, twice, and both started again (the simulator appending to the same queue).
     * A record the simulator was writing may be torn: the server detects it by its checksum and
     * never delivers it. Every client ends with every intact record from its first one on, once.
     */
    @Test
    void shouldLetAThousandClientsResumeWhenTheSimulatorAndTheServerAreKilledTogether() throws Exception {
        Random random = new Random(13);
        try (KilledProcesses p = new KilledProcesses()) {
            for (int kill = 1; kill <= 2; kill++) {
                awaitLive(p.clients, kill, p.queue, random);
                AppProcess.kill9(p.sim, p.server);
                p.sim = startSimulator(p.queue, kill);
                p.restartServer(kill);
            }
            p.assertEveryClientGetsTheQueueOnce(3, random, true);
        }
    }

    /**
     * What the kill tests kill and start again: a simulator and a server, real processes on one
     * queue, and a thousand resuming clients of the server, connected and live once made. Closing
     * stops the clients and both processes. Touched by the test thread only.
     */
    private final class KilledProcesses implements AutoCloseable {
        final Path queue = dir.resolve("queue");
        final List<ResumingClient> clients = new ArrayList<>();
        private final int port = External.freePort();
        External.Running sim;
        External.Running server;

        KilledProcesses() throws Exception {
            sim = startSimulator(queue, 0);
            try {
                restartServer(0);
                startClients(clients, port);
            } catch (Exception | Error e) {
                close();
                throw e;
            }
        }

        /** Starts server run {@code run} (its log is server-RUN.log) and waits for its port. */
        void restartServer(int run) throws Exception {
            server = AppProcess.start(dir.resolve("server-" + run + ".log"),
                    serverArgs(queue, port).toArray(String[]::new));
            External.awaitPort(server, port, Duration.ofSeconds(30));
        }

        /**
         * Waits until every client is live on its {@code connects}-th connection, lets the feed run
         * on to its full load, stops it, and checks that every client got the queue once.
         */
        void assertEveryClientGetsTheQueueOnce(int connects, Random random, boolean torn) throws Exception {
            awaitLive(clients, connects, queue, random);
            awaitRecordsAfterEveryClientsFirst(clients, queue, 12 * FEED_RATE);
            sim.close();
            assertEveryClientGotTheQueueOnce(clients, queue, torn);
        }

        @Override
        public void close() throws Exception {
            clients.forEach(ResumingClient::stop);
            if (server != null) {
                server.close();
            }
            sim.close();
        }
    }

    /**
     * Lets the feed run on until it holds {@code records} from the first record of the client that
     * began last, however fast this machine got through the kills: a real load for every client
     * (checked at the end). A client let in late, after a server's start-up, begins later.
     */
    private static void awaitRecordsAfterEveryClientsFirst(List<ResumingClient> clients, Path queue, int records)
            throws InterruptedException {
        long lastFirst = clients.stream().mapToLong(c -> c.seqs()[0]).max().orElseThrow();
        Fixture.await(() -> Fixture.queueSeqs(queue).stream().filter(seq -> seq >= lastFirst).count() >= records,
                Duration.ofSeconds(120), records + " records in the queue from seq " + lastFirst);
    }

    private static List<String> serverArgs(Path queue, int port) {
        return List.of("server", "--queue", queue.toString(), "--port", String.valueOf(port), "--host", "127.0.0.1");
    }

    private External.Running startSimulator(Path queue, int run) throws Exception {
        return AppProcess.start(dir.resolve("sim-" + run + ".log"), "simulate", "--queue", queue.toString(),
                "--rate", String.valueOf(FEED_RATE), "--seed", String.valueOf(run), "--burst-multiplier", "1",
                "--stats-every", "0");
    }

    private void startClients(List<ResumingClient> clients, int port) throws InterruptedException {
        clients.addAll(ResumingClient.start(stack.vertx(), port, CLIENTS, 2));
        await(clients, c -> c.resumePoint() > 0, "every client receiving live messages");
    }

    private static void awaitConnects(List<ResumingClient> clients, int connects) throws InterruptedException {
        await(clients, c -> c.connects() >= connects, "every client connected " + connects + " times");
    }

    /**
     * Waits until every client is on its {@code connects}-th connection and has received live
     * messages up to a seq between half a second and two seconds of feed beyond the queue's newest
     * record when the wait began: all of them resumed and caught up, the feed moving on.
     */
    private static void awaitLive(List<ResumingClient> clients, int connects, Path queue, Random random)
            throws InterruptedException {
        awaitConnects(clients, connects);
        long target = Fixture.lastSeq(queue) + FEED_RATE / 2 + random.nextInt(FEED_RATE * 3 / 2);
        await(clients, c -> c.resumePoint() >= target, "every client live again, up to seq " + target);
    }

    /**
     * Once the feed has stopped: every client reaches the end of the queue, and each one's live
     * messages are exactly the intact records of the queue from its first one on. Reports how
     * many clients fail, and how the first of them does.
     *
     * @param mayBeTorn whether a writer was killed: its last record may be torn, and is then owed to nobody
     */
    private static void assertEveryClientGotTheQueueOnce(List<ResumingClient> clients, Path queue, boolean mayBeTorn)
            throws InterruptedException {
        List<Long> damaged = new ArrayList<>();
        long[] intact = Fixture.readQueue(queue, mayBeTorn ? damaged : null).stream().mapToLong(Sequenced::seq)
                .toArray();
        long last = intact[intact.length - 1];
        await(clients, c -> c.resumePoint() >= last, "every client to reach the end of the queue, seq " + last);
        clients.forEach(ResumingClient::stop);
        long minOwed = ResumingClients.assertEachGotTheRecordsOnce(clients, intact);
        long bytes = clients.stream().mapToLong(ResumingClient::seqBytes).sum();
        System.out.printf("%d clients, %d records in the queue (%d torn: %s), at least %d owed to each, %d KB of"
                + " seqs held by the clients%n", clients.size(), intact.length, damaged.size(), damaged, minOwed,
                bytes / 1024);
        assertTrue(minOwed > 10 * FEED_RATE, "a real load across the kills: " + minOwed + " records each at least");
    }
}
