package io.tickstream.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.config.SimulatorConfig;
import io.tickstream.feed.FeedQueue;
import io.tickstream.support.Await;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
import io.tickstream.support.TestStack;
import io.tickstream.support.WsClient;
import io.vertx.core.http.WebSocketClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.RollCycle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A queue that rolls to a new file every second: live delivery and a resume that spans roll
 * boundaries see every message once, in order ({@code seq} jumps at each boundary, which is not
 * a gap).
 */
class RollOverTest {

    private static final RollCycle ROLL = FeedQueue.rollCycle("TEST_SECONDLY");

    @Test
    void shouldDeliverAndResumeAcrossRollBoundariesWithNothingMissingOrTwice(@TempDir Path queue) throws Exception {
        try (TestStack stack = new TestStack()) {
            WebSocketClient client = stack.client();
            ServerMain server = stack.server(Fixture.server(queue).with(ServerConfig.ROLL_CYCLE, "TEST_SECONDLY"));
            try (WsClient live = WsClient.connect(client, server.port())) {
                live.request(Fixture.subscribeAll("all"), "subscribed");
                Fixture.RunningSimulator sim = stack.simulator(Fixture.simulator(queue, 800, 3)
                        .with(SimulatorConfig.ROLL_CYCLE, "TEST_SECONDLY"));
                List<Long> resumed = new ArrayList<>();
                long last;
                try (WsClient first = WsClient.connect(client, server.port())) {
                    first.request(Fixture.subscribeAll("all"), "subscribed");
                    Await.until(() -> cycle(first.liveSeqs(), true) > cycle(first.liveSeqs(), false),
                            Duration.ofSeconds(20), "the first client to receive messages of two cycles");
                    first.close();
                    resumed.addAll(first.liveSeqs());
                }
                last = resumed.get(resumed.size() - 1);
                long away = ROLL.toCycle(last);
                Await.until(() -> cycle(live.liveSeqs(), true) >= away + 2, Duration.ofSeconds(20),
                        "the queue to roll twice while this client is away");
                try (WsClient again = WsClient.connect(client, server.port())) {
                    again.request(Messages.subscribeAll("all").from(last).json(), "subscribed");
                    long back = cycle(live.liveSeqs(), true);
                    Await.until(() -> cycle(again.liveSeqs(), true) > back, Duration.ofSeconds(20),
                            "the resumed client to receive messages of a cycle after its return");
                    sim.stop();
                    List<Long> inQueue = Fixture.queueSeqs(queue);
                    long end = inQueue.get(inQueue.size() - 1);
                    Fixture.await(() -> {
                        List<Long> s = again.liveSeqs();
                        return !s.isEmpty() && s.get(s.size() - 1) == end;
                    }, Duration.ofSeconds(20), "the resumed client to reach the end of the queue");
                    Fixture.await(() -> {
                        List<Long> s = live.liveSeqs();
                        return !s.isEmpty() && s.get(s.size() - 1) == end;
                    }, Duration.ofSeconds(20), "the live client to reach the end of the queue");
                    resumed.addAll(again.liveSeqs());

                    long cycles;
                    try (Stream<Path> files = Files.list(queue)) {
                        cycles = files.filter(f -> f.toString().endsWith(".cq4")).count();
                    }
                    assertTrue(cycles >= 4, "the queue rolled: " + cycles + " cycle files");
                    Fixture.assertSameSeqs(inQueue, live.liveSeqs(), "live: every message once, in order");
                    long first = resumed.get(0);
                    Fixture.assertSameSeqs(inQueue.stream().filter(s -> s >= first).toList(), resumed,
                            "dropped and resumed across roll boundaries: every message once, in order");
                }
            }
        }
    }

    /** The roll cycle of the newest ({@code newest}) or the oldest of {@code seqs}, or -1 when there are none. */
    private static long cycle(List<Long> seqs, boolean newest) {
        return seqs.isEmpty() ? -1 : ROLL.toCycle(seqs.get(newest ? seqs.size() - 1 : 0));
    }
}
