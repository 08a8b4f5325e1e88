package io.tickstream.loadtest;

import static io.tickstream.loadtest.LoadTestSettings.ALL_STOCKS_SHARE;
import static io.tickstream.loadtest.LoadTestSettings.CLIENTS;
import static io.tickstream.loadtest.LoadTestSettings.CONTIGUOUS;
import static io.tickstream.loadtest.LoadTestSettings.DURATION;
import static io.tickstream.loadtest.LoadTestSettings.MATCHES;
import static io.tickstream.loadtest.LoadTestSettings.NAME;
import static io.tickstream.loadtest.LoadTestSettings.OUT;
import static io.tickstream.loadtest.LoadTestSettings.RAMP;
import static io.tickstream.loadtest.LoadTestSettings.SEED;
import static io.tickstream.loadtest.LoadTestSettings.SYMBOLS;
import static io.tickstream.loadtest.LoadTestSettings.URL;
import static io.tickstream.loadtest.LoadTestSettings.WARMUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.config.SimulatorConfig;
import io.tickstream.support.Fixture;
import io.tickstream.support.SuiteOrder;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A short run of the harness against a real server: counts, latency recorded, no gaps. */
@Tag(SuiteOrder.LOAD)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LoadTestSmokeTest {

    @TempDir
    Path dir;

    @Test
    void shouldMeasureAFewHundredSubscribersWithoutGaps() throws Exception {
        Path queue = dir.resolve("queue");
        // No matches: stocks.* then covers the whole feed, so seq must be contiguous.
        Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(queue, 500, 3)
                .with(SimulatorConfig.MATCHES, 0).with(SimulatorConfig.MATCH_MINUTE_MS, 1000));
        try (ServerMain server = Fixture.startServer(Fixture.server(queue))) {
            Fixture.await(() -> server.ready(), Duration.ofSeconds(20), "ready");
            Fixture.awaitTopics(server.port(), 300, Duration.ofSeconds(20));   // the harness picks among these
            LoadTestSettings smoke = LoadTestSettings.SETTINGS.defaults()
                    .with(URL, URI.create("ws://127.0.0.1:" + server.port() + "/ws"))
                    .with(CLIENTS, 300).with(DURATION, 4).with(RAMP, 1000).with(SYMBOLS, 5).with(MATCHES, 0)
                    .with(ALL_STOCKS_SHARE, 0.5).with(OUT, dir.resolve("bench")).with(NAME, "smoke").with(SEED, 1)
                    .with(WARMUP, 1);
            LoadTest.Config config = smoke.toConfig();
            Report r = new LoadTest(config, new PrintStream(OutputStream.nullOutputStream())).run();
            assertEquals(300, r.connectedAtEnd());
            assertEquals(0, r.failedToConnect());
            assertTrue(r.delivered() > 10_000, "delivered " + r.delivered());
            assertEquals(r.delivered(), r.latency().getTotalCount(), "latency of every measured delivery recorded");
            assertEquals(0, r.reorders());
            assertTrue(r.healthy());
            r.write();
            JsonObject json = new JsonObject(Files.readString(dir.resolve("bench/smoke.json")));
            assertEquals(r.delivered(), json.getLong("delivered"));
            // a run shorter than the last-seconds window: the window holds every measured delivery
            assertEquals(r.latency().getTotalCount(), r.recentLatency().getTotalCount());
            assertEquals(r.latency().getTotalCount(), json.getJsonObject("latencyLastSeconds").getLong("count"));
            assertTrue(Files.readString(dir.resolve("bench/smoke.html")).contains("<svg"));
            // a point a second: the 4 s run is 4 seconds, the last ending at the run's end, and one more
            // for a part second when the progress loop's seconds drifted
            int points = json.getJsonArray("timeline").size();
            assertTrue(points == 4 || points == 5, json.getJsonArray("timeline").encode());
            assertTrue(json.getJsonArray("timeline").getJsonObject(3).getInteger("connections") > 0);
            assertTrue(json.getJsonArray("timeline").getJsonObject(3).getLong("deliveries") > 0);
            JsonObject figures = json.getJsonObject("server");
            assertTrue(figures.getBoolean("available"), figures.encode());
            assertTrue(figures.getDouble("messagesSentPerSecond") > 0, figures.encode());
            assertTrue(figures.getDouble("connections") > 0, figures.encode());
            assertTrue(figures.getJsonObject("deliveryLatencyMicros").getDouble("p99") > 0, figures.encode());

            LoadTest.Config contiguous = smoke.with(CLIENTS, 50).with(DURATION, 3).with(SYMBOLS, 0)
                    .with(ALL_STOCKS_SHARE, 1).with(CONTIGUOUS, true).with(NAME, "contiguous").with(SEED, 2)
                    .with(WARMUP, 0).toConfig();
            Report c = new LoadTest(contiguous, new PrintStream(OutputStream.nullOutputStream())).run();
            assertTrue(c.delivered() > 1000);
            assertEquals(0, c.gaps(), "stocks.* over a stocks-only feed: no seq gap");
        } finally {
            sim.stop();
        }
    }
}
