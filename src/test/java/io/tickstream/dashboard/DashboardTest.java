package io.tickstream.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.feed.Sequenced;
import io.tickstream.feed.TopicPattern;
import io.tickstream.support.Chromium;
import io.tickstream.support.Fixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/** The dashboard page in Debian's headless Chromium, against a real server and simulator. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DashboardTest {

    @TempDir
    Path dir;

    private WebDriver browser() {
        return Chromium.start(dir.resolve("chrome"));
    }

    private static Object js(WebDriver b, String script) {
        return ((JavascriptExecutor) b).executeScript(script);
    }

    private static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        Fixture.await(() -> {
            try {
                return condition.get();
            } catch (RuntimeException e) {
                return false;
            }
        }, Duration.ofSeconds(20), what);
    }

    /** How many ticks the chart draws, from its caption ("last 123.45 · 17 ticks"), or 0. */
    private static int chartedTicks(WebDriver b) {
        Matcher m = Pattern.compile("(\\d+) ticks").matcher(b.findElement(By.id("chart-sub")).getText());
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static String cell(WebDriver b, String symbol, String cls) {
        return b.findElement(By.cssSelector("tr.row[data-symbol='" + symbol + "'] ." + cls)).getText();
    }

    @Test
    void shouldShowLivePricesAndScoresKeepTheWatchlistAndResumeAcrossARestart() throws Exception {
        Path queue = dir.resolve("queue");
        ServerConfig config = Fixture.server(queue).with(ServerConfig.HEARTBEAT_MS, 1000);
        Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(queue, 1500, 12));
        ServerMain server = Fixture.startServer(config);
        int port = server.port();
        WebDriver b = browser();
        try {
            b.get("http://127.0.0.1:" + port + "/");
            await(() -> !cell(b, "AAPL", "last").isBlank() && !cell(b, "AAPL", "last").equals("–"), "a price");
            String first = cell(b, "AAPL", "last") + cell(b, "MSFT", "last") + cell(b, "NVDA", "last");
            await(() -> !first.equals(cell(b, "AAPL", "last") + cell(b, "MSFT", "last") + cell(b, "NVDA", "last")),
                    "prices change on screen");
            await(() -> b.findElements(By.cssSelector("#matches .match")).size() >= 10, "the scoreboard fills");
            assertFalse(b.findElements(By.cssSelector("#matches .badge.live")).isEmpty(), "live matches");
            await(() -> !b.findElements(By.cssSelector("#events li")).isEmpty(), "match events listed");
            await(() -> !b.findElement(By.id("rate")).getText().equals("0"), "messages/s shown");

            // The server stops and starts again: the page says so, reconnects and resumes.
            server.close();
            await(() -> b.findElement(By.id("conn-text")).getText().startsWith("disconnected"), "shows the outage");
            long reconnects = ((Number) js(b, "return window.tickstream.reconnects")).longValue();
            await(() -> ((Number) js(b, "return window.tickstream.reconnects")).longValue() > reconnects,
                    "a reconnect attempt to fail while the server is down");
            server = Fixture.startServer(config.with(ServerConfig.PORT, port));
            long seqAtRestart = ((Number) js(b, "return window.tickstream.lastSeq()")).longValue();
            await(() -> "open".equals(js(b, "return window.tickstream.state"))
                    && ((Number) js(b, "return window.tickstream.lastSeq()")).longValue() > seqAtRestart + 100,
                    "data flows again after the restart");
            sim.stop();
            long end = Fixture.readQueue(queue).stream().mapToLong(Sequenced::seq).max().orElseThrow();
            List<String> watch = new ArrayList<>();
            for (Object s : (List<?>) js(b, "return window.tickstream.watch")) {
                watch.add("stocks." + s);
            }
            watch.add("sports.>");
            List<TopicPattern> patterns = watch.stream().map(TopicPattern::parse).toList();
            List<Sequenced> all = Fixture.readQueue(queue);
            long lastOwed = all.stream().filter(s -> patterns.stream().anyMatch(p -> p.matches(s.message().topic())))
                    .mapToLong(Sequenced::seq).max().orElseThrow();
            await(() -> ((Number) js(b, "return window.tickstream.lastSeq()")).longValue() == lastOwed,
                    "the page received the last message");
            List<Long> seen = new ArrayList<>();
            for (Object e : (List<?>) js(b, "return window.tickstream.log")) {
                seen.add(((Number) ((List<?>) e).get(1)).longValue());
            }
            long from = seen.get(0);
            List<Long> owed = all.stream().filter(s -> s.seq() >= from && s.seq() <= end)
                    .filter(s -> patterns.stream().anyMatch(p -> p.matches(s.message().topic())))
                    .map(Sequenced::seq).toList();
            assertEquals(owed, seen, "every message of the page's topics once, in order, across the restart");

            // Watchlist edits, kept in localStorage across a reload.
            b.findElement(By.id("add-symbol")).sendKeys("NFLX");
            b.findElement(By.cssSelector("#add-form button")).click();
            await(() -> !b.findElements(By.cssSelector("tr.row[data-symbol='NFLX']")).isEmpty(), "NFLX added");
            b.findElement(By.cssSelector("tr.row[data-symbol='MSFT'] button.remove")).click();
            await(() -> b.findElements(By.cssSelector("tr.row[data-symbol='MSFT']")).isEmpty(), "MSFT removed");
            b.navigate().refresh();
            await(() -> !b.findElements(By.cssSelector("tr.row[data-symbol='NFLX']")).isEmpty(), "NFLX kept");
            assertTrue(b.findElements(By.cssSelector("tr.row[data-symbol='MSFT']")).isEmpty(), "MSFT stays removed");

            Fixture.RunningSimulator again = Fixture.startSimulator(Fixture.simulator(queue, 1500, 13));
            try {
                await(() -> !cell(b, "NFLX", "last").equals("–") && !cell(b, "NFLX", "last").isBlank(), "NFLX priced");
                b.findElement(By.cssSelector("tr.row[data-symbol='NVDA']")).click();
                await(() -> b.findElement(By.id("chart-title")).getText().equals("NVDA"), "chart follows selection");
                await(() -> chartedTicks(b) >= 2, "a line on the NVDA chart");
                Files.createDirectories(Path.of("target"));
                Files.write(Path.of("target/dashboard.png"), ((TakesScreenshot) b).getScreenshotAs(OutputType.BYTES));
                assertNotEquals("", b.findElement(By.id("chart-sub")).getText());
            } finally {
                again.stop();
            }
        } finally {
            b.quit();
            sim.stop();
            server.close();
        }
    }
}
