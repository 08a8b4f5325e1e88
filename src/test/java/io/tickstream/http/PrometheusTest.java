package io.tickstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.feed.FeedQueue;
import io.tickstream.replication.Endpoint;
import io.tickstream.replication.FeedPublisher;
import io.tickstream.support.External;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
import io.tickstream.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's Prometheus config, alert rules and Grafana dashboard, against a real
 * Prometheus scraping a real server and a real edge (fed by a real feed host): the configs pass
 * promtool, every PromQL expression of every panel returns data, every alert rule evaluates
 * without error, and the edge's alerts start when its feed host stops.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class PrometheusTest {

    @TempDir
    Path dir;

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The alert rules in alerts.yml. */
    private static final int RULES = 8;

    @Test
    void shouldPassPromtoolAndAnswerEveryPanelAndAlertFromARealScrape() throws Exception {
        String promtool = External.require("promtool");
        String prometheus = External.require("prometheus");
        assertTrue(External.run(dir.resolve("check-config.log"), promtool, "check", "config",
                "grafana/prometheus/prometheus.yml").contains("SUCCESS"));
        assertTrue(External.run(dir.resolve("check-rules.log"), promtool, "check", "rules",
                "grafana/prometheus/alerts.yml").contains("SUCCESS: " + RULES + " rules found"));

        // a feed host and an edge beside the plain server, so that the cluster row and rules have data
        Path queue = dir.resolve("queue");
        Vertx vertx = Vertx.vertx();
        Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(queue, 1000, 6));
        Fixture.awaitQueueGrowth(queue, 100, Duration.ofSeconds(30));
        Endpoint feedHost = new Endpoint("127.0.0.1", External.freeUdpPortPair());
        SingleChronicleQueue origin = FeedQueue.openForReading(queue, FeedQueue.rollCycle(FeedQueue.DEFAULT_ROLL_CYCLE));
        FeedPublisher publisher = FeedPublisher.start(origin, FeedQueue.nameOf(origin.rollCycle()), feedHost,
                dir.resolve("archive"), dir.resolve("aeron-publish"), 1);
        Thread publishing = new Thread(publisher::run, "test-publisher");
        publishing.start();
        try (ServerMain server = Fixture.startServer(Fixture.server(queue));
             ServerMain edge = Fixture.startServer(Fixture.server(dir.resolve("replica"))
                     .with(ServerConfig.UPSTREAM, feedHost.toString())
                     .with(ServerConfig.AERON_DIR, dir.resolve("aeron-edge")))) {
            System.gc(); // so that the GC panel has a pause to show
            // an edge takes WebSockets once it has caught up with its feed host (503 before)
            Fixture.await(edge::ready, Duration.ofSeconds(60), "the edge caught up");
            WsClient ws = WsClient.connect(WsClient.client(vertx), edge.port());
            ws.request(Messages.subscribeAll("1").json(), "subscribed");
            String edgeInstance = "127.0.0.1:" + edge.port();
            String serverInstance = "127.0.0.1:" + server.port();

            int port = External.freePort();
            String config = Files.readString(Path.of("grafana/prometheus/prometheus.yml"))
                    .replace("\"localhost:8080\"", "\"" + serverInstance + "\", \"" + edgeInstance + "\"")
                    .replace("scrape_interval: 5s", "scrape_interval: 1s")
                    .replace("evaluation_interval: 5s", "evaluation_interval: 1s")
                    .replace("- alerts.yml", "- " + Path.of("grafana/prometheus/alerts.yml").toAbsolutePath());
            Files.writeString(dir.resolve("prometheus.yml"), config);
            try (External.Running prom = External.start(dir.resolve("prometheus.log"), List.of(prometheus,
                    "--config.file=" + dir.resolve("prometheus.yml"), "--storage.tsdb.path=" + dir.resolve("tsdb"),
                    "--web.listen-address=127.0.0.1:" + port))) {
                External.awaitPort(prom, port, Duration.ofSeconds(30));
                Fixture.await(() -> samples(port, "tickstream_upstream_records_total") >= 5, Duration.ofSeconds(40),
                        "five scrapes of the edge");

                JsonObject dashboard = new JsonObject(Files.readString(Path.of("grafana/dashboards/tickstream.json")));
                List<String> exprs = new ArrayList<>();
                for (Object p : dashboard.getJsonArray("panels")) {
                    JsonArray targets = ((JsonObject) p).getJsonArray("targets");
                    for (Object t : targets == null ? new JsonArray() : targets) {   // a row has none
                        exprs.add(((JsonObject) t).getString("expr"));
                    }
                }
                assertTrue(exprs.size() >= 19, "panels: " + exprs.size());
                for (String metric : List.of("tickstream_upstream_lag_seconds", "tickstream_upstream_lag_records",
                        "tickstream_upstream_records_total",
                        "tickstream_upstream_catchups_total", "tickstream_upstream_disconnects_total",
                        "tickstream_ready")) {
                    assertTrue(exprs.stream().anyMatch(e -> e.contains(metric)), "a panel of " + metric);
                }
                for (String expr : exprs) {
                    JsonObject r = query(port, expr);
                    assertEquals("success", r.getString("status"), expr + ": " + r.encode());
                    assertFalse(r.getJsonObject("data").getJsonArray("result").isEmpty(), "no data for " + expr);
                }

                List<String> alertExprs = new ArrayList<>();
                Matcher m = Pattern.compile("(?m)^\\s+expr: (.+)$")
                        .matcher(Files.readString(Path.of("grafana/prometheus/alerts.yml")));
                while (m.find()) {
                    alertExprs.add(m.group(1));
                }
                assertEquals(RULES, alertExprs.size());
                for (String expr : alertExprs) {
                    assertEquals("success", query(port, expr).getString("status"), expr);
                }
                Fixture.await(() -> rulesHealthy(port), Duration.ofSeconds(20), "every rule evaluated, health ok");

                // the feed host gone: the edge's not-ready and lagging alerts start (pending for their minute)
                publisher.stop();
                publishing.join(10_000);
                Fixture.await(() -> alerting(port, "TickstreamNotReady", edgeInstance)
                        && alerting(port, "TickstreamEdgeLagging", edgeInstance), Duration.ofSeconds(30),
                        "the edge's not-ready and lagging alerts");
                assertFalse(alerting(port, "TickstreamNotReady", serverInstance), "the plain server is ready");
            }
        } finally {
            publisher.stop();
            sim.stop();
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    /** Whether alert {@code name} is pending or firing for {@code instance}. */
    private static boolean alerting(int port, String name, String instance) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/v1/alerts")).build(), HttpResponse.BodyHandlers.ofString());
            for (Object a : new JsonObject(r.body()).getJsonObject("data").getJsonArray("alerts")) {
                JsonObject labels = ((JsonObject) a).getJsonObject("labels");
                if (name.equals(labels.getString("alertname")) && instance.equals(labels.getString("instance"))) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    private static JsonObject query(int port, String expr) throws Exception {
        String url = "http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        return new JsonObject(r.body());
    }

    private static int samples(int port, String metric) {
        try {
            JsonArray result = query(port, "count_over_time(" + metric + "[1m])").getJsonObject("data")
                    .getJsonArray("result");
            return result.isEmpty() ? 0 : Integer.parseInt(result.getJsonObject(0).getJsonArray("value").getString(1));
        } catch (Exception e) {
            return 0;
        }
    }

    private static boolean rulesHealthy(int port) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/v1/rules")).build(), HttpResponse.BodyHandlers.ofString());
            JsonArray groups = new JsonObject(r.body()).getJsonObject("data").getJsonArray("groups");
            int rules = 0;
            for (Object g : groups) {
                for (Object rule : ((JsonObject) g).getJsonArray("rules")) {
                    JsonObject ru = (JsonObject) rule;
                    if (!"ok".equals(ru.getString("health"))) {
                        return false;
                    }
                    rules++;
                }
            }
            return rules == RULES;
        } catch (Exception e) {
            return false;
        }
    }
}
