package io.tickstream.loadtest;

import com.sun.management.OperatingSystemMXBean;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The load-test harness: opens many WebSocket subscribers from one process (on selectors,
 * nothing blocks), each with its own subscription mix, and measures what they receive: end-to-end
 * latency from each message's {@code ts}, deliveries per second, gaps and reorders from
 * {@code seq}, conflation, and disconnects by close code.
 *
 * <p>A run: {@link ClientMix} says what each connection subscribes to, {@link Connections} opens
 * them on a ramp, {@link Recorders} records what they receive, {@link ProgressPrinter} prints a
 * line a second, and the {@link Report} is built from their parts.
 *
 * <p>Threading: {@link #run} is called by one thread, the reporting thread; each connection's
 * state is touched only on its event loop (see {@link Recorders}).
 */
public final class LoadTest {

    /**
     * What to run.
     *
     * @param url              the server's {@code ws://} or {@code wss://} URL of {@code /ws}
     * @param clients          connections to open
     * @param durationSeconds  how long to measure once the ramp has started
     * @param rampPerSecond    connections opened per second
     * @param symbolsPerClient random symbols each client subscribes to (when not on {@code stocks.*})
     * @param matchesPerClient random matches each client subscribes to
     * @param allStocksShare   share of clients on {@code stocks.*} instead of single symbols
     * @param allSportsShare   share of clients also on {@code sports.>} instead of single matches
     * @param slowShare        share of clients that read slowly on purpose (pause 4 s in every 5 s)
     * @param tracedClients    how many clients (the last ones) subscribe with {@code trace: true}
     * @param contiguous       the subscriptions cover the whole feed: check {@code seq} for gaps
     * @param out              directory for the JSON and HTML reports
     * @param name             scenario name, used in file names
     * @param seed             seed of the subscription mix
     * @param warmupSeconds    latency and deliveries/s count only this long after every connection
     *                         attempt was answered (ramp, snapshots)
     * @param token            access token for a server with auth on ({@code Authorization: Bearer}), or null
     * @param holdSeconds      how long to keep the connections open after the run, measuring nothing
     */
    public record Config(URI url, int clients, double durationSeconds, int rampPerSecond, int symbolsPerClient,
                         int matchesPerClient, double allStocksShare, double allSportsShare, double slowShare,
                         int tracedClients, boolean contiguous, Path out, String name, long seed, double warmupSeconds, String token,
                         double holdSeconds) {
    }

    private final Config config;
    private final PrintStream log;

    public LoadTest(Config config, PrintStream log) {
        this.config = config;
        this.log = log;
    }

    /**
     * Runs the scenario and returns the report; {@link Report#healthy()} tells whether readers saw
     * gaps. Blocks for the run's duration and its hold, on the calling thread (the reporting thread).
     *
     * @throws IOException           when the server's topic list cannot be read
     * @throws IllegalStateException when the server knows no stock topic yet
     */
    public Report run() throws Exception {
        List<String> symbols = new ArrayList<>();
        List<String> matches = new ArrayList<>();
        for (Object o : fetchTopics()) {
            String topic = ((JsonObject) o).getString("topic");
            (topic.startsWith("stocks.") ? symbols : matches).add(topic);
        }
        if (symbols.isEmpty()) {
            throw new IllegalStateException("the server knows no stock topics yet: is the simulator running?");
        }
        List<Client> clients = ClientMix.clients(config, symbols, matches);
        Recorders recorders = new Recorders(clients, config.contiguous(), config.warmupSeconds());
        try (Connections connections = Connections.open(config, clients, recorders, log)) {
            long start = System.nanoTime();
            // Until every connection attempt has an answer, assume the ramp takes as long as asked.
            recorders.measureFrom(start + (long) ((config.clients() / (double) config.rampPerSecond()
                    + config.warmupSeconds()) * 1e9));
            connections.openAll(start);
            Timeline timeline = new Timeline(start);
            MetricsScrape server = new MetricsScrape(config.url(), config.token());
            new ProgressPrinter(log, config.clients(), recorders, connections, timeline, server::start)
                    .printUntil(start + (long) (config.durationSeconds() * 1e9));
            connections.stopPausingSlowReaders();
            recorders.stopMeasuring();
            JsonObject serverFigures = server.end();
            recorders.settleGaps(log);
            recorders.collectLatency();   // what arrived since the last full second
            Report report = new Report(config, connections.counts(), recorders.deliveries(recorders.measuredSeconds(start)),
                    recorders.seqCounts(Client.Kind.HEALTHY), recorders.seqCounts(Client.Kind.SLOW),
                    recorders.latencies(), processCpuSeconds(), timeline.seconds(),
                    serverFigures);
            if (config.holdSeconds() > 0) {
                Thread.sleep((long) (config.holdSeconds() * 1000));   // connected, measuring nothing
            }
            return report;
        }
    }

    /** This process's CPU time so far (every thread, the JIT and GC included), or 0 if unknown. */
    private static double processCpuSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime()) / 1e9;
        }
        return 0;
    }

    private JsonArray fetchTopics() throws IOException, InterruptedException {
        URI topics = MetricsScrape.httpOf(config.url(), "/api/topics");
        HttpRequest.Builder request = HttpRequest.newBuilder(topics).timeout(Duration.ofSeconds(10));
        if (config.token() != null) {
            request.header("Authorization", "Bearer " + config.token());
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(topics + " answered " + r.statusCode());
        }
        return new JsonArray(r.body());
    }

    static String micros(long us) {
        return us < 1000 ? us + " µs" : us < 1_000_000 ? String.format("%.1f ms", us / 1e3) : String.format("%.2f s", us / 1e6);
    }
}
