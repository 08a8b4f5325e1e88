package io.tickstream.config;

import io.tickstream.feed.FeedQueue;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Everything the simulator is started with, each setting declared once below: its flag, default,
 * description and checks; its environment variable is {@code TICKSTREAM_} and the flag's name
 * ({@code --burst-every} is {@code TICKSTREAM_BURST_EVERY}). The {@code simulate} command reads them
 * from its command line ({@link SettingOptions}); tests start from {@link #defaults(Path)} and change
 * a few: {@code defaults(queue).with(RATE, 500)}. Read with {@code config.get(RATE)}. Immutable.
 */
public final class SimulatorConfig extends Config<SimulatorConfig> {

    /** Every setting of the {@code simulate} command, in the order below. */
    public static final Settings<SimulatorConfig> SETTINGS = new Settings<>("TICKSTREAM_", SimulatorConfig::new);

    private static final String BURST_LIMITS =
            "--burst-multiplier must be at least 1, --burst-seconds and --burst-every not negative";
    private static final String STOP_LIMITS = "--count, --duration and --stats-every must not be negative";

    /** Created if missing. */
    public static final Setting<Path> QUEUE = SETTINGS.add(Setting.ofPath("--queue", "DIR", Path.of("data/queue"),
            "Chronicle Queue directory to append to, created if missing"));

    /** Messages per second outside bursts. */
    public static final Setting<Double> RATE = SETTINGS.add(Setting.ofDouble("--rate", "N", 2000,
            "Total messages per second outside bursts; score updates come out of it first, ticks fill the rest")
            .check(r -> r > 0 && Double.isFinite(r), "--rate must be a positive number"));

    /** Resolved: unset is a random seed, so the value read is the seed used. */
    public static final Setting<Long> SEED = SETTINGS.add(Setting.ofOptionalLong("--seed", "S",
            "Seed of every random choice; the same seed gives the same feed. Random if unset")
            .resolvedBy(s -> s != null ? s : ThreadLocalRandom.current().nextLong()));

    public static final Setting<Double> BURST_MULTIPLIER = SETTINGS.add(Setting.ofDouble("--burst-multiplier", "X", 10,
            "Rate multiplier during a burst")
            .check(x -> x >= 1, BURST_LIMITS));

    /** Seconds. */
    public static final Setting<Double> BURST_SECONDS = SETTINGS.add(Setting.ofDouble("--burst-seconds", "S", 3,
            "Length of each burst")
            .check(s -> s >= 0, BURST_LIMITS));

    /** Seconds; 0 for no bursts. */
    public static final Setting<Double> BURST_EVERY = SETTINGS.add(Setting.ofDouble("--burst-every", "S", 60,
            "Seconds between burst starts, the first at start-up (a market-open spike); 0 for a steady rate")
            .check(s -> s >= 0, BURST_LIMITS));

    public static final Setting<Integer> MATCHES = SETTINGS.add(Setting.ofInt("--matches", "N", 16,
            "Football matches played at once")
            .check(n -> n >= 0 && n <= 1000, "--matches must be 0 to 1000"));

    public static final Setting<Long> MATCH_MINUTE_MS = SETTINGS.add(Setting.ofLong("--match-minute-ms", "MS", 1000,
            "Wall milliseconds per match minute")
            .check(ms -> ms >= 10, "--match-minute-ms must be at least 10"));

    /** 0 to 1; 0 for no corrections. */
    public static final Setting<Double> CORRECTION_SHARE = SETTINGS.add(Setting.ofDouble("--correction-share", "X",
            0.05, "Share of goals and cards taken back a few match minutes later (a goal disallowed by VAR, a card "
                    + "rescinded), sent as a score whose event is a correction; 0 for none")
            .check(x -> x >= 0 && x <= 1, "--correction-share must be 0 to 1"));

    /** Unset ({@code null}) is the built-in one. */
    public static final Setting<Path> SYMBOLS = SETTINGS.add(Setting.ofPath("--symbols", "FILE", null,
            "Symbol universe CSV (symbol,price,volatility); the built-in simulator/symbols.csv if unset"));

    /** Unset ({@code null}) is the built-in one. */
    public static final Setting<Path> TEAMS = SETTINGS.add(Setting.ofPath("--teams", "FILE", null,
            "Teams CSV (code,name,players); the built-in simulator/teams.csv if unset"));

    /** Unset ({@code null}) is the built-in one. */
    public static final Setting<Path> FIXTURES = SETTINGS.add(Setting.ofPath("--fixtures", "FILE", null,
            "Fixtures CSV (sport,home,away); the built-in simulator/fixtures.csv if unset"));

    /** Messages; 0 for no limit. */
    public static final Setting<Long> COUNT = SETTINGS.add(Setting.ofLong("--count", "N", 0,
            "Stop after N messages; 0 for no limit")
            .check(n -> n >= 0, STOP_LIMITS));

    /** Seconds; 0 for no limit. */
    public static final Setting<Double> DURATION = SETTINGS.add(Setting.ofDouble("--duration", "S", 0,
            "Stop after S seconds; 0 for no limit")
            .check(s -> s >= 0, STOP_LIMITS));

    /** Seconds; 0 for never. */
    public static final Setting<Double> STATS_EVERY = SETTINGS.add(Setting.ofDouble("--stats-every", "S", 5,
            "Print a progress line every S seconds; 0 for never")
            .check(s -> s >= 0, STOP_LIMITS));

    /** A name of {@code FeedQueue.ROLL_CYCLES}. */
    public static final Setting<String> ROLL_CYCLE = SETTINGS.add(Setting.ofString("--roll-cycle", "NAME",
            "FAST_DAILY", "How often the queue starts a new file: HALF_HOURLY, FAST_HOURLY, TWO_HOURLY, FOUR_HOURLY, "
                    + "SIX_HOURLY, FAST_DAILY, WEEKLY, or TEST_SECONDLY (tests only: its seqs exceed 2^53); an "
                    + "existing queue keeps its own")
            .parsedBy(FeedQueue::rollCycle));

    /** Queue files kept, the newest; 0 keeps all. */
    public static final Setting<Integer> RETAIN_CYCLES = SETTINGS.add(Setting.ofInt("--retain-cycles", "N", 0,
            "Queue files to keep, the newest (a server: its replica's, with --upstream); older ones are deleted as "
                    + "the queue rolls, and resuming from them answers resume_unavailable. 0 keeps all")
            .check(n -> n >= 0, "--retain-cycles must not be negative"));

    /**
     * MiB. The simulator stops before the file system has less free space (a write into a full
     * memory-mapped file would kill the process).
     */
    public static final Setting<Long> MIN_FREE_MB = SETTINGS.add(Setting.ofLong("--min-free-mb", "MB", 64,
            "Stop with a clear error (exit 3) before the queue's file system has less free space than this, rather "
                    + "than crash inside a full memory-mapped file; start again once space is freed")
            .check(mb -> mb >= 1, "--min-free-mb must be at least 1"));

    private SimulatorConfig(Map<Setting<?>, Object> values) {
        super(values);
    }

    /** Every setting at its default (environment variables are not read) but the queue directory. */
    public static SimulatorConfig defaults(Path queueDir) {
        return SETTINGS.defaults().with(QUEUE, queueDir);
    }

    @Override
    protected Settings<SimulatorConfig> settings() {
        return SETTINGS;
    }
}
