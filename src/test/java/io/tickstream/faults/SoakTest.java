package io.tickstream.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.loadtest.LoadTest;
import io.tickstream.loadtest.LoadTestSettings;
import io.tickstream.loadtest.Report;
import io.tickstream.support.AppProcess;
import io.tickstream.support.External;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
import io.tickstream.support.WsClient;
import io.vertx.core.Vertx;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Two minutes of the mixed load (the short version of {@code make soak}): the server, a process
 * of its own, keeps its live heap flat (measured after a full GC, early and late) and every
 * connection; a subscriber of everything misses nothing. It runs beside the suite's light classes
 * (see {@code SuiteOrder} in the test support).
 */
@Execution(ExecutionMode.CONCURRENT)
class SoakTest {

    private static final int CLIENTS = 300;
    private static final int SECONDS = 120;
    /** Live heap the server may gain between the early and the late sample. */
    private static final long GROWTH_BOUND_BYTES = 16L << 20;

    @TempDir
    Path dir;

    /** The server's heap in use right after a full GC, from its own /metrics. */
    private static long liveHeap(External.Running server, int port) throws Exception {
        External.run(server.log().resolveSibling("jcmd.log"),
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(server.process().pid()), "GC.run");
        long used = 0;
        for (String line : Fixture.get(port, "/metrics").body().split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{area=\"heap\"")) {
                used += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return used;
    }

    @Test
    void shouldKeepHeapFlatAndLoseNothingUnderTwoMinutesOfMixedLoad() throws Exception {
        Path queue = dir.resolve("queue");
        int port = External.freePort();
        Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(queue, 1500, 9));
        External.Running server = AppProcess.start(dir.resolve("server.log"), "server", "--queue", queue.toString(),
                "--port", String.valueOf(port), "--host", "127.0.0.1");
        Vertx vertx = Vertx.vertx();
        try {
            External.awaitPort(server, port, Duration.ofSeconds(30));
            Fixture.await(() -> {
                try {
                    return Fixture.get(port, "/health/ready").statusCode() == 200;
                } catch (Exception e) {
                    return false;
                }
            }, Duration.ofSeconds(30), "ready");
            Fixture.awaitTopics(port, 500, Duration.ofSeconds(30));   // every topic known: 500 symbols, the matches
            WsClient all = WsClient.connect(WsClient.client(vertx), port);
            all.request(Messages.subscribeAll("all").snapshot(false).json(), "subscribed");
            LoadTest.Config config = LoadTestSettings.SETTINGS.defaults()
                    .with(LoadTestSettings.URL, URI.create("ws://127.0.0.1:" + port + "/ws"))
                    .with(LoadTestSettings.CLIENTS, CLIENTS).with(LoadTestSettings.DURATION, SECONDS)
                    .with(LoadTestSettings.RAMP, 500).with(LoadTestSettings.SYMBOLS, 10)
                    .with(LoadTestSettings.MATCHES, 2).with(LoadTestSettings.OUT, dir.resolve("bench"))
                    .with(LoadTestSettings.NAME, "soak").with(LoadTestSettings.SEED, 1)
                    .with(LoadTestSettings.WARMUP, 5).toConfig();
            CompletableFuture<Report> load = CompletableFuture.supplyAsync(() -> {
                try {
                    return new LoadTest(config, new PrintStream(OutputStream.nullOutputStream())).run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(30_000);   // pacing: a soak measures over time, here the early sample after 30 s of load
            long early = liveHeap(server, port);
            assertEquals(CLIENTS + 1, Fixture.metric(port, "tickstream_connections"));
            Thread.sleep((SECONDS - 40) * 1000L);   // pacing: the late sample, 10 s before the load ends
            long late = liveHeap(server, port);
            assertEquals(CLIENTS + 1, Fixture.metric(port, "tickstream_connections"), "no connection lost");
            System.out.printf("soak: live heap %d MiB after 30 s, %d MiB after %d s%n", early >> 20, late >> 20,
                    SECONDS - 10);
            assertTrue(late - early < GROWTH_BOUND_BYTES, "live heap " + (early >> 20) + " MiB after 30 s, "
                    + (late >> 20) + " MiB after " + (SECONDS - 10) + " s");

            Report report = load.get(SECONDS + 60, TimeUnit.SECONDS);
            assertEquals(CLIENTS, report.connectedAtEnd());
            assertTrue(report.healthy(), "no reorder seen by the harness");
            assertTrue(report.delivered() > 100_000, "delivered " + report.delivered());

            sim.stop();
            List<Long> inQueue = Fixture.queueSeqs(queue);
            long end = inQueue.get(inQueue.size() - 1);
            Fixture.await(() -> all.liveSeqs().contains(end), Duration.ofSeconds(30), "the whole feed to arrive");
            List<Long> got = all.liveSeqs();
            long first = got.get(0);
            Fixture.assertSameSeqs(inQueue.stream().filter(s -> s >= first).toList(), got, "no gap, nothing twice");
            all.close();
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
            server.close();
            sim.stop();
        }
    }
}
