package io.tickstream.loadtest;

import io.tickstream.config.Config;
import io.tickstream.config.Setting;
import io.tickstream.config.SettingOptions;
import io.tickstream.config.Settings;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@code loadtest} command's settings, each declared once below: its flag, default, description
 * and checks; its environment variable is {@code TICKSTREAM_LOADTEST_} and the flag's name unless
 * named. The command reads them from its command line ({@link SettingOptions}) and runs
 * {@link #toConfig()}. Immutable.
 */
public final class LoadTestSettings extends Config<LoadTestSettings> {

    /** Every setting of the {@code loadtest} command, in the order below. */
    public static final Settings<LoadTestSettings> SETTINGS =
            new Settings<>("TICKSTREAM_LOADTEST_", LoadTestSettings::new);

    private static final String LIMITS = "--clients, --duration and --ramp must be positive; --symbols and --matches "
            + "not negative; --warmup shorter than --duration; --hold not negative";
    private static final String SHARES = "shares are between 0 and 1";

    public static final Setting<URI> URL = SETTINGS.add(Setting.ofUri("--url", "URL",
            URI.create("ws://localhost:8080/ws"), "The server's WebSocket URL, ws:// or wss://")
            .check(u -> ("ws".equals(u.getScheme()) || "wss".equals(u.getScheme())) && u.getHost() != null,
                    "--url must be ws://HOST:PORT/ws or wss://..."));

    public static final Setting<Integer> CLIENTS = SETTINGS.add(Setting.ofInt("--clients", "N", 1000,
            "WebSocket connections to open")
            .check(n -> n >= 1, LIMITS));

    /** Seconds. */
    public static final Setting<Double> DURATION = SETTINGS.add(Setting.ofDouble("--duration", "SECONDS", 30,
            "How long to run, ramp included")
            .check(s -> s > 0, LIMITS));

    public static final Setting<Integer> RAMP = SETTINGS.add(Setting.ofInt("--ramp", "PER_SEC", 1000,
            "Connections opened per second")
            .check(n -> n >= 1, LIMITS));

    public static final Setting<Integer> SYMBOLS = SETTINGS.add(Setting.ofInt("--symbols", "K", 10,
            "Random symbols per client")
            .check(n -> n >= 0, LIMITS));

    public static final Setting<Integer> MATCHES = SETTINGS.add(Setting.ofInt("--matches", "M", 2,
            "Random matches per client")
            .check(n -> n >= 0, LIMITS));

    public static final Setting<Double> ALL_STOCKS_SHARE = SETTINGS.add(Setting.ofDouble("--all-stocks-share", "F", 0,
            "Share of clients on stocks.* instead of single symbols, 0 to 1")
            .check(f -> f >= 0 && f <= 1, SHARES)
            .env("TICKSTREAM_LOADTEST_ALL_STOCKS"));

    public static final Setting<Double> ALL_SPORTS_SHARE = SETTINGS.add(Setting.ofDouble("--all-sports-share", "F", 0,
            "Share of clients on sports.> instead of single matches, 0 to 1")
            .check(f -> f >= 0 && f <= 1, SHARES)
            .env("TICKSTREAM_LOADTEST_ALL_SPORTS"));

    public static final Setting<Double> SLOW_SHARE = SETTINGS.add(Setting.ofDouble("--slow-share", "F", 0,
            "Share of deliberately slow readers (pause 4 s in every 5 s), 0 to 1")
            .check(f -> f >= 0 && f <= 1, SHARES)
            .env("TICKSTREAM_LOADTEST_SLOW"));

    public static final Setting<Integer> TRACED_CLIENTS = SETTINGS.add(Setting.ofInt("--traced-clients", "N", 0,
            "How many clients (the last ones opened) subscribe with trace: true, to measure what tracing costs")
            .check(n -> n >= 0, "--traced-clients must be 0 or more"));

    public static final Setting<Boolean> CONTIGUOUS = SETTINGS.add(Setting.ofSwitch("--contiguous", false,
            "The subscriptions cover the whole feed: count seq gaps, not only reorders"));

    public static final Setting<Path> OUT = SETTINGS.add(Setting.ofPath("--out", "DIR", Path.of("target/bench"),
            "Where the JSON and HTML reports go"));

    public static final Setting<String> NAME = SETTINGS.add(Setting.ofString("--name", "NAME", "loadtest",
            "Scenario name, used in the report file names")
            .check(n -> n.matches("[A-Za-z0-9_.-]+"), "--name is letters, digits, '.', '_' or '-'"));

    public static final Setting<Long> SEED = SETTINGS.add(Setting.ofLong("--seed", "S", 1,
            "Seed of the subscription mix"));

    /** Seconds; shorter than {@link #DURATION} (checked when the command line is read). */
    public static final Setting<Double> WARMUP = SETTINGS.add(Setting.ofDouble("--warmup", "SECONDS", 5,
            "Latency and deliveries/s are measured only from this long after every connection attempt was "
                    + "answered: the ramp and the snapshots stay out of the numbers")
            .check(s -> s >= 0, LIMITS));

    /** Seconds. */
    public static final Setting<Double> HOLD = SETTINGS.add(Setting.ofDouble("--hold", "SECONDS", 0,
            "Keep every connection open this long after the run, measuring nothing: time to sample the server "
                    + "(its heap, say) with its clients still connected")
            .check(s -> s >= 0, LIMITS));

    /** Unset ({@code null}) for a server with auth off. */
    public static final Setting<String> TOKEN = SETTINGS.add(Setting.ofString("--token", "TOKEN", null,
            "Access token for a server with auth on (see the token command), sent as Authorization: Bearer"));

    /** Empty to run; two report paths to compare them instead. */
    public static final Setting<List<String>> COMPARE = SETTINGS.add(Setting.ofList("--compare", "A.json B.json",
            List.of(), "Instead of running, compare two reports (NAME.json files): writes compare-A-B.html under "
                    + "--out, both percentile curves and timelines on one page and the key figures side by side"));

    static {
        SETTINGS.require(c -> c.get(WARMUP) < c.get(DURATION), LIMITS);
        // checked once resolved: entries trimmed, empty ones dropped
        SETTINGS.require(c -> c.get(COMPARE).isEmpty() || c.get(COMPARE).size() == 2,
                "--compare takes two reports: --compare A.json B.json");
    }

    private LoadTestSettings(Map<Setting<?>, Object> values) {
        super(values);
    }

    @Override
    protected Settings<LoadTestSettings> settings() {
        return SETTINGS;
    }

    /** What to run. */
    public LoadTest.Config toConfig() {
        return new LoadTest.Config(get(URL), get(CLIENTS), get(DURATION), get(RAMP), get(SYMBOLS), get(MATCHES),
                get(ALL_STOCKS_SHARE), get(ALL_SPORTS_SHARE), get(SLOW_SHARE), get(TRACED_CLIENTS), get(CONTIGUOUS),
                get(OUT), get(NAME), get(SEED), get(WARMUP), get(TOKEN), get(HOLD));
    }
}
