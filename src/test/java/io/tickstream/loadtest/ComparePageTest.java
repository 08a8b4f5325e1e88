package io.tickstream.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The --compare page from reports on disk, a report from before the timeline among them. */
class ComparePageTest {

    @TempDir
    Path dir;

    private static JsonObject report(String name, long p99, double perSecond) {
        return new JsonObject().put("scenario", name).put("url", "ws://127.0.0.1:1/ws").put("clients", 100)
                .put("seconds", 10.0).put("deliveriesPerSecond", perSecond).put("healthy", true)
                .put("latency", new JsonObject().put("p50", 300).put("p90", 900).put("p99", p99).put("p99.9", 2 * p99)
                        .put("p99.99", 3 * p99).put("max", 3 * p99));
    }

    @Test
    void shouldDrawBothRunsAndSayWhichIsBetter() throws Exception {
        JsonObject before = report("before", 8_000, 10_000);   // as reports were written before the timeline
        JsonObject after = report("after", 4_000, 12_000).put("timeline", new JsonArray()
                .add(new JsonObject().put("t", 1.0).put("deliveries", 12_000).put("connections", 100)
                        .put("p50", 300).put("p99", 4_000).put("conflated", 0).put("measured", true)));
        Files.writeString(dir.resolve("before.json"), before.encode());
        Files.writeString(dir.resolve("after.json"), after.encode());
        Path page = ComparePage.write(dir.resolve("before.json"), dir.resolve("after.json"), dir.resolve("out"));
        assertEquals("compare-before-after.html", page.getFileName().toString());
        String html = Files.readString(page);
        String percentiles = html.substring(html.indexOf("<svg"), html.indexOf("</svg>"));
        assertEquals(2, percentiles.split("class='series'", -1).length - 1, "both curves on the percentile plot");
        assertEquals(10, percentiles.split("<circle", -1).length - 1,
                "without a \"percentiles\" curve, each report's five percentiles of \"latency\"");
        assertTrue(html.contains("<td>p99 latency</td><td class='n'>8 ms</td><td class='n'>4 ms</td>"), html);
        assertTrue(html.matches("(?s).*<tr class='ok'><td>p99 latency</td>.*B better.*"), "a halved p99 is better");
        assertTrue(html.matches("(?s).*<tr class='ok'><td>deliveries/s</td>.*\\+20\\.0%.*"), "20% more deliveries");
    }

    @Test
    void shouldRefuseAFileThatIsNotAReport() throws Exception {
        Files.writeString(dir.resolve("a.json"), "{}");
        Files.writeString(dir.resolve("b.json"), report("b", 1, 1).encode());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ComparePage.write(dir.resolve("a.json"), dir.resolve("b.json"), dir));
        assertTrue(e.getMessage().contains("not a load-test report"), e.getMessage());
    }
}
