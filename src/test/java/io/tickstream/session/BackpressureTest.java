package io.tickstream.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.config.SimulatorConfig;
import io.tickstream.feed.Score;
import io.tickstream.feed.Sequenced;
import io.tickstream.support.Await;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
import io.tickstream.support.SuiteOrder;
import io.tickstream.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow readers under a fast feed: 10% of the clients stop reading for several seconds. The others
 * must not notice; the slow ones get conflated ticks and every score event, or are closed with
 * 4001, as configured.
 */
@Tag(SuiteOrder.LOAD)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BackpressureTest {

    private static final int CLIENTS = 40;
    private static final int SLOW = 4;

    @TempDir
    Path dir;

    private record Run(List<WsClient> healthy, List<WsClient> slow, List<Sequenced> queue, ServerMain server) {
    }

    /**
     * Starts the server and the clients, then the feed; after a second of feed the slow readers stop
     * reading until the server's metric {@code sample} reaches {@code atLeast} (what the test waits
     * for has happened), and resume if {@code resumeSlow}; returns once the healthy readers have the
     * whole queue.
     */
    private Run run(ServerConfig config, Vertx vertx, String sample, double atLeast, boolean resumeSlow)
            throws Exception {
        Path queue = config.get(ServerConfig.QUEUE);
        ServerMain server = Fixture.startServer(config);
        WebSocketClient fast = WsClient.client(vertx);
        WebSocketClient slowClient = WsClient.slowClient(vertx);
        List<WsClient> healthy = new ArrayList<>();
        List<WsClient> slow = new ArrayList<>();
        JsonObject subscribe = Messages.subscribeAll("all").snapshot(false).json();
        for (int i = 0; i < CLIENTS; i++) {
            boolean isSlow = i % (CLIENTS / SLOW) == 0;
            WsClient ws = WsClient.connect(isSlow ? slowClient : fast, server.port());
            ws.request(subscribe, "subscribed");
            (isSlow ? slow : healthy).add(ws);
        }
        Fixture.RunningSimulator sim = Fixture.startSimulator(
                Fixture.simulator(queue, 4000, 17).with(SimulatorConfig.MATCHES, 16)
                        .with(SimulatorConfig.MATCH_MINUTE_MS, 20));
        Fixture.awaitQueueGrowth(queue, 4_000, Duration.ofSeconds(30));   // a second of feed (4,000 records) first
        slow.forEach(WsClient::pause);
        Await.until(() -> Fixture.metric(server.port(), sample) >= atLeast, Duration.ofSeconds(60),
                sample + " to reach " + atLeast + " while the slow readers take nothing");
        if (resumeSlow) {
            slow.forEach(WsClient::resume);
        }
        Fixture.awaitQueueGrowth(queue, 6_000, Duration.ofSeconds(30));   // and 1.5 s more (6,000 records) after
        sim.stop();
        List<Sequenced> all = Fixture.readQueue(queue);
        long last = all.get(all.size() - 1).seq();
        for (WsClient ws : healthy) {
            ws.awaitMessage(m -> m.getLong("seq", -1L) == last, Duration.ofSeconds(30));
        }
        return new Run(healthy, slow, all, server);
    }

    /** Closes the client side without hiding the test's own failure behind a slow close. */
    private static void closeQuietly(Vertx vertx) {
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("client Vert.x did not close in time: " + e);
        }
    }

    /** A healthy reader subscribed before the feed started: exactly the queue, in order. */
    private static void assertComplete(WsClient ws, List<Sequenced> all) {
        List<Long> got = new ArrayList<>();
        for (JsonObject m : ws.received()) {
            if (m.containsKey("seq")) {
                assertTrue(!m.containsKey("conflated"), "a healthy reader gets nothing conflated");
                got.add(m.getLong("seq"));
            }
        }
        assertEquals(all.size(), got.size(), "every message, no gap, no duplicate");
        for (int i = 0; i < all.size(); i++) {
            assertEquals(all.get(i).seq(), got.get(i), "in order at " + i);
        }
    }

    @Test
    void shouldConflateTicksForSlowReadersAndKeepEveryScoreEvent() throws Exception {
        Vertx vertx = Vertx.vertx();
        ServerConfig config = Fixture.server(dir.resolve("queue")).with(ServerConfig.WRITE_QUEUE_BYTES, 524_288)
                .with(ServerConfig.MAX_BACKLOG_BYTES, 8 << 20).with(ServerConfig.SLOW_CONSUMER_GRACE_MS, 60_000);
        // paused until their sockets and write queues are full and many ticks have been conflated
        Run r = run(config, vertx, "tickstream_messages_conflated_total{kind=\"tick\"}", 5_000, true);
        try (ServerMain server = r.server()) {
            for (WsClient ws : r.healthy()) {
                assertComplete(ws, r.queue());
            }
            Map<String, Integer> perTopic = new HashMap<>();
            Map<String, Long> lastOfTopic = new HashMap<>();
            Set<Long> events = new HashSet<>();
            for (Sequenced s : r.queue()) {
                perTopic.merge(s.message().topic(), 1, Integer::sum);
                lastOfTopic.put(s.message().topic(), s.seq());
                if (s.message() instanceof Score score && score.event() != null) {
                    events.add(s.seq());
                }
            }
            int conflatedSeen = 0;
            for (WsClient ws : r.slow()) {
                Map<String, Long> last = new HashMap<>();
                Fixture.await(() -> ws.received().stream().anyMatch(m -> m.getLong("seq", -1L)
                        .equals(r.queue().get(r.queue().size() - 1).seq())), Duration.ofSeconds(30), "slow drained");
                Map<String, Integer> represented = new HashMap<>();
                Set<Long> eventsSeen = new HashSet<>();
                long lastSeq = -1;
                for (JsonObject m : ws.received()) {
                    if (!m.containsKey("seq")) {
                        continue;
                    }
                    String topic = m.getString("topic");
                    long seq = m.getLong("seq");
                    assertTrue(seq > lastSeq, "in order overall");
                    lastSeq = seq;
                    Long prev = last.put(topic, seq);
                    assertTrue(prev == null || seq > prev, "never an older value after a newer");
                    int conflated = m.getInteger("conflated", 0);
                    conflatedSeen += conflated;
                    represented.merge(topic, 1 + conflated, Integer::sum);
                    if (m.containsKey("event")) {
                        eventsSeen.add(seq);
                        assertEquals(0, conflated, "an event is never a conflation");
                    }
                }
                assertEquals(events, eventsSeen, "every score event");
                assertEquals(perTopic, represented, "each message received or counted in a conflated one");
                assertEquals(lastOfTopic, last, "ends on the latest value of every topic");
            }
            assertTrue(conflatedSeen > 0, "the slow readers were conflated");
            assertTrue(Fixture.metric(server.port(), "tickstream_messages_conflated_total{kind=\"tick\"}") > 0);
            assertEquals(0, Fixture.metric(server.port(), "tickstream_slow_consumer_disconnects_total"));
            assertTrue(Fixture.metric(server.port(), "tickstream_connection_backlog_bytes_max") <= 4 * (8 << 20));
            assertTrue(Fixture.metric(server.port(), "tickstream_connection_backlog_bytes_count") > 0,
                    "backlogs are sampled");
        } finally {
            closeQuietly(vertx);
        }
    }

    @Test
    void shouldCloseAReaderThatTakesNothingForTheStallTimeout() throws Exception {
        // The backlog limit is never reached (ticks conflate), but the sockets stay full.
        // A smaller write queue than below, so that the sockets surely fill.
        assertSlowReadersClosedWith4001(Fixture.server(dir.resolve("queue"))
                .with(ServerConfig.WRITE_QUEUE_BYTES, 131_072).with(ServerConfig.MAX_BACKLOG_BYTES, 8 << 20)
                .with(ServerConfig.SLOW_CONSUMER_GRACE_MS, 60_000).with(ServerConfig.STALL_TIMEOUT_MS, 1_500));
    }

    @Test
    void shouldCloseSlowReadersWith4001AfterTheGracePeriod() throws Exception {
        assertSlowReadersClosedWith4001(Fixture.server(dir.resolve("queue"))
                .with(ServerConfig.WRITE_QUEUE_BYTES, 262_144).with(ServerConfig.MAX_BACKLOG_BYTES, 65_536)
                .with(ServerConfig.SLOW_CONSUMER_GRACE_MS, 1_000));
    }

    /** Slow readers pause and never resume: they are closed 4001, the others get everything. */
    private void assertSlowReadersClosedWith4001(ServerConfig config) throws Exception {
        Vertx vertx = Vertx.vertx();
        Run r = run(config, vertx, "tickstream_slow_consumer_disconnects_total", SLOW, false);
        try (ServerMain server = r.server()) {
            for (WsClient ws : r.healthy()) {
                assertComplete(ws, r.queue());
            }
            for (WsClient ws : r.slow()) {
                ws.resume();
                assertEquals(4001, ws.awaitClose(Duration.ofSeconds(20)));
                assertEquals("slow consumer", ws.closeReason());
            }
            assertEquals(SLOW, Fixture.metric(server.port(), "tickstream_slow_consumer_disconnects_total"));
            assertEquals(CLIENTS - SLOW, Fixture.metric(server.port(), "tickstream_connections"));
        } finally {
            closeQuietly(vertx);
        }
    }
}
