package io.tickstream.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.config.SimulatorConfig;
import io.tickstream.feed.Score;
import io.tickstream.feed.ScoreEvent;
import io.tickstream.feed.Sequenced;
import io.tickstream.feed.Tick;
import io.tickstream.feed.TopicPattern;
import io.tickstream.support.Chromium;
import io.tickstream.support.Fixture;
import io.tickstream.support.PageLog;
import io.tickstream.support.TestStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/** The dashboard page in Debian's headless Chromium, against a real server and simulator. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DashboardTest {

    @TempDir
    Path dir;

    private WebDriver browser() {
        return Chromium.start(dir.resolve("chrome"));
    }

    private static Object js(WebDriver b, String script, Object... args) {
        return ((JavascriptExecutor) b).executeScript(script, args);
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

    private static final Pattern MILLIS = Pattern.compile("-?\\d+(\\.\\d+)? ms");

    /**
     * Waits until the status bar shows where the latency of {@code symbol} goes, a number for each
     * stage, and checks that they are not negative, and that the page's client has one subscription
     * with trace, of the symbol alone, and in. From then on, the page counts the messages that carry
     * a trace by topic, for {@link #assertTracedOnly}.
     */
    @SuppressWarnings("unchecked")
    private static void awaitStagesOf(WebDriver b, String symbol) throws InterruptedException {
        List<String> shown = new ArrayList<>();
        await(() -> {
            shown.clear();
            shown.addAll((List<String>) js(b, "return ['stages-symbol', 'stage-feed', 'stage-server', 'stage-network']"
                    + ".map(id => document.getElementById(id).textContent)"));
            return shown.get(0).equals(symbol) && shown.subList(1, 4).stream().allMatch(t -> MILLIS.matcher(t).matches());
        }, "the latency stages of " + symbol + " in the status bar");
        for (String stage : shown.subList(1, 4)) {
            assertTrue(Double.parseDouble(stage.substring(0, stage.length() - 3)) >= 0, symbol + ": " + shown);
        }
        String title = b.findElement(By.id("stages")).getAttribute("title");
        assertTrue(title.startsWith("Where the latency of " + symbol + " goes") && title.contains("inside the server"), title);
        assertEquals(Map.of("symbol", symbol, "topics", List.of("stocks." + symbol), "state", "active"),
                js(b, "return window.tickstream.traced()"), "the page's traced subscription");
        assertEquals(List.of(List.of("stocks." + symbol)), js(b, "return [...window.tickstream.client._subs.values()]"
                + ".filter(s => s.options.trace).map(s => s.topics)"), "the client's subscriptions with trace");
        js(b, "const t = window.tickstream; t.seen = {traced: {}, plain: 0};"
                + "t.probe = t.probe || t.client.on('data', m => { if (m.snapshot) return;"
                + " if (m.trace) t.seen.traced[m.topic] = (t.seen.traced[m.topic] || 0) + 1;"
                + " else if (m.topic.startsWith('stocks.')) t.seen.plain++; });");
    }

    /**
     * What the server did since {@link #awaitStagesOf}: of the messages of other symbols (once the
     * page has received some), it traced none.
     */
    private static void assertTracedOnly(WebDriver b, String symbol) throws InterruptedException {
        await(() -> ((Number) js(b, "return window.tickstream.seen.plain")).longValue() >= 10, "ticks of other symbols");
        assertEquals(List.of(), js(b, "return Object.keys(window.tickstream.seen.traced).filter(t => t !== arguments[0])",
                "stocks." + symbol), "other topics whose messages carry a trace");
    }

    @Test
    void shouldShowLivePricesAndScoresKeepTheWatchlistAndResumeAcrossARestart() throws Exception {
        Path queue = dir.resolve("queue");
        ServerConfig config = Fixture.server(queue).with(ServerConfig.HEARTBEAT_MS, 1000);
        // half of the goals and cards corrected, so that a correction comes within a second
        Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(queue, 1500, 12)
                .with(SimulatorConfig.CORRECTION_SHARE, 0.5));
        ServerMain server = Fixture.startServer(config);
        int port = server.port();
        WebDriver b = browser();
        try {
            b.get("http://127.0.0.1:" + port + "/");
            await(() -> !cell(b, "AAPL", "last").isBlank() && !cell(b, "AAPL", "last").equals("–"), "a price");
            assertEquals(List.of("function", true, true, true), ((JavascriptExecutor) b).executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                    + "import('/tickstream.js').then(lib => done([typeof lib.connect,"
                    + " window.tickstream.client instanceof lib.Client,"
                    + " document.querySelector('script[type=module][src=\"dashboard.js\"]') !== null,"
                    + " performance.getEntriesByType('resource').some(e => e.name === location.origin + '/tickstream.js')]),"
                    + " e => done(String(e)));"),
                    "the page is a module using /tickstream.js: the same module instance as its client's");
            // Where the selected symbol's latency goes, from a traced subscription of it alone, which
            // follows the selection (the check of every message once, below, covers its moves).
            awaitStagesOf(b, "AAPL");
            String first = cell(b, "AAPL", "last") + cell(b, "MSFT", "last") + cell(b, "NVDA", "last");
            await(() -> !first.equals(cell(b, "AAPL", "last") + cell(b, "MSFT", "last") + cell(b, "NVDA", "last")),
                    "prices change on screen");
            await(() -> b.findElements(By.cssSelector("#matches .match")).size() >= 10, "the scoreboard fills");
            assertFalse(b.findElements(By.cssSelector("#matches .badge.live")).isEmpty(), "live matches");
            await(() -> !b.findElements(By.cssSelector("#events li")).isEmpty(), "match events listed");
            await(() -> !b.findElement(By.id("rate")).getText().equals("0"), "messages/s shown");
            shouldShowCorrections(b, queue);
            assertTracedOnly(b, "AAPL");
            b.findElement(By.cssSelector("tr.row[data-symbol='MSFT']")).click();
            awaitStagesOf(b, "MSFT");

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
            assertTracedOnly(b, "MSFT");
            awaitStagesOf(b, "MSFT");   // resumed with its trace
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
            // Each subscription resumes on its own, one after the other: across topics, a resumed
            // message can follow a later one of another topic. Within a topic, the order is exact.
            List<Long> seen = PageLog.seqs((List<?>) js(b, "return window.tickstream.log"));
            long from = seen.stream().min(Comparator.naturalOrder()).orElseThrow();
            List<Long> owed = all.stream().filter(s -> s.seq() >= from && s.seq() <= end)
                    .filter(s -> patterns.stream().anyMatch(p -> p.matches(s.message().topic())))
                    .map(Sequenced::seq).toList();
            assertEquals(owed, seen.stream().sorted().toList(),
                    "every message of the page's topics once, across the moves of the trace and the restart");

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
                awaitStagesOf(b, "NVDA");
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

    /**
     * What the page shows of corrections, in one look: "lines", the corrections in "Latest events"
     * of the list {@code list} whose retracted event is listed too (its id, the id it retracts, their
     * texts and whether the retracted one is drawn struck through); "cards", the live board's match
     * cards saying why their score was corrected (topic, the correction's id, the displayed score,
     * the note and the tooltip); "unlisted", the texts of the corrections whose retracted event is
     * not listed; "struck", the ids of the events drawn struck through; "all", the ids of the
     * corrections listed.
     */
    private static Map<?, ?> corrections(WebDriver b, String list) {
        return (Map<?, ?>) js(b, "const ol = document.getElementById(arguments[0]);"
                + "const lines = [...ol.querySelectorAll('li.correction')].map(li => {"
                + "  const wrong = [...ol.querySelectorAll('li')].find(o => o.dataset.id === li.dataset.retracts);"
                + "  return wrong && {id: li.dataset.id, retracts: li.dataset.retracts,"
                + "    text: li.querySelector('.what').textContent, wrong: wrong.querySelector('.what').textContent,"
                + "    wrongClass: wrong.className,"
                + "    struck: getComputedStyle(wrong.querySelector('.what')).textDecorationLine.includes('line-through')};"
                + "}).filter(x => x);"
                + "const cards = [...document.querySelectorAll('#matches .match[data-correction]')].map(d => ({"
                + "  topic: d.dataset.topic, id: d.dataset.correction, className: d.className,"
                + "  score: d.querySelector('.hs').textContent + '-' + d.querySelector('.as').textContent,"
                + "  note: d.querySelector('.correction-note').textContent, title: d.title}));"
                + "const ids = new Set([...ol.querySelectorAll('li')].map(li => li.dataset.id));"
                + "const unlisted = [...ol.querySelectorAll('li.correction')].filter(li => !ids.has(li.dataset.retracts))"
                + "  .map(li => li.textContent);"
                + "const struck = [...ol.querySelectorAll('li.retracted')].map(li => li.dataset.id);"
                + "const all = [...ol.querySelectorAll('li.correction')].map(li => li.dataset.id);"
                + "return {lines, cards, unlisted, struck, all};", list);
    }

    /** The list {@code newestFirst} (as the page lists events) oldest first. */
    private static List<Object> oldestFirst(Object newestFirst) {
        List<Object> out = new ArrayList<>((List<?>) newestFirst);
        Collections.reverse(out);
        return out;
    }

    /** The score message of the queue whose event has {@code id}. */
    private static Score withEvent(List<Sequenced> records, String id) {
        return records.stream().map(Sequenced::message).filter(m -> m instanceof Score s && s.event() != null
                && id.equals(s.event().id())).map(Score.class::cast).findFirst().orElseThrow(() -> new AssertionError(id));
    }

    /** "Goal disallowed — VAR: offside": what the page says of {@code correction}, by the queue. */
    private static String said(List<Sequenced> records, Score correction) {
        ScoreEvent.Kind wrong = withEvent(records, correction.event().retracts()).event().kind();
        return (wrong == ScoreEvent.Kind.GOAL ? "Goal disallowed" : "Card rescinded") + " — " + correction.event().reason();
    }

    /**
     * A correction arrives: in "Latest events" the event it retracts (by id) is struck through and the
     * correction says why; the match's card shows the score of the correction and says why, as the
     * queue has them.
     */
    private static void shouldShowCorrections(WebDriver b, Path queue) throws InterruptedException {
        Map<?, ?>[] seen = new Map<?, ?>[1];
        await(() -> !((List<?>) (seen[0] = corrections(b, "events")).get("lines")).isEmpty()
                && !((List<?>) seen[0].get("cards")).isEmpty(), "a correction and the event it retracts, listed");
        List<Sequenced> records = Fixture.readQueue(queue);
        for (Object o : (List<?>) seen[0].get("lines")) {
            Map<?, ?> line = (Map<?, ?>) o;
            Score correction = withEvent(records, (String) line.get("id"));
            assertEquals(correction.event().retracts(), line.get("retracts"), line.toString());
            assertTrue(((String) line.get("text")).startsWith(said(records, correction) + "  "), line.toString());
            assertEquals(true, line.get("struck"), "the retracted event struck through: " + line);
            assertTrue(((String) line.get("wrongClass")).contains("retracted"), line.toString());
        }
        for (Object text : (List<?>) seen[0].get("unlisted")) {
            assertTrue(((String) text).contains(" · retracts "), "says what it retracts: " + text);
        }
        for (Object o : (List<?>) seen[0].get("cards")) {
            Map<?, ?> card = (Map<?, ?>) o;
            Score correction = withEvent(records, (String) card.get("id"));
            assertEquals(correction.topic(), card.get("topic"), card.toString());
            assertEquals(correction.homeScore() + "-" + correction.awayScore(), card.get("score"),
                    "the card shows the corrected score: " + card);
            assertEquals(said(records, correction), card.get("note"), "the card says why: " + card);
            assertEquals(card.get("note"), card.get("title"));
            assertTrue(((String) card.get("className")).contains("corrected"), card.toString());
        }
    }

    /** Picks the option {@code value} of the select {@code id}, as a click would. */
    private static void choose(WebDriver b, String id, String value) {
        b.findElement(By.cssSelector("#" + id + " option[value='" + value + "']")).click();
    }

    /**
     * What the replay panel shows, in one look: the text of its parts by element id, the progress
     * bar's value, how many events it lists, and ("replay") the page's replay as it tracks it.
     */
    private static Map<?, ?> panel(WebDriver b) {
        return (Map<?, ?>) js(b, "const $ = id => document.getElementById(id);"
                + "const p = {replay: window.tickstream.replay(), progress: $('replay-progress').value,"
                + " events: document.querySelectorAll('#replay-events li').length,"
                + " stock: !$('replay-stock').hidden, match: !$('replay-match').hidden};"
                + "for (const id of ['replay-start', 'replay-banner', 'replay-what', 'replay-count', 'replay-state',"
                + " 'replay-error', 'replay-last', 'replay-score']) p[id] = $(id).textContent;"
                + "return p;");
    }

    private static long replayed(Map<?, ?> panel, String key) {
        return ((Number) ((Map<?, ?>) panel.get("replay")).get(key)).longValue();
    }

    /** Waits until the panel's state reads {@code state}, and returns the panel then. */
    private static Map<?, ?> awaitState(WebDriver b, String state) throws InterruptedException {
        Map<?, ?>[] seen = new Map<?, ?>[1];
        await(() -> state.equals((seen[0] = panel(b)).get("replay-state")), "the replay " + state);
        return seen[0];
    }

    /** A time of day as the page shows it (the browser's zone): HH:MM:SS. */
    private static String clock(WebDriver b, long epochMillis) {
        return (String) js(b, "return new Date(arguments[0]).toLocaleTimeString('en-GB')", epochMillis);
    }

    /** Starts a replay from the panel: what, from a time of day typed in, at a speed (0: max). */
    private static void startReplay(WebDriver b, String topic, String from, String speed) throws InterruptedException {
        Map<?, ?> before = panel(b);
        assertEquals("Start", before.get("replay-start"), "no replay running");
        choose(b, "replay-target", topic);
        choose(b, "replay-window", "time");
        WebElement time = b.findElement(By.id("replay-time"));
        time.clear();
        time.sendKeys(from);
        choose(b, "replay-speed", speed);
        b.findElement(By.id("replay-start")).click();
        String was = String.valueOf(before.get("replay") == null ? null : ((Map<?, ?>) before.get("replay")).get("id"));
        await(() -> !was.equals(String.valueOf(((Map<?, ?>) panel(b).get("replay")).get("id"))), "the replay to start");
    }

    /** The records of {@code topic} in {@code records} from {@code fromSeq} to {@code toSeq}. */
    private static List<Sequenced> window(List<Sequenced> records, String topic, long fromSeq, long toSeq) {
        return records.stream().filter(s -> s.seq() >= fromSeq && s.seq() <= toSeq)
                .filter(s -> s.message().topic().equals(topic)).toList();
    }

    @Test
    void shouldReplayAPastWindowInItsOwnPanelWhileTheBoardStaysLive() throws Exception {
        Path queue = dir.resolve("queue");
        try (TestStack stack = new TestStack()) {
            stack.simulator(Fixture.simulator(queue, 1500, 21).with(SimulatorConfig.CORRECTION_SHARE, 0.5));
            int port = stack.server(Fixture.server(queue)).port();
            WebDriver b = browser();
            stack.add((AutoCloseable) b::quit);
            b.get("http://127.0.0.1:" + port + "/");
            await(() -> b.findElement(By.id("replay")).isDisplayed(), "the replay control (welcome.features has replay)");
            await(() -> !cell(b, "AAPL", "last").equals("–") && !cell(b, "AAPL", "last").isBlank(), "a price");
            assertEquals("stocks.AAPL", b.findElement(By.id("replay-target")).getAttribute("value"),
                    "the selected symbol is the one to replay by default");

            // The window starts at a whole second the page has seen; the feed runs on a little after it.
            long fromMs = ((Number) js(b, "return Math.ceil(Date.now() / 1000) * 1000")).longValue();
            String from = clock(b, fromMs);
            await(() -> ((Number) js(b, "return Date.now()")).longValue() > fromMs, "the window's start to pass");
            long logged = ((Number) js(b, "return window.tickstream.log.length")).longValue();
            await(() -> (Boolean) js(b, "const after = window.tickstream.log.slice(arguments[0]);"
                    + "return after.filter(e => e[0] === 'stocks.AAPL').length >= 5"
                    + " && after.filter(e => e[0].startsWith('sports.')).length >= 100", logged),
                    "5 AAPL ticks and 100 scores after the window's start");

            // A symbol at 100x: banner, progress to its count, the replayed price, as the queue has them.
            startReplay(b, "stocks.AAPL", from, "100");
            Map<?, ?> p = awaitState(b, "done");
            long n = replayed(p, "count");
            List<Sequenced> records = Fixture.readQueue(queue);
            List<Sequenced> ticks = window(records, "stocks.AAPL", replayed(p, "fromSeq"), replayed(p, "toSeq"));
            assertTrue(n > 0, "the window holds AAPL ticks");
            assertEquals(ticks.size(), n, "replaying's count: the AAPL records in the window");
            assertEquals(n, replayed(p, "received"));
            assertEquals(n + " / " + n, p.get("replay-count"));
            assertEquals(n, ((Number) p.get("progress")).longValue(), "the progress bar full");
            assertTrue(ticks.get(0).message().ts() >= fromMs * 1000, "the window starts at the time typed in");
            Tick lastTick = (Tick) ticks.get(ticks.size() - 1).message();
            assertEquals("REPLAY 100× — " + clock(b, lastTick.ts() / 1000), p.get("replay-banner"),
                    "the banner: speed and the replayed clock");
            assertEquals(js(b, "return arguments[0].toLocaleString('en-US', {minimumFractionDigits: 2,"
                    + " maximumFractionDigits: 2})", lastTick.last()), p.get("replay-last"), "the replayed price");
            assertTrue(((String) p.get("replay-what")).startsWith("AAPL · " + from + " → "), p.toString());
            assertEquals(List.of(true, false), List.of(p.get("stock"), p.get("match")));

            // At 1x it runs in real time, the live row moving beside it; Stop cancels it.
            startReplay(b, "stocks.AAPL", from, "1");
            p = awaitState(b, "replaying…");
            String live = cell(b, "AAPL", "last") + cell(b, "AAPL", "vol");
            await(() -> !live.equals(cell(b, "AAPL", "last") + cell(b, "AAPL", "vol")), "the live AAPL row to move on");
            assertEquals("Stop", p.get("replay-start"));
            b.findElement(By.id("replay-start")).click();
            p = awaitState(b, "stopped");
            assertTrue(replayed(p, "received") < replayed(p, "count"), "stopped before its end: " + p);
            assertEquals("Start", p.get("replay-start"));

            // A match at max speed: its replayed score and events, as the queue has them.
            Map<String, Integer> events = new HashMap<>();
            for (Sequenced s : records) {
                if (s.message() instanceof Score sc && sc.ts() >= fromMs * 1000) {
                    events.merge(sc.topic(), sc.event() != null ? 1 : 0, Integer::sum);
                }
            }
            String match = events.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            startReplay(b, match, from, "0");
            p = awaitState(b, "done");
            long m = replayed(p, "count");
            records = Fixture.readQueue(queue);
            List<Sequenced> scores = window(records, match, replayed(p, "fromSeq"), replayed(p, "toSeq"));
            assertTrue(m > 0, "the window holds scores of " + match);
            assertEquals(scores.size(), m, "replaying's count: the records of " + match + " in the window");
            assertEquals(m + " / " + m, p.get("replay-count"));
            assertTrue(((String) p.get("replay-banner")).startsWith("REPLAY max — "), p.toString());
            Score lastScore = (Score) scores.get(scores.size() - 1).message();
            assertEquals(lastScore.home() + " " + lastScore.homeScore() + "–" + lastScore.awayScore() + " "
                    + lastScore.away(), p.get("replay-score"), "the replayed score");
            long withEvents = scores.stream().filter(s -> ((Score) s.message()).event() != null).count();
            assertEquals(Math.min(14, withEvents), ((Number) p.get("events")).longValue(), "the replayed events");
            assertEquals(List.of(false, true), List.of(p.get("stock"), p.get("match")));
            Files.createDirectories(Path.of("target"));
            // Its corrections as on the live board: the events they retract struck through, each saying why.
            Map<?, ?> c = corrections(b, "replay-events");
            List<ScoreEvent> listed = scores.stream().map(s -> ((Score) s.message()).event()).filter(e -> e != null)
                    .toList();
            listed = listed.subList(Math.max(0, listed.size() - 14), listed.size());
            Set<String> retractedIds = scores.stream().map(s -> ((Score) s.message()).event())
                    .filter(e -> e != null && e.kind() == ScoreEvent.Kind.CORRECTION).map(ScoreEvent::retracts)
                    .collect(Collectors.toSet());
            assertEquals(listed.stream().filter(e -> e.kind() == ScoreEvent.Kind.CORRECTION).map(ScoreEvent::id)
                    .toList(), oldestFirst(c.get("all")), "the corrections listed");
            assertEquals(listed.stream().map(ScoreEvent::id).filter(retractedIds::contains).toList(),
                    oldestFirst(c.get("struck")), "the retracted events struck through");
            for (Object o : (List<?>) c.get("lines")) {
                Map<?, ?> line = (Map<?, ?>) o;
                assertTrue(((String) line.get("text")).startsWith(said(records, withEvent(records, (String) line.get("id")))
                        + "  "), line.toString());
                assertEquals(true, line.get("struck"), line.toString());
            }
            Files.write(Path.of("target/dashboard-replay.png"), ((TakesScreenshot) b).getScreenshotAs(OutputType.BYTES));

            // A window before the queue's first record: replay_unavailable, said in words.
            startReplay(b, "stocks.AAPL", clock(b, fromMs - 300_000), "0");
            String error = (String) awaitState(b, "not available").get("replay-error");
            String queueStart = clock(b, records.get(0).message().ts() / 1000);
            assertTrue(error.startsWith("Not available: the server’s history starts at " + queueStart), error);

            // None of it reached the live board: every live message once, the resume point the newest.
            List<?> logAndResume = (List<?>) js(b, "return [window.tickstream.log, window.tickstream.lastSeq()]");
            List<Long> seen = PageLog.seqs((List<?>) logAndResume.get(0));
            assertEquals(seen.size(), new HashSet<>(seen).size(), "no seq twice in the live log");
            assertEquals(seen.stream().max(Comparator.naturalOrder()).orElseThrow(),
                    ((Number) logAndResume.get(1)).longValue(), "the resume point");
            assertEquals(List.of(), js(b, "return performance.getEntriesByType('resource')"
                    + ".map(e => e.name).filter(u => !u.startsWith(location.origin + '/'))"), "nothing fetched from elsewhere");
            assertEquals(List.of(), b.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
                    .filter(e -> !e.getMessage().contains("favicon.ico")).map(LogEntry::toString).toList(), "the console");
        }
    }
}
