package io.tickstream.config;

import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code simulate} command's flags. Each flag's environment variable and default stand beside
 * it; a flag given on the command line wins over its variable.
 */
public final class SimulateOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--queue", paramLabel = "DIR", defaultValue = "${env:TICKSTREAM_QUEUE:-data/queue}",
            description = "Chronicle Queue directory to append to, created if missing "
                    + "(env TICKSTREAM_QUEUE, default ${DEFAULT-VALUE}).")
    Path queue;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "${env:TICKSTREAM_RATE:-2000}",
            description = "Total messages per second outside bursts; score updates come out of it first, "
                    + "ticks fill the rest (env TICKSTREAM_RATE, default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "${env:TICKSTREAM_SEED}",
            description = "Seed of every random choice; the same seed gives the same feed. Random if unset "
                    + "(env TICKSTREAM_SEED).")
    Long seed;

    @Option(names = "--burst-multiplier", paramLabel = "X", defaultValue = "${env:TICKSTREAM_BURST_MULTIPLIER:-10}",
            description = "Rate multiplier during a burst (env TICKSTREAM_BURST_MULTIPLIER, default ${DEFAULT-VALUE}).")
    double burstMultiplier;

    @Option(names = "--burst-seconds", paramLabel = "S", defaultValue = "${env:TICKSTREAM_BURST_SECONDS:-3}",
            description = "Length of each burst (env TICKSTREAM_BURST_SECONDS, default ${DEFAULT-VALUE}).")
    double burstSeconds;

    @Option(names = "--burst-every", paramLabel = "S", defaultValue = "${env:TICKSTREAM_BURST_EVERY:-60}",
            description = "Seconds between burst starts, the first at start-up (a market-open spike); 0 for "
                    + "a steady rate (env TICKSTREAM_BURST_EVERY, default ${DEFAULT-VALUE}).")
    double burstEvery;

    @Option(names = "--matches", paramLabel = "N", defaultValue = "${env:TICKSTREAM_MATCHES:-16}",
            description = "Football matches played at once (env TICKSTREAM_MATCHES, default ${DEFAULT-VALUE}).")
    int matches;

    @Option(names = "--match-minute-ms", paramLabel = "MS", defaultValue = "${env:TICKSTREAM_MATCH_MINUTE_MS:-1000}",
            description = "Wall milliseconds per match minute (env TICKSTREAM_MATCH_MINUTE_MS, default ${DEFAULT-VALUE}).")
    long matchMinuteMs;

    @Option(names = "--symbols", paramLabel = "FILE", defaultValue = "${env:TICKSTREAM_SYMBOLS}",
            description = "Symbol universe CSV (symbol,price,volatility); the built-in simulator/symbols.csv "
                    + "if unset (env TICKSTREAM_SYMBOLS).")
    Path symbols;

    @Option(names = "--teams", paramLabel = "FILE", defaultValue = "${env:TICKSTREAM_TEAMS}",
            description = "Teams CSV (code,name,players); the built-in simulator/teams.csv if unset "
                    + "(env TICKSTREAM_TEAMS).")
    Path teams;

    @Option(names = "--fixtures", paramLabel = "FILE", defaultValue = "${env:TICKSTREAM_FIXTURES}",
            description = "Fixtures CSV (sport,home,away); the built-in simulator/fixtures.csv if unset "
                    + "(env TICKSTREAM_FIXTURES).")
    Path fixtures;

    @Option(names = "--count", paramLabel = "N", defaultValue = "${env:TICKSTREAM_COUNT:-0}",
            description = "Stop after N messages; 0 for no limit (env TICKSTREAM_COUNT, default ${DEFAULT-VALUE}).")
    long count;

    @Option(names = "--duration", paramLabel = "S", defaultValue = "${env:TICKSTREAM_DURATION:-0}",
            description = "Stop after S seconds; 0 for no limit (env TICKSTREAM_DURATION, default ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--stats-every", paramLabel = "S", defaultValue = "${env:TICKSTREAM_STATS_EVERY:-5}",
            description = "Print a progress line every S seconds; 0 for never "
                    + "(env TICKSTREAM_STATS_EVERY, default ${DEFAULT-VALUE}).")
    double statsEvery;

    @Option(names = "--roll-cycle", paramLabel = "NAME", defaultValue = "${env:TICKSTREAM_ROLL_CYCLE:-FAST_DAILY}",
            description = "How often the queue starts a new file: HALF_HOURLY, FAST_HOURLY, TWO_HOURLY, FOUR_HOURLY, "
                    + "SIX_HOURLY, FAST_DAILY, WEEKLY, or TEST_SECONDLY (tests only: its seqs exceed 2^53); an existing "
                    + "queue keeps its own (env TICKSTREAM_ROLL_CYCLE, default ${DEFAULT-VALUE}).")
    String rollCycle;

    @Option(names = "--retain-cycles", paramLabel = "N", defaultValue = "${env:TICKSTREAM_RETAIN_CYCLES:-0}",
            description = "Queue files to keep, the newest; older ones are deleted as the queue rolls, and resuming "
                    + "from them answers resume_unavailable. 0 keeps all (env TICKSTREAM_RETAIN_CYCLES, default ${DEFAULT-VALUE}).")
    int retainCycles;

    @Option(names = "--min-free-mb", paramLabel = "MB", defaultValue = "${env:TICKSTREAM_MIN_FREE_MB:-64}",
            description = "Stop with a clear error (exit 3) before the queue's file system has less free space than "
                    + "this, rather than crash inside a full memory-mapped file; start again once space is freed "
                    + "(env TICKSTREAM_MIN_FREE_MB, default ${DEFAULT-VALUE}).")
    long minFreeMb;

    /** The validated, immutable configuration. */
    public SimulatorConfig toConfig() {
        require(rate > 0 && Double.isFinite(rate), "--rate must be a positive number");
        require(burstMultiplier >= 1 && burstSeconds >= 0 && burstEvery >= 0,
                "--burst-multiplier must be at least 1, --burst-seconds and --burst-every not negative");
        require(matches >= 0 && matches <= 1000, "--matches must be 0 to 1000");
        require(matchMinuteMs >= 10, "--match-minute-ms must be at least 10");
        require(count >= 0 && duration >= 0 && statsEvery >= 0,
                "--count, --duration and --stats-every must not be negative");
        require(retainCycles >= 0, "--retain-cycles must not be negative");
        require(minFreeMb >= 1, "--min-free-mb must be at least 1");
        try {
            io.tickstream.feed.FeedQueue.rollCycle(rollCycle);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--roll-cycle: " + e.getMessage());
        }
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        return new SimulatorConfig(queue, rate, s, burstMultiplier, burstSeconds, burstEvery, matches, matchMinuteMs,
                symbols, teams, fixtures, count, duration, statsEvery, rollCycle, retainCycles, minFreeMb);
    }

    private void require(boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }
}
