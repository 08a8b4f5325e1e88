package io.tickstream.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.config.SimulatorConfig;
import io.tickstream.feed.MicroClock;
import io.tickstream.feed.Score;
import io.tickstream.feed.Sequenced;
import io.tickstream.support.Await;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
import io.tickstream.support.TestStack;
import io.tickstream.support.WsClient;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subscription with {@code maxStalenessMs} whose reader alternates between keeping up and
 * stalling, against a real server and feed: while it keeps up, every tick (a socket full for a
 * moment conflates nothing); while it stalls, no tick waits beyond the budget (what it receives
 * after the stall is either what was already in its socket when it stopped reading, or fresh
 * when written); every score event arrives, those that waited too long marked {@code late}.
 */
class StalenessTest {

    private static final long BUDGET_MS = 300;

    @RegisterExtension
    final TestStack stack = new TestStack();
    @TempDir
    Path queue;

    @Test
    void aReaderThatStallsGetsFreshTicksAndEveryScoreEvent() throws Exception {
        ServerMain server = stack.server(Fixture.server(queue).with(ServerConfig.WRITE_QUEUE_BYTES, 16_384)
                .with(ServerConfig.MAX_BACKLOG_BYTES, 8L << 20).with(ServerConfig.SLOW_CONSUMER_GRACE_MS, 60_000L));
        try (WsClient c = WsClient.connect(WsClient.slowClient(stack.vertx()), server.port())) {
            JsonObject subscribe = Messages.subscribeAll("all").snapshot(false).json().put("maxStalenessMs", BUDGET_MS);
            c.request(subscribe, "subscribed");
            Fixture.RunningSimulator sim = stack.simulator(Fixture.simulator(queue, 3_000, 23)
                    .with(SimulatorConfig.MATCHES, 16).with(SimulatorConfig.MATCH_MINUTE_MS, 20));
            Fixture.awaitQueueGrowth(queue, 3_000, Duration.ofSeconds(30));   // about a second of keeping up
            int beforeStall = c.received().size();
            long stalled = MicroClock.nowMicros();
            c.pause();
            Await.until(() -> Fixture.metric(server.port(), "tickstream_staleness_misses_total{outcome=\"conflated\"}")
                    >= 6_000, Duration.ofSeconds(60), "ticks conflated for the budget while the reader stalls");
            long resumed = MicroClock.nowMicros();
            int atResume = c.received().size();
            c.resume();
            Fixture.awaitQueueGrowth(queue, 3_000, Duration.ofSeconds(30));   // and a second of keeping up again
            sim.stop();
            List<Sequenced> all = Fixture.readQueue(queue);
            long last = all.get(all.size() - 1).seq();
            c.awaitMessage(m -> m.getLong("seq", -1L) == last, Duration.ofSeconds(30));

            List<JsonObject> got = c.received();
            List<Long> firstSeqs = new ArrayList<>();
            for (JsonObject m : got.subList(0, beforeStall)) {
                if (m.containsKey("seq")) {
                    assertFalse(m.containsKey("conflated"), "keeping up: nothing conflated " + m.encode());
                    firstSeqs.add(m.getLong("seq"));
                }
            }
            assertTrue(firstSeqs.size() > 1_000, firstSeqs.size() + " messages while keeping up");
            List<Long> queueSeqs = all.stream().map(Sequenced::seq).toList();
            int from = queueSeqs.indexOf(firstSeqs.get(0));
            assertEquals(queueSeqs.subList(from, from + firstSeqs.size()), firstSeqs, "keeping up: every message");

            // after the stall, first what was in the socket (its kernel buffers and write queue) when
            // it filled, then the backlog: from its first conflated tick on, every tick is the freshest
            // of its topic when written (no newer one of its topic for longer than the budget)
            long fresh = resumed - (BUDGET_MS + 200) * 1_000;
            Map<Long, Long> nextOfTopicTs = new HashMap<>();
            Map<String, Long> previousOfTopic = new HashMap<>();
            for (Sequenced s : all) {
                Long previous = previousOfTopic.put(s.message().topic(), s.seq());
                if (previous != null) {
                    nextOfTopicTs.put(previous, s.message().ts());
                }
            }
            int conflated = 0;
            for (JsonObject m : got.subList(atResume, got.size())) {
                if ("tick".equals(m.getString("type"))) {
                    conflated += m.getInteger("conflated", 0);
                    long superseded = nextOfTopicTs.getOrDefault(m.getLong("seq"), Long.MAX_VALUE);
                    assertTrue(conflated == 0 || superseded > fresh, "a tick from the backlog that a newer one of its "
                            + "topic replaced " + (resumed - superseded) / 1_000 + " ms before the stall ended ("
                            + (m.getLong("ts") - stalled) / 1_000 + " ms after it began): " + m.encode());
                }
            }
            assertTrue(conflated > 0, "the stall's ticks conflated");

            Map<Long, JsonObject> events = new HashMap<>();
            for (JsonObject m : got) {
                if (m.containsKey("event")) {
                    events.put(m.getLong("seq"), m);
                }
            }
            int late = 0;
            for (Sequenced s : all) {
                if (s.seq() >= firstSeqs.get(0) && s.message() instanceof Score score && score.event() != null) {
                    JsonObject m = events.get(s.seq());
                    assertTrue(m != null, "every score event: seq " + s.seq());
                    if (m.containsKey("late")) {
                        late++;
                        assertTrue(m.getLong("late") > BUDGET_MS, m.encode());
                    }
                }
            }
            assertTrue(late > 0, "score events that waited beyond the budget are marked late");
            assertTrue(Fixture.metric(server.port(), "tickstream_staleness_misses_total{outcome=\"late\"}") >= late);
        }
        Await.until(() -> Fixture.metric(server.port(), "tickstream_connection_staleness_misses_count") >= 1,
                Duration.ofSeconds(10), "the connection's misses recorded when it closed");
    }
}
