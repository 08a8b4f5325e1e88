package io.tickstream.loadtest;

import io.tickstream.session.CloseReason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One run's report as a self-contained HTML page ({@code NAME.html}), drawn from its JSON: the key
 * figures, the latency-percentile curve, the run second by second, disconnects by close code, the
 * server's own figures beside the harness's, and the settings. Stateless.
 */
final class ReportPage {

    /** One run drawn on a page: its name in legends, its report JSON and its colour. */
    record Run(String name, JsonObject json, String color) {
    }

    private ReportPage() {
    }

    static String html(JsonObject r) {
        Run run = new Run(r.getString("scenario"), r, Charts.COLORS[0]);
        StringBuilder b = new StringBuilder("<div class='cards'>");
        boolean healthy = r.getBoolean("healthy", false);
        b.append(Html.card("readers", healthy ? "healthy" : "gaps or reorders", healthy ? "ok" : "bad"));
        for (KeyFigure f : List.of(KeyFigure.DELIVERIES, KeyFigure.P50, KeyFigure.P99, KeyFigure.P999,
                KeyFigure.MAX, KeyFigure.CONNECTED, KeyFigure.FAILED, KeyFigure.GAPS)) {
            b.append(Html.card(f.label(), f.shown(r), ""));
        }
        b.append("</div><h2>Latency by percentile</h2>")
                .append(Charts.percentiles(List.of(percentileSeries(run)), "latency by percentile"))
                .append("<p class='sub'>From each message's write to the feed to its receipt, healthy readers, over the ")
                .append(Charts.trim(r.getDouble("seconds", 0.0))).append(" s measured.</p>")
                .append("<h2>Second by second</h2>").append(timeline(List.of(run)))
                .append("<h2>Disconnects by close code</h2>").append(closes(r))
                .append("<h2>The server's own figures</h2>").append(server(r))
                .append("<h2>Settings</h2>").append(settings(List.of(run)))
                .append("<details><summary>The report's JSON</summary><pre>")
                .append(Html.escape(r.encodePrettily())).append("</pre></details>");
        return Html.page("Load test: " + r.getString("scenario"), r.getInteger("clients") + " clients against "
                + r.getString("url") + ", " + Charts.trim(r.getDouble("seconds", 0.0)) + " s measured", b.toString());
    }

    /**
     * The run's percentile curve; from a report older than {@code "percentiles"}, the few
     * percentiles its {@code "latency"} has (p50 to p99.99), so that it can still be compared.
     */
    static Charts.Series percentileSeries(Run run) {
        List<double[]> points = new ArrayList<>();
        JsonArray curve = run.json().getJsonArray("percentiles");
        if (curve != null) {
            for (int i = 0; i < curve.size(); i++) {
                JsonArray p = curve.getJsonArray(i);
                points.add(new double[] {p.getDouble(0), p.getDouble(1)});
            }
        } else {
            JsonObject latency = run.json().getJsonObject("latency", new JsonObject());
            for (String p : List.of("50", "90", "99", "99.9", "99.99")) {
                if (latency.getValue("p" + p) instanceof Number n) {
                    points.add(new double[] {Double.parseDouble(p), n.doubleValue()});
                }
            }
        }
        return new Charts.Series(run.name(), run.color(), points);
    }

    /** The timeline's plots: one run's latency as p50 and p99 on one plot; two runs' on a plot each. */
    static String timeline(List<Run> runs) {
        double window = runs.size() == 1 ? windowStart(runs.get(0).json()) : 0;
        StringBuilder b = new StringBuilder("<div class='grid2'>");
        b.append(plot("deliveries/s", runs, s -> s.getDouble("deliveries"), Charts.Unit.COUNT, window));
        b.append(plot("open connections", runs, s -> s.getDouble("connections"), Charts.Unit.COUNT, window));
        if (runs.size() == 1) {
            Run run = runs.get(0);
            b.append("<div><h3>latency of each second, p50 and p99</h3>").append(Charts.timeline(List.of(
                    series(new Run("p50", run.json(), "#8ab4f8"), s -> s.getDouble("p50")),
                    series(new Run("p99", run.json(), run.color()), s -> s.getDouble("p99"))),
                    Charts.Unit.MICROS, "latency of each second", window)).append("</div>");
        } else {
            b.append(plot("p50 latency of each second", runs, s -> s.getDouble("p50"), Charts.Unit.MICROS, 0));
            b.append(plot("p99 latency of each second", runs, s -> s.getDouble("p99"), Charts.Unit.MICROS, 0));
        }
        b.append(plot("conflated updates/s", runs, s -> s.getDouble("conflated"), Charts.Unit.COUNT, window));
        return b.append("</div>").toString();
    }

    private static String plot(String title, List<Run> runs, Function<JsonObject, Double> value, Charts.Unit unit,
                               double window) {
        List<Charts.Series> series = runs.stream().map(r -> series(r, value)).toList();
        return "<div><h3>" + Html.escape(title) + "</h3>" + Charts.timeline(series, unit, title, window) + "</div>";
    }

    /** {@code value} of each second of the run's timeline; a second without one (no latency measured) is left out. */
    private static Charts.Series series(Run run, Function<JsonObject, Double> value) {
        List<double[]> points = new ArrayList<>();
        JsonArray t = run.json().getJsonArray("timeline", new JsonArray());
        for (int i = 0; i < t.size(); i++) {
            JsonObject s = t.getJsonObject(i);
            Double v = value.apply(s);
            if (v != null) {
                points.add(new double[] {s.getDouble("t"), v});
            }
        }
        return new Charts.Series(run.name(), run.color(), points);
    }

    /** Where the measured window starts: the start of the first second that ended inside it, or 0. */
    private static double windowStart(JsonObject r) {
        JsonArray t = r.getJsonArray("timeline", new JsonArray());
        double previous = 0;
        for (int i = 0; i < t.size(); i++) {
            if (t.getJsonObject(i).getBoolean("measured", false)) {
                return Math.max(previous, 1e-3);
            }
            previous = t.getJsonObject(i).getDouble("t");
        }
        return 0;
    }

    private static String closes(JsonObject r) {
        Map<String, Object> byCode = new TreeMap<>(r.getJsonObject("closes", new JsonObject()).getMap());
        if (byCode.isEmpty()) {
            return "<p>None: every connection stayed open to the end of the run.</p>";
        }
        List<List<String>> rows = new ArrayList<>();
        byCode.forEach((code, n) -> rows.add(List.of(code, meaning(code), String.format(Locale.ROOT, "%,d",
                ((Number) n).longValue()))));
        return Html.table("closes", List.of("close code", "meaning", "connections"), rows);
    }

    private static String meaning(String code) {
        for (CloseReason c : CloseReason.values()) {
            if (String.valueOf(c.code()).equals(code)) {
                return c.reason();
            }
        }
        return switch (code) {
            case "1000" -> "normal closure";
            case "1006" -> "connection lost without a close frame";
            case "null" -> "no close code (the connection dropped)";
            default -> "";
        };
    }

    private static String server(JsonObject r) {
        JsonObject s = r.getJsonObject("server");
        if (s == null || !s.getBoolean("available", false)) {
            return "<p>Not available" + (s == null ? "" : ": " + Html.escape(s.getString("url")) + " answered no "
                    + "metrics (" + Html.escape(s.getString("reason")) + ")") + ".</p>";
        }
        double seconds = r.getDouble("seconds", 0.0);
        Object slowCloses = r.getJsonObject("closes", new JsonObject()).getValue("4001", 0);
        List<List<String>> rows = List.of(
                List.of("messages delivered/s", count(r.getDouble("deliveriesPerSecond")),
                        count(s.getDouble("messagesSentPerSecond"))),
                List.of("updates conflated/s", count(seconds > 0 ? r.getLong("conflated", 0L) / seconds : null),
                        count(s.getDouble("conflatedPerSecond"))),
                List.of("connections at the end", count(r.getDouble("connectedAtEnd")),
                        count(s.getDouble("connections"))),
                List.of("slow-consumer closes (4001)", String.valueOf(slowCloses), count(s.getDouble("slowConsumerCloses"))),
                List.of("latency p50 / p99", KeyFigure.P50.shown(r) + " / " + KeyFigure.P99.shown(r)
                        + " (to receipt)", serverLatency(s) + " (to socket write)"),
                List.of("CPU", count(r.getDouble("harnessCpuSeconds")) + " s (whole run)",
                        s.containsKey("cpuCores") ? count(s.getDouble("cpuCores")) + " cores"
                                + (s.containsKey("cpuCount") ? " of " + count(s.getDouble("cpuCount")) : "") : "–"),
                List.of("feed messages/s", "", count(s.getDouble("feedMessagesPerSecond"))),
                List.of("bytes allocated per delivery", "", count(s.getDouble("allocatedBytesPerDelivery"))),
                List.of("GC pauses (count, total ms)", "", count(s.getDouble("gcPauses")) + ", "
                        + count(s.getDouble("gcPausedMs")) + " ms"),
                List.of("longest GC pause, recent", "", count(s.getDouble("gcPauseMaxMs")) + " ms"));
        return Html.table("server", List.of("", "harness", "server (" + Charts.trim(s.getDouble("seconds")) + " s of "
                + "its /metrics)"), rows);
    }

    /** The server's p50 and p99 from its fixed buckets: "≤ 1 ms / ≤ 5 ms". */
    private static String serverLatency(JsonObject s) {
        JsonObject l = s.getJsonObject("deliveryLatencyMicros");
        if (l == null) {
            return "–";
        }
        return bound(l, "p50") + " / " + bound(l, "p99");
    }

    private static String bound(JsonObject latency, String key) {
        if (!latency.containsKey(key)) {
            return "–";
        }
        Double us = latency.getDouble(key);
        return us == null ? "> 10 s" : "≤ " + Charts.micros(us);
    }

    private static String count(Double v) {
        return v == null ? "–" : Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : Charts.trim(v);
    }

    /** The settings of each run, a column each; a row whose values differ is marked. */
    static String settings(List<Run> runs) {
        TreeMap<String, List<String>> rows = new TreeMap<>();
        for (int i = 0; i < runs.size(); i++) {
            for (Map.Entry<String, Object> e : runs.get(i).json().getJsonObject("settings", new JsonObject())) {
                rows.computeIfAbsent(e.getKey(), k -> new ArrayList<>(java.util.Collections.nCopies(runs.size(), "–")))
                        .set(i, String.valueOf(e.getValue()));
            }
        }
        List<List<String>> table = new ArrayList<>();
        rows.forEach((k, values) -> {
            List<String> row = new ArrayList<>();
            row.add(values.stream().distinct().count() > 1 ? k + " (differs)" : k);
            row.addAll(values);
            table.add(row);
        });
        List<String> header = new ArrayList<>(List.of("setting"));
        runs.forEach(r -> header.add(r.name()));
        return Html.table("settings", header, table);
    }
}
