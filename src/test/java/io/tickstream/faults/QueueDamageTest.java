package io.tickstream.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.feed.FeedQueue;
import io.tickstream.feed.QueueFiles;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
import io.tickstream.support.TestStack;
import io.tickstream.support.WsClient;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.queue.RollCycle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server only reads the queue, and what it cannot read is said, not skipped: a cycle file cut
 * short under a running server turns readiness to 503 naming it, is counted, and a resume across
 * it answers {@code resume_unavailable}; a resume from a seq whose file was moved out does too.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QueueDamageTest {

    private static final RollCycle SECONDLY = FeedQueue.rollCycle("TEST_SECONDLY");

    @TempDir
    Path dir;

    /** The test's Vert.x and WebSocket client, closed after each test. */
    @RegisterExtension
    final TestStack stack = new TestStack();

    private static ServerMain serverFromStart(Path queue) throws Exception {
        return Fixture.startServer(Fixture.server(queue).with(ServerConfig.FROM_START, true)
                .with(ServerConfig.ROLL_CYCLE, "TEST_SECONDLY"));
    }

    /** The first seq of the cycle file at {@code file} (cycle files and the cycles of seqs sort alike). */
    private static long firstSeqIn(Path queue, List<Path> cycles, Path file) {
        List<Long> seqs = Fixture.queueSeqs(queue);
        List<Integer> distinct = seqs.stream().map(s -> SECONDLY.toCycle(s)).distinct().toList();
        int cycle = distinct.get(cycles.indexOf(file));
        return seqs.stream().filter(s -> SECONDLY.toCycle(s) == cycle).findFirst().orElseThrow();
    }

    private static JsonObject awaitError(WsClient ws) throws InterruptedException {
        return ws.awaitMessage(m -> "error".equals(m.getString("type")), Duration.ofSeconds(20));
    }

    @Test
    void shouldNeverChangeTheFilesOfTheQueueItServes() throws Exception {
        Path queue = dir.resolve("queue");
        List<Path> cycles = QueueRefusalTest.writeCycles(queue);
        Map<String, String> before = QueueRefusalTest.hashes(queue);
        long from = firstSeqIn(queue, cycles, cycles.get(1));
        try (ServerMain server = serverFromStart(queue); WsClient ws = WsClient.connect(stack.client(), server.port())) {
            Fixture.await(server::ready, Duration.ofSeconds(30), "ready");
            ws.request(Messages.subscribeAll("r").from(from).json(), "subscribed");
            List<Long> inQueue = Fixture.queueSeqs(queue);
            long last = inQueue.get(inQueue.size() - 1);
            Fixture.await(() -> ws.liveSeqs().contains(last), Duration.ofSeconds(30), "the resume to reach the end");
        }
        assertEquals(before, QueueRefusalTest.hashes(queue), "every file of the queue byte for byte as it was");
    }

    @Test
    void shouldTurnNotReadyNameTheFileAndRefuseResumesWhenAFileIsTruncatedUnderIt() throws Exception {
        Path queue = dir.resolve("queue");
        List<Path> cycles = QueueRefusalTest.writeCycles(queue);
        long from = firstSeqIn(queue, cycles, cycles.get(0));
        Path newest = cycles.get(cycles.size() - 1);
        try (ServerMain server = serverFromStart(queue)) {
            Fixture.await(server::ready, Duration.ofSeconds(30), "ready");

            QueueRefusalTest.truncate(newest, 1_000);
            Map<String, String> truncated = QueueRefusalTest.hashes(queue);

            Fixture.await(() -> !server.ready(), Duration.ofSeconds(20), "not ready once the live file is damaged");
            HttpResponse<String> ready = Fixture.get(server.port(), "/health/ready");
            assertEquals(503, ready.statusCode());
            assertTrue(ready.body().contains("queue file " + newest + " is truncated: 1,000 bytes"), ready.body());
            assertEquals(1, Fixture.metric(server.port(), "tickstream_queue_damaged_files"));

            try (WsClient ws = WsClient.connect(stack.client(), server.port())) {
                ws.send(Messages.subscribeAll("r").from(from).json());
                JsonObject error = awaitError(ws);
                assertEquals("resume_unavailable", error.getString("code"), error.encode());
                assertEquals("r", error.getString("id"));
            }
            assertEquals(truncated, QueueRefusalTest.hashes(queue), "the damaged file left as it is");
        }
    }

    @Test
    void shouldAnswerResumeUnavailableForASeqWhoseFileWasMovedOut() throws Exception {
        Path queue = dir.resolve("queue");
        List<Path> cycles = QueueRefusalTest.writeCycles(queue);
        Path gone = cycles.get(1);
        long from = firstSeqIn(queue, cycles, gone) + 10;
        Files.move(gone, dir.resolve(gone.getFileName()));
        try (ServerMain server = serverFromStart(queue); WsClient ws = WsClient.connect(stack.client(), server.port())) {
            Fixture.await(server::ready, Duration.ofSeconds(30), "ready");
            ws.send(Messages.subscribeAll("r").from(from).json());
            JsonObject error = awaitError(ws);
            assertEquals("resume_unavailable", error.getString("code"), error.encode());
            assertEquals(List.of(), ws.liveSeqs(), "no message of a later file passed off as the resume");
        }
        assertEquals(cycles.size() - 1, QueueFiles.cycleFiles(queue).size());
    }
}
