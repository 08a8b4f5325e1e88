package io.tickstream.loadtest;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.function.Function;

/**
 * The figures a reader of a report looks at first, each read from the report's JSON, so that a
 * report and a comparison of two show the same ones the same way. Stateless.
 */
enum KeyFigure {
    DELIVERIES("deliveries/s", r -> r.getDouble("deliveriesPerSecond"), Charts.Unit.COUNT, true),
    P50("p50 latency", r -> latency(r, "p50"), Charts.Unit.MICROS, false),
    P99("p99 latency", r -> latency(r, "p99"), Charts.Unit.MICROS, false),
    P999("p99.9 latency", r -> latency(r, "p99.9"), Charts.Unit.MICROS, false),
    MAX("max latency", r -> latency(r, "max"), Charts.Unit.MICROS, false),
    P99_RECENT("p99, last 10 s", r -> number(r.getJsonObject("latencyLastSeconds"), "p99"), Charts.Unit.MICROS, false),
    CONNECTED("connected at the end", r -> number(r, "connectedAtEnd"), Charts.Unit.COUNT, true),
    FAILED("failed to connect", r -> number(r, "failedToConnect"), Charts.Unit.COUNT, false),
    GAPS("gaps (healthy readers)", r -> number(r, "gaps"), Charts.Unit.COUNT, false),
    REORDERS("reorders (healthy readers)", r -> number(r, "reorders"), Charts.Unit.COUNT, false),
    CONFLATED("updates conflated", r -> number(r, "conflated"), Charts.Unit.COUNT, false),
    HARNESS_CPU("harness CPU seconds", r -> number(r, "harnessCpuSeconds"), Charts.Unit.COUNT, false),
    SERVER_SENT("server messages sent/s", r -> server(r, "messagesSentPerSecond"), Charts.Unit.COUNT, true),
    SERVER_CPU("server CPU cores", r -> server(r, "cpuCores"), Charts.Unit.COUNT, false),
    SERVER_ALLOCATED("server bytes allocated per delivery", r -> server(r, "allocatedBytesPerDelivery"),
            Charts.Unit.COUNT, false),
    SERVER_GC("server GC pauses", r -> server(r, "gcPauses"), Charts.Unit.COUNT, false),
    SERVER_GC_MS("server time in GC pauses, ms", r -> server(r, "gcPausedMs"), Charts.Unit.COUNT, false);

    private final String label;
    private final Function<JsonObject, Double> read;
    private final Charts.Unit unit;
    private final boolean higherIsBetter;

    KeyFigure(String label, Function<JsonObject, Double> read, Charts.Unit unit, boolean higherIsBetter) {
        this.label = label;
        this.read = read;
        this.unit = unit;
        this.higherIsBetter = higherIsBetter;
    }

    String label() {
        return label;
    }

    /** Its value in {@code report}, or null when the report has none (an older report, no /metrics). */
    Double value(JsonObject report) {
        try {
            return read.apply(report);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Its value in {@code report} as shown, or "–". */
    String shown(JsonObject report) {
        return format(value(report));
    }

    String format(Double v) {
        if (v == null) {
            return "–";
        }
        return unit == Charts.Unit.MICROS ? Charts.micros(v)
                : Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : Charts.trim(v);
    }

    /**
     * B against A: the difference and how it reads ({@code +12.5%}), and whether B is better (1),
     * worse (-1) or the same (0).
     */
    String difference(Double a, Double b) {
        if (a == null || b == null) {
            return "–";
        }
        double d = b - a;
        String pct = a != 0 ? String.format(Locale.ROOT, " (%+.1f%%)", 100 * d / Math.abs(a)) : "";
        return (d >= 0 ? "+" : "−") + format(Math.abs(d)) + pct;
    }

    int verdict(Double a, Double b) {
        if (a == null || b == null || Math.abs(b - a) <= 0.02 * Math.max(Math.abs(a), Math.abs(b))) {
            return 0;
        }
        return (b > a) == higherIsBetter ? 1 : -1;
    }

    private static Double latency(JsonObject r, String key) {
        return number(r.getJsonObject("latency"), key);
    }

    private static Double server(JsonObject r, String key) {
        JsonObject s = r.getJsonObject("server");
        return s == null ? null : number(s, key);
    }

    private static Double number(JsonObject o, String key) {
        Number n = o == null ? null : (Number) o.getValue(key);
        return n == null ? null : n.doubleValue();
    }
}
