package io.tickstream.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.support.AppProcess;
import io.tickstream.support.External;
import io.tickstream.support.Fixture;
import io.tickstream.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue on a small tmpfs that fills up: the simulator stops with a clear error (exit 3), the
 * server keeps serving and says the feed is stale, and once space is freed the simulator
 * appends again and the server delivers it live. Needs root to
 * mount (CI runs as root); skipped with a message otherwise.
 */
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
            try (ServerMain server = Fixture.startServer(Fixture.server(queue).toBuilder().staleAfterMs(700).build());
                 WsClient c = WsClient.connect(WsClient.client(vertx), server.port())) {
                c.request(new JsonObject().put("op", "subscribe").put("id", "all")
                        .put("topics", new JsonArray().add("stocks.*").add("sports.>")), "subscribed");

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
                java.util.regex.Matcher stopped = java.util.regex.Pattern.compile("last seq (\\d+)")
                        .matcher(full.output());
                assertTrue(stopped.find(), full.output());
                long lastBeforeFull = Long.parseLong(stopped.group(1));

                assertTrue(sh("mount", "-o", "remount,size=128m", mnt.toString()), "space freed");
                External.Running again = AppProcess.start(dir.resolve("sim-again.log"), "simulate", "--queue",
                        queue.toString(), "--rate", "2000", "--burst-every", "0", "--min-free-mb", "4",
                        "--duration", "3", "--stats-every", "0");
                assertTrue(again.process().waitFor(120, TimeUnit.SECONDS));
                assertEquals(0, again.process().exitValue(), again.output());

                List<Long> inQueue = Fixture.queueSeqs(queue);
                long end = inQueue.get(inQueue.size() - 1);
                assertTrue(end > lastBeforeFull, "the simulator appended after the full disk");
                Fixture.await(() -> c.liveSeqs().contains(end), Duration.ofSeconds(60),
                        "the end of the queue to arrive");
                // the fill ran far faster than this client reads, so it got conflated ticks then; what
                // came after the disk was freed arrived at a readable rate: all of it, once, in order
                // The record being written when the disk filled (the one after the last the simulator
                // reported) may be torn: readers may deliver or skip it. Every other one is exact.
                long torn = lastBeforeFull + 1;
                List<Long> after = inQueue.stream().filter(q -> q > lastBeforeFull && q != torn).toList();
                Fixture.assertSameSeqs(after, c.liveSeqs().stream().filter(q -> q > lastBeforeFull && q != torn)
                        .toList(), "live, after space was freed");

                // Not asserted yet: a resume that replays across the torn record loses the record just
                // before it (seen: 1 of 11,000). Open in issue 8; the live path above is exact.
            }
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
            if (!sh("umount", mnt.toString())) {
                sh("umount", "-l", mnt.toString());
            }
        }
    }
}
