package io.tickstream.loadtest;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Two runs side by side ({@code loadtest --compare A.json B.json}): their key figures with B's
 * difference from A, both percentile curves on one plot, both timelines, and their settings, so
 * that an A/B reads at a glance. A self-contained HTML page drawn from the two reports' JSON.
 * Stateless.
 */
public final class ComparePage {

    private ComparePage() {
    }

    /**
     * Reads the reports {@code a} and {@code b} and writes {@code compare-A-B.html} (their file
     * names without {@code .json}) under {@code out}; returns its path.
     *
     * @throws IOException              when a report cannot be read or the page written
     * @throws IllegalArgumentException when a file is not a load-test report
     */
    public static Path write(Path a, Path b, Path out) throws IOException {
        JsonObject ja = read(a);
        JsonObject jb = read(b);
        Files.createDirectories(out);
        Path page = out.resolve("compare-" + stem(a) + "-" + stem(b) + ".html");
        Files.writeString(page, html(stem(a), ja, stem(b), jb));
        return page;
    }

    static String html(String nameA, JsonObject a, String nameB, JsonObject b) {
        String shownA = "A: " + nameA;
        String shownB = nameB.equals(nameA) ? "B: " + nameB + " (2)" : "B: " + nameB;
        List<ReportPage.Run> runs = List.of(new ReportPage.Run(shownA, a, Charts.COLORS[0]),
                new ReportPage.Run(shownB, b, Charts.COLORS[1]));
        List<List<String>> rows = new ArrayList<>();
        List<String> marks = new ArrayList<>();
        for (KeyFigure f : KeyFigure.values()) {
            Double va = f.value(a);
            Double vb = f.value(b);
            if (va == null && vb == null) {
                continue;
            }
            int verdict = f.verdict(va, vb);
            rows.add(List.of(f.label(), f.format(va), f.format(vb), f.difference(va, vb),
                    va == null || vb == null ? "" : verdict > 0 ? "B better" : verdict < 0 ? "B worse" : "same"));
            marks.add(verdict > 0 ? "ok" : verdict < 0 ? "bad" : "");
        }
        String body = "<h2>Key figures</h2>"
                + Html.table("figures", List.of("", shownA, shownB, "B − A", ""), rows, marks)
                + "<h2>Latency by percentile</h2>"
                + Charts.percentiles(runs.stream().map(ReportPage::percentileSeries).toList(), "latency by percentile")
                + "<h2>Second by second</h2>" + ReportPage.timeline(runs)
                + "<h2>Settings</h2>" + ReportPage.settings(runs);
        return Html.page("Load test comparison: " + nameA + " vs " + nameB, shownA + " (" + a.getString("url")
                + ", " + a.getInteger("clients") + " clients) against " + shownB + " (" + b.getString("url") + ", "
                + b.getInteger("clients") + " clients)", body);
    }

    private static JsonObject read(Path report) throws IOException {
        JsonObject json;
        try {
            json = new JsonObject(Files.readString(report));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(report + " is not JSON: " + e.getMessage());
        }
        if (!json.containsKey("scenario") || !json.containsKey("latency")) {
            throw new IllegalArgumentException(report + " is not a load-test report (no scenario, no latency)");
        }
        return json;
    }

    private static String stem(Path report) {
        String name = report.getFileName().toString();
        return name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    }
}
