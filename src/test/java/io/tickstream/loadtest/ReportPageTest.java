package io.tickstream.loadtest;

import static io.tickstream.loadtest.LoadTestSettings.ALL_STOCKS_SHARE;
import static io.tickstream.loadtest.LoadTestSettings.CLIENTS;
import static io.tickstream.loadtest.LoadTestSettings.DURATION;
import static io.tickstream.loadtest.LoadTestSettings.MATCHES;
import static io.tickstream.loadtest.LoadTestSettings.NAME;
import static io.tickstream.loadtest.LoadTestSettings.OUT;
import static io.tickstream.loadtest.LoadTestSettings.SYMBOLS;
import static io.tickstream.loadtest.LoadTestSettings.URL;
import static io.tickstream.loadtest.LoadTestSettings.WARMUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.support.Chromium;
import io.tickstream.support.Fixture;
import io.tickstream.support.SuiteOrder;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The report pages as a user sees them, in Debian's headless Chromium: two short real runs against
 * a real server, each one's NAME.html and the --compare page of the two.
 */
@Tag(SuiteOrder.LOAD)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReportPageTest {

    /** Every text of every plot: its content and whether it lies wholly inside its plot. */
    private static final String TEXTS = """
            return [...document.querySelectorAll('svg.chart')].map(svg => {
              const box = svg.getBoundingClientRect();
              return [...svg.querySelectorAll('text')].map(t => {
                const r = t.getBoundingClientRect();
                return {text: t.textContent, inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5
                  && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5};
              });
            });""";

    @TempDir
    Path dir;

    @Test
    void shouldShowEachRunAndTheirComparisonDrawnInTheBrowserWithNothingFetched() throws Exception {
        Path queue = dir.resolve("queue");
        Path out = dir.resolve("reports");
        Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(queue, 500, 5));
        WebDriver b = null;
        try (ServerMain server = Fixture.startServer(Fixture.server(queue))) {
            Fixture.await(server::ready, Duration.ofSeconds(20), "ready");
            Fixture.awaitTopics(server.port(), 300, Duration.ofSeconds(20));
            LoadTestSettings a = LoadTestSettings.SETTINGS.defaults()
                    .with(URL, URI.create("ws://127.0.0.1:" + server.port() + "/ws")).with(CLIENTS, 100)
                    .with(DURATION, 5).with(SYMBOLS, 5).with(MATCHES, 1).with(ALL_STOCKS_SHARE, 0.2).with(WARMUP, 1)
                    .with(OUT, out).with(NAME, "a");
            run(a);
            run(a.with(CLIENTS, 200).with(NAME, "b"));
            Path compare = ComparePage.write(out.resolve("a.json"), out.resolve("b.json"), out);
            JsonObject json = new JsonObject(Files.readString(out.resolve("a.json")));
            // a point a second of the 5 s run, and one for a part second at the end when the seconds drifted
            int pointsA = json.getJsonArray("timeline").size();
            assertTrue(pointsA == 5 || pointsA == 6, "a point a second of the 5 s run: " + pointsA);
            int pointsB = new JsonObject(Files.readString(out.resolve("b.json"))).getJsonArray("timeline").size();

            b = Chromium.start(dir.resolve("chrome"));
            WebDriver page = b;
            page.get(out.resolve("a.html").toUri().toString());
            assertEquals("Load test: a", page.getTitle());
            List<List<Map<String, Object>>> texts = texts(page);
            assertEquals(5, texts.size(), "the percentile plot and four timeline plots");
            assertNothingClipped(texts);
            List<String> percentileLabels = texts.get(0).stream().map(t -> (String) t.get("text")).toList();
            assertTrue(percentileLabels.containsAll(List.of("0%", "90%", "99%", "99.9%")), percentileLabels.toString());
            assertTrue(percentileLabels.stream().anyMatch(l -> l.matches("\\d+(\\.\\d+)? ms")), percentileLabels.toString());
            long max = json.getJsonObject("latency").getLong("max");
            assertTrue(percentileLabels.stream().filter(l -> l.matches("[\\d.]+ (µs|ms|s)")).mapToDouble(ReportPageTest::micros)
                    .max().orElse(0) >= max, "the latency axis reaches the maximum, " + max + " µs: " + percentileLabels);
            assertEquals(json.getJsonArray("percentiles").size(), number(page,
                    "return document.querySelector('svg.chart').querySelectorAll('circle.point').length"),
                    "a point of the curve for each percentile in the report");
            double width = number(page, "return document.querySelector('svg.chart').getBoundingClientRect().width");
            double body = number(page, "return document.body.clientWidth");
            assertTrue(width >= 0.9 * body, "the percentile plot uses the page's width: " + width + " of " + body);
            double curve = number(page, "return document.querySelector('svg.chart path.series').getBoundingClientRect().width");
            assertTrue(curve >= 0.5 * width, "the curve spans the plot: " + curve + " of " + width);
            assertEquals((long) pointsA, number(page, "return document.querySelectorAll('.grid2 svg.chart')[0]"
                    + ".querySelectorAll('circle.point').length"), "deliveries/s: a point a second");
            String text = (String) js(page, "return document.body.innerText");
            assertTrue(text.contains("Disconnects by close code"), text);
            assertTrue(text.contains("messages delivered/s"), "the server's figures beside the harness's: " + text);
            assertTrue(text.contains("symbolsPerClient"), "the settings: " + text);
            assertNothingFetchedAndNoErrors(page);
            screenshot(page, "report.png");

            page.get(compare.toUri().toString());
            assertEquals("Load test comparison: a vs b", page.getTitle());
            List<List<Map<String, Object>>> compared = texts(page);
            assertNothingClipped(compared);
            assertEquals(2L, number(page, "return document.querySelector('svg.chart').querySelectorAll('path.series')"
                    + ".length"), "both percentile curves on one plot");
            assertEquals((long) pointsA + pointsB, number(page, "return document.querySelectorAll('.grid2 svg.chart')[0]"
                    + ".querySelectorAll('circle.point').length"), "both timelines, a point a second each");
            String figures = (String) js(page, "return document.querySelector('table.figures').innerText");
            assertTrue(figures.contains("deliveries/s") && figures.contains("B − A") && figures.contains("p99 latency"),
                    figures);
            assertTrue(figures.matches("(?s).*connected at the end\\s+100\\s+200\\s+\\+100 \\(\\+100\\.0%\\).*"), figures);
            assertNothingFetchedAndNoErrors(page);
            screenshot(page, "report-compare.png");
        } finally {
            if (b != null) {
                b.quit();
            }
            sim.stop();
        }
    }

    /** Leaves what the browser showed in target/, for a person to look at (as DashboardTest does). */
    private static void screenshot(WebDriver page, String name) throws Exception {
        Files.createDirectories(Path.of("target"));
        long height = number(page, "return document.documentElement.scrollHeight");
        page.manage().window().setSize(new Dimension(1400, (int) Math.min(6000, height + 40)));
        Files.write(Path.of("target", name), ((TakesScreenshot) page).getScreenshotAs(OutputType.BYTES));
        page.manage().window().setSize(new Dimension(1400, 1000));
    }

    private static void run(LoadTestSettings settings) throws Exception {
        Report r = new LoadTest(settings.toConfig(), new PrintStream(OutputStream.nullOutputStream())).run();
        assertTrue(r.delivered() > 0, "a run that measured something: " + r.toJson().encode());
        r.write();
    }

    @SuppressWarnings("unchecked")
    private static List<List<Map<String, Object>>> texts(WebDriver page) {
        return (List<List<Map<String, Object>>>) js(page, TEXTS);
    }

    private static void assertNothingClipped(List<List<Map<String, Object>>> plots) {
        for (List<Map<String, Object>> texts : plots) {
            for (Map<String, Object> t : texts) {
                assertTrue((Boolean) t.get("inside"), "label '" + t.get("text") + "' inside its plot");
            }
        }
    }

    private static void assertNothingFetchedAndNoErrors(WebDriver page) {
        assertEquals(0L, number(page, "return performance.getEntriesByType('resource').length"),
                "nothing fetched at view time");
        assertEquals(0L, number(page, "return document.querySelectorAll('script[src],link[href],img,iframe').length"));
        List<LogEntry> errors = page.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()).toList();
        assertEquals(List.of(), errors, "the console");
    }

    private static double micros(String label) {
        String[] p = label.split(" ");
        double v = Double.parseDouble(p[0]);
        return p[1].equals("s") ? v * 1e6 : p[1].equals("ms") ? v * 1e3 : v;
    }

    private static long number(WebDriver page, String script) {
        return Math.round(((Number) js(page, script)).doubleValue());
    }

    private static Object js(WebDriver page, String script) {
        return ((JavascriptExecutor) page).executeScript(script);
    }
}
