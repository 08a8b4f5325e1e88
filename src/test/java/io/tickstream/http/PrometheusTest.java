package io.tickstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's Prometheus config, alert rules and Grafana dashboard, against a real
 * Prometheus scraping a real server: the configs pass promtool, and every PromQL expression of
 * every panel returns data and every alert rule evaluates without error.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class PrometheusTest {

    @TempDir
    Path dir;

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void shouldPassPromtoolAndAnswerEveryPanelAndAlertFromARealScrape() throws Exception {
        String promtool = External.require("promtool");
        String prometheus = External.require("prometheus");
        assertTrue(External.run(dir.resolve("check-config.log"), promtool, "check", "config",
                "grafana/prometheus/prometheus.yml").contains("SUCCESS"));
        assertTrue(External.run(dir.resolve("check-rules.log"), promtool, "check", "rules",
                "grafana/prometheus/alerts.yml").contains("SUCCESS: 5 rules found"));

        Path queue = dir.resolve("queue");
        Vertx vertx = Vertx.vertx();
        Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(queue, 1000, 6));
        try (ServerMain server = Fixture.startServer(Fixture.server(queue))) {
            System.gc(); // so that the GC panel has a pause to show
            WsClient ws = WsClient.connect(WsClient.client(vertx), server.port());
            ws.request(Messages.subscribeAll("1").json(), "subscribed");

            int port = External.freePort();
            String config = Files.readString(Path.of("grafana/prometheus/prometheus.yml"))
                    .replace("localhost:8080", "127.0.0.1:" + server.port())
                    .replace("scrape_interval: 5s", "scrape_interval: 1s")
                    .replace("evaluation_interval: 5s", "evaluation_interval: 1s")
                    .replace("- alerts.yml", "- " + Path.of("grafana/prometheus/alerts.yml").toAbsolutePath());
            Files.writeString(dir.resolve("prometheus.yml"), config);
            try (External.Running prom = External.start(dir.resolve("prometheus.log"), List.of(prometheus,
                    "--config.file=" + dir.resolve("prometheus.yml"), "--storage.tsdb.path=" + dir.resolve("tsdb"),
                    "--web.listen-address=127.0.0.1:" + port))) {
                External.awaitPort(prom, port, Duration.ofSeconds(30));
                Fixture.await(() -> samples(port, "tickstream_connections") >= 5, Duration.ofSeconds(40),
                        "five scrapes");

                JsonObject dashboard = new JsonObject(Files.readString(Path.of("grafana/dashboards/tickstream.json")));
                List<String> exprs = new ArrayList<>();
                for (Object p : dashboard.getJsonArray("panels")) {
                    for (Object t : ((JsonObject) p).getJsonArray("targets")) {
                        exprs.add(((JsonObject) t).getString("expr"));
                    }
                }
                assertTrue(exprs.size() >= 13, "panels: " + exprs.size());
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
                assertEquals(5, alertExprs.size());
                for (String expr : alertExprs) {
                    assertEquals("success", query(port, expr).getString("status"), expr);
                }
                Fixture.await(() -> rulesHealthy(port), Duration.ofSeconds(20), "every rule evaluated, health ok");
            }
        } finally {
            sim.stop();
            vertx.close().await(10, TimeUnit.SECONDS);
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
            return rules == 5;
        } catch (Exception e) {
            return false;
        }
    }
}
