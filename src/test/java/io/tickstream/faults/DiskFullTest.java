package io.tickstream.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.feed.Sequenced;
import io.tickstream.support.AppProcess;
import io.tickstream.support.External;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
import io.tickstream.support.SuiteOrder;
import io.tickstream.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue on a small tmpfs that fills up: the simulator stops with a clear error (exit 3), the
 * server keeps serving and says the feed is stale, and once space is freed the simulator
 * appends again and the server delivers it live; a record torn by the fault is never delivered,
 * live or in a replay, and nothing else is lost. Needs root to
 * mount (CI runs as root); skipped with a message otherwise.
 */
@Tag(SuiteOrder.LOAD)
class DiskFullTest {

    @TempDir
    Path dir;

    private static boolean sh(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @Test
    void shouldStopTheFeedClearlyKeepServingAndResumeOnceSpaceIsFreed() throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        Assumptions.assumeTrue(sh("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mnt.toString()),
                "skipped: mounting a small tmpfs needs root (CI runs as root)");
        Path queue = mnt.resolve("queue");
        Vertx vertx = Vertx.vertx();
        try {
            try (ServerMain server = Fixture.startServer(Fixture.server(queue).with(ServerConfig.STALE_AFTER_MS, 700));
                 WsClient c = WsClient.connect(WsClient.client(vertx), server.port())) {
                c.request(Messages.subscribeAll("all").json(), "subscribed");

                External.Running full = AppProcess.start(dir.resolve("sim-full.log"), "simulate", "--queue",
                        queue.toString(), "--rate", "100000", "--min-free-mb", "4", "--stats-every", "0");
                assertTrue(full.process().waitFor(120, TimeUnit.SECONDS), "the simulator stops on a full disk");
                assertEquals(3, full.process().exitValue(), full.output());
                assertTrue(full.output().contains("simulate: ") && full.output().contains("file system"),
                        "a clear error: " + full.output());

                Fixture.await(() -> !server.ready(), Duration.ofSeconds(15), "readiness to show the feed down");
                assertEquals(200, Fixture.get(server.port(), "/health/live").statusCode(), "still serving");
                assertEquals("pong", c.request(new JsonObject().put("op", "ping").put("id", "p"), "pong")
                        .getString("type"));
                Matcher stopped = Pattern.compile("last seq (\\d+)")
                        .matcher(full.output());
                assertTrue(stopped.find(), full.output());
                long lastBeforeFull = Long.parseLong(stopped.group(1));

                assertTrue(sh("mount", "-o", "remount,size=128m", mnt.toString()), "space freed");
                External.Running again = AppProcess.start(dir.resolve("sim-again.log"), "simulate", "--queue",
                        queue.toString(), "--rate", "2000", "--burst-every", "0", "--min-free-mb", "4",
                        "--duration", "3", "--stats-every", "0");
                assertTrue(again.process().waitFor(120, TimeUnit.SECONDS));
                assertEquals(0, again.process().exitValue(), again.output());

                List<Long> damaged = new ArrayList<>();
                List<Long> inQueue = Fixture.readQueue(queue, damaged).stream().map(Sequenced::seq).toList();
                long end = inQueue.get(inQueue.size() - 1);
                assertTrue(end > lastBeforeFull, "the simulator appended after the full disk");
                Fixture.await(() -> c.liveSeqs().contains(end), Duration.ofSeconds(60),
                        "the end of the queue to arrive");

                // A record being written when the disk filled may be torn: committed with bytes that
                // never reached the file (the JVM reports the fault a few instructions late). Its
                // checksum gives it away; it is only ever at the point of the fault, and every reader
                // skips it: the server counts it and never delivers it.
                assertTrue(damaged.stream().allMatch(q -> q > lastBeforeFull - 1_000 && q <= lastBeforeFull + 1),
                        "damaged records only where the disk filled (last seq " + lastBeforeFull + "): " + damaged);
                assertEquals(damaged.size(), (int) Fixture.metric(server.port(), "tickstream_feed_decode_errors_total"),
                        "every torn record counted by the server: " + damaged);

                // the fill ran far faster than this client reads, so it got conflated ticks then; what
                // came after the disk was freed arrived at a readable rate: all of it, once, in order
                Fixture.assertSameSeqs(inQueue.stream().filter(q -> q > lastBeforeFull).toList(),
                        c.liveSeqs().stream().filter(q -> q > lastBeforeFull).toList(), "live, after space was freed");
                assertTrue(c.liveSeqs().stream().noneMatch(damaged::contains), "a torn record was delivered live");

                // a resume from before the full disk replays across the fault point exactly as well
                List<Long> beforeFull = inQueue.stream().filter(q -> q <= lastBeforeFull).toList();
                long from = beforeFull.get(Math.max(0, beforeFull.size() - 5000));
                try (WsClient replay = WsClient.connect(WsClient.client(vertx), server.port())) {
                    replay.request(Messages.subscribeAll("again").from(from).json(), "subscribed");
                    Fixture.await(() -> replay.liveSeqs().contains(end), Duration.ofSeconds(60),
                            "the replay and the live stream to reach the end of the queue");
                    Fixture.assertSameSeqs(inQueue.stream().filter(q -> q > from).toList(), replay.liveSeqs(),
                            "resumed across the full disk");
                }
            }
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
            if (!sh("umount", mnt.toString())) {
                sh("umount", "-l", mnt.toString());
            }
        }
    }
}
