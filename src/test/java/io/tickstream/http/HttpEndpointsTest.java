package io.tickstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.config.SimulatorConfig;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
import io.tickstream.support.TestStack;
import io.tickstream.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpEndpointsTest {

    @Test
    void shouldServeHealthTopicsMetricsAndThePage(@TempDir Path queue) throws Exception {
        try (TestStack stack = new TestStack()) {
            stack.simulator(Fixture.simulator(queue, 1000, 3));
            ServerMain server = stack.server(Fixture.server(queue));
            int port = server.port();
            assertEquals(200, Fixture.get(port, "/health/live").statusCode());
            Fixture.await(() -> status(port, "/health/ready") == 200, Duration.ofSeconds(20), "ready");

            Fixture.await(() -> topics(port).size() > 50, Duration.ofSeconds(20), "topics");
            JsonArray topics = topics(port);
            JsonObject first = topics.getJsonObject(0);
            assertEquals(first.getString("topic"), first.getJsonObject("latest").getString("topic"));
            assertTrue(topics.stream().map(o -> ((JsonObject) o).getString("topic"))
                    .anyMatch(t -> t.startsWith("sports.football.")), "scores among the topics");

            HttpResponse<String> page = Fixture.get(port, "/");
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<html"), page.body());
            assertEquals(400, Fixture.get(port, "/ws").statusCode(), "plain GET on /ws asks for an upgrade");
            assertEquals(404, Fixture.get(port, "/nope").statusCode());

            WsClient ws = WsClient.connect(stack.client(), port);
            ws.request(Messages.subscribeAll("1").json(), "subscribed");
            ws.awaitMessage(m -> "tick".equals(m.getString("type")) && !m.getBoolean("snapshot", false),
                    Duration.ofSeconds(10));
            ws.awaitMessage(m -> "score".equals(m.getString("type")) && !m.getBoolean("snapshot", false),
                    Duration.ofSeconds(10));

            String metrics = Fixture.get(port, "/metrics").body();
            for (String name : new String[] {"tickstream_connections 1.0", "tickstream_subscriptions 2.0",
                "tickstream_feed_messages_total{kind=\"tick\"}", "tickstream_feed_messages_total{kind=\"score\"}",
                "tickstream_messages_sent_total{kind=\"tick\"}", "tickstream_messages_sent_total{kind=\"score\"}",
                "tickstream_bytes_sent_total", "tickstream_delivery_latency_seconds_bucket{le=\"1.0E-4\"}",
                "tickstream_tailer_lag_seconds", "jvm_memory_used_bytes", "vertx_http_server_active_ws_connections"}) {
                assertTrue(metrics.contains(name), "metrics have " + name);
            }
            assertTrue(Fixture.metric(port, "tickstream_messages_sent_total{kind=\"tick\"}") > 0);
            assertTrue(Fixture.metric(port, "tickstream_messages_sent_total{kind=\"score\"}") > 0);
            assertTrue(Fixture.metric(port, "tickstream_bytes_sent_total") > 0);
            assertTrue(Fixture.metric(port, "tickstream_delivery_latency_seconds_count") > 0);
            assertTrue(metrics.matches("(?s).*tickstream_network_transport\\{transport=\"(epoll|io_uring|nio)\"} 1\\.0.*"),
                    "metrics name the event loops' transport");
            double allocated = Fixture.metric(port, "jvm_allocated_bytes_total");
            Fixture.await(() -> metricOr(port, "jvm_allocated_bytes_total") > allocated, Duration.ofSeconds(10),
                    "jvm_allocated_bytes_total counts as the server allocates, not only at a collection");
            ws.close();
            Fixture.await(() -> metricOr(port, "tickstream_connections") == 0, Duration.ofSeconds(10),
                    "connection gauge back to 0");
            assertEquals(0, Fixture.metric(port, "tickstream_subscriptions"));
        }
    }

    @Test
    void shouldTurnReadyOnlyOnceTheBacklogIsRead(@TempDir Path queue) throws Exception {
        SimulatorConfig fast = Fixture.simulator(queue, 1_000_000, 4).with(SimulatorConfig.COUNT, 200_000);
        Fixture.RunningSimulator sim = Fixture.startSimulator(fast);
        sim.thread().join(60_000);
        try (ServerMain server = Fixture.startServer(Fixture.server(queue).with(ServerConfig.FROM_START, true))) {
            int port = server.port();
            Fixture.await(() -> status(port, "/health/ready") == 200, Duration.ofSeconds(30), "ready");
            double read = Fixture.metric(port, "tickstream_feed_messages_total{kind=\"tick\"}")
                    + Fixture.metric(port, "tickstream_feed_messages_total{kind=\"score\"}");
            assertEquals(200_000, read, "ready means every message in the queue has been read");
            assertEquals("{\"status\":\"ready\"}", Fixture.get(port, "/health/ready").body());
        }
    }

    private static int status(int port, String path) {
        try {
            return Fixture.get(port, path).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static JsonArray topics(int port) {
        try {
            return new JsonArray(Fixture.get(port, "/api/topics").body());
        } catch (Exception e) {
            return new JsonArray();
        }
    }

    private static double metricOr(int port, String name) {
        try {
            return Fixture.metric(port, name);
        } catch (Exception e) {
            return -1;
        }
    }
}
