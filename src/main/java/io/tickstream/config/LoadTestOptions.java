package io.tickstream.config;

import io.tickstream.loadtest.LoadTest;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code loadtest} command's flags, each with its environment variable and default. */
public final class LoadTestOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:TICKSTREAM_LOADTEST_URL:-ws://localhost:8080/ws}",
            description = "The server's WebSocket URL, ws:// or wss:// (env TICKSTREAM_LOADTEST_URL, default ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "${env:TICKSTREAM_LOADTEST_CLIENTS:-1000}",
            description = "WebSocket connections to open (env TICKSTREAM_LOADTEST_CLIENTS, default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "${env:TICKSTREAM_LOADTEST_DURATION:-30}",
            description = "How long to run, ramp included (env TICKSTREAM_LOADTEST_DURATION, default ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--ramp", paramLabel = "PER_SEC", defaultValue = "${env:TICKSTREAM_LOADTEST_RAMP:-1000}",
            description = "Connections opened per second (env TICKSTREAM_LOADTEST_RAMP, default ${DEFAULT-VALUE}).")
    int ramp;

    @Option(names = "--symbols", paramLabel = "K", defaultValue = "${env:TICKSTREAM_LOADTEST_SYMBOLS:-10}",
            description = "Random symbols per client (env TICKSTREAM_LOADTEST_SYMBOLS, default ${DEFAULT-VALUE}).")
    int symbols;

    @Option(names = "--matches", paramLabel = "M", defaultValue = "${env:TICKSTREAM_LOADTEST_MATCHES:-2}",
            description = "Random matches per client (env TICKSTREAM_LOADTEST_MATCHES, default ${DEFAULT-VALUE}).")
    int matches;

    @Option(names = "--all-stocks-share", paramLabel = "F", defaultValue = "${env:TICKSTREAM_LOADTEST_ALL_STOCKS:-0}",
            description = "Share of clients on stocks.* instead of single symbols, 0 to 1 "
                    + "(env TICKSTREAM_LOADTEST_ALL_STOCKS, default ${DEFAULT-VALUE}).")
    double allStocksShare;

    @Option(names = "--all-sports-share", paramLabel = "F", defaultValue = "${env:TICKSTREAM_LOADTEST_ALL_SPORTS:-0}",
            description = "Share of clients on sports.> instead of single matches, 0 to 1 "
                    + "(env TICKSTREAM_LOADTEST_ALL_SPORTS, default ${DEFAULT-VALUE}).")
    double allSportsShare;

    @Option(names = "--slow-share", paramLabel = "F", defaultValue = "${env:TICKSTREAM_LOADTEST_SLOW:-0}",
            description = "Share of deliberately slow readers (pause 4 s in every 5 s), 0 to 1 "
                    + "(env TICKSTREAM_LOADTEST_SLOW, default ${DEFAULT-VALUE}).")
    double slowShare;

    @Option(names = "--contiguous", defaultValue = "${env:TICKSTREAM_LOADTEST_CONTIGUOUS:-false}",
            description = "The subscriptions cover the whole feed: count seq gaps, not only reorders "
                    + "(env TICKSTREAM_LOADTEST_CONTIGUOUS, default ${DEFAULT-VALUE}).")
    boolean contiguous;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "${env:TICKSTREAM_LOADTEST_OUT:-target/bench}",
            description = "Where the JSON and HTML reports go (env TICKSTREAM_LOADTEST_OUT, default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "${env:TICKSTREAM_LOADTEST_NAME:-loadtest}",
            description = "Scenario name, used in the report file names (env TICKSTREAM_LOADTEST_NAME, default ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "${env:TICKSTREAM_LOADTEST_SEED:-1}",
            description = "Seed of the subscription mix (env TICKSTREAM_LOADTEST_SEED, default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "${env:TICKSTREAM_LOADTEST_WARMUP:-5}",
            description = "Latency and deliveries/s are measured only from this long after every connection "
                    + "attempt was answered: the ramp and the snapshots stay out of the numbers (env TICKSTREAM_LOADTEST_WARMUP, default ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--hold", paramLabel = "SECONDS", defaultValue = "${env:TICKSTREAM_LOADTEST_HOLD:-0}",
            description = "Keep every connection open this long after the run, measuring nothing: time to sample "
                    + "the server (its heap, say) with its clients still connected (env TICKSTREAM_LOADTEST_HOLD, default ${DEFAULT-VALUE}).")
    double hold;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:TICKSTREAM_LOADTEST_TOKEN}",
            description = "Access token for a server with auth on (see the token command), sent as "
                    + "Authorization: Bearer (env TICKSTREAM_LOADTEST_TOKEN).")
    String token;

    public LoadTest.Config toConfig() {
        if (url == null || url.getScheme() == null || !(url.getScheme().equals("ws") || url.getScheme().equals("wss"))
                || url.getHost() == null) {
            throw new ParameterException(spec.commandLine(), "--url must be ws://HOST:PORT/ws or wss://...");
        }
        if (clients < 1 || duration <= 0 || ramp < 1 || symbols < 0 || matches < 0 || warmup < 0
                || warmup >= duration || hold < 0) {
            throw new ParameterException(spec.commandLine(),
                    "--clients, --duration and --ramp must be positive; --symbols and --matches not negative; "
                            + "--warmup shorter than --duration; --hold not negative");
        }
        for (double share : new double[] {allStocksShare, allSportsShare, slowShare}) {
            if (share < 0 || share > 1) {
                throw new ParameterException(spec.commandLine(), "shares are between 0 and 1");
            }
        }
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw new ParameterException(spec.commandLine(), "--name is letters, digits, '.', '_' or '-'");
        }
        return new LoadTest.Config(url, clients, duration, ramp, symbols, matches, allStocksShare, allSportsShare,
                slowShare, contiguous, out, name, seed, warmup, token, hold);
    }
}
