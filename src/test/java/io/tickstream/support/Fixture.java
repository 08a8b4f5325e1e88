package io.tickstream.support;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.config.SimulatorConfig;
import io.tickstream.feed.Sequenced;
import io.tickstream.ingest.RecordReader;
import io.tickstream.ingest.RecordReader.Found;
import io.tickstream.simulator.Simulator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/** Real parts for tests: a queue in a temp directory, an in-process simulator, a server on port 0. */
public final class Fixture {

    static {
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Fixture() {
    }

    /**
     * Writes a secret file as an operator should: readable by its owner only (mode 0600), which the
     * server and the token command require.
     */
    public static Path writeSecret(Path file, String secret) throws IOException {
        Files.writeString(file, secret);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /**
     * A steady simulator config: no bursts, 12 fast matches (50 ms per match minute), no progress
     * lines, no end; change the rest with {@link SimulatorConfig#with}.
     */
    public static SimulatorConfig simulator(Path queue, double rate, long seed) {
        return SimulatorConfig.defaults(queue).with(SimulatorConfig.RATE, rate).with(SimulatorConfig.SEED, seed)
                .with(SimulatorConfig.BURST_MULTIPLIER, 1).with(SimulatorConfig.BURST_SECONDS, 0)
                .with(SimulatorConfig.BURST_EVERY, 0).with(SimulatorConfig.MATCHES, 12)
                .with(SimulatorConfig.MATCH_MINUTE_MS, 50).with(SimulatorConfig.STATS_EVERY, 0);
    }

    /**
     * Server defaults on port 0, tailing {@code queue} from its end, with two event loops whatever
     * the machine's cores; change the rest with {@link ServerConfig#with}.
     */
    public static ServerConfig server(Path queue) {
        return ServerConfig.defaults(queue).with(ServerConfig.PORT, 0).with(ServerConfig.EVENT_LOOPS, 2);
    }

    /** A simulator running on its own thread until {@link RunningSimulator#stop()}. */
    public record RunningSimulator(Simulator simulator, Thread thread) {
        public void stop() throws InterruptedException {
            simulator.stop();
            thread.join(10_000);
        }

        /** Waits until the simulator has written {@code records} more than when called (by its own count). */
        public void awaitWritten(long records, Duration timeout) throws InterruptedException {
            long target = simulator.written() + records;
            Await.until(() -> simulator.written() >= target, timeout, records + " more records written");
        }
    }

    public static RunningSimulator startSimulator(SimulatorConfig config) {
        Simulator sim = new Simulator(config, new PrintStream(OutputStream.nullOutputStream()));
        Thread t = new Thread(sim::run, "test-simulator");
        t.start();
        return new RunningSimulator(sim, t);
    }

    public static ServerMain startServer(ServerConfig config) throws Exception {
        return ServerMain.start(config);
    }

    /** Every message in the queue, in order; a record that cannot be decoded fails the test. */
    public static List<Sequenced> readQueue(Path dir) {
        return readQueue(dir, null);
    }

    /**
     * Every intact message in the queue, in order; the seqs of records that cannot be decoded
     * (torn by a fault) go to {@code damaged} instead, or fail the test when it is null.
     */
    public static List<Sequenced> readQueue(Path dir, List<Long> damaged) {
        List<Sequenced> out = new ArrayList<>();
        try (ChronicleQueue q = SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(RollCycles.FAST_DAILY)
                .readOnly(true).build();
             RecordReader records = new RecordReader(q.createTailer())) {
            for (Found found = records.next(); found != Found.END; found = records.next()) {
                if (found == Found.RECORD) {
                    out.add(new Sequenced(records.seq(), records.message()));
                } else if (damaged == null) {
                    throw new AssertionError("undecodable record at seq " + records.seq(), records.decodeError());
                } else {
                    damaged.add(records.seq());
                }
            }
        }
        return out;
    }

    public static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of one sample line of /metrics, e.g. {@code tickstream_connections}, or -1 if absent. */
    public static double metric(int port, String sample) throws Exception {
        for (String line : get(port, "/metrics").body().split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim());
            }
        }
        return -1;
    }

    /**
     * Waits until the server on {@code port} has read {@code messages} more feed messages (ticks and
     * scores) than when called: the feed has moved on by that much.
     */
    public static void awaitFeedMoves(int port, long messages, Duration timeout) throws Exception {
        long target = feedMessagesRead(port) + messages;
        Await.until(() -> feedMessagesRead(port) >= target, timeout,
                "the feed to move on by " + messages + " messages");
    }

    private static long feedMessagesRead(int port) throws Exception {
        return (long) (metric(port, "tickstream_feed_messages_total{kind=\"tick\"}")
                + metric(port, "tickstream_feed_messages_total{kind=\"score\"}"));
    }

    /** Waits until {@code condition} holds, as {@link Await#until} does. */
    public static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        Await.until(condition::getAsBoolean, timeout, what);
    }

    /**
     * The seq of the newest record in the queue (as a writer left it, intact or not), or -1 when it is
     * empty. A queue that its writer is creating right now can trip one of Chronicle's assertions in a
     * reader (tests run with {@code -ea}): read again, for up to a second.
     */
    public static long lastSeq(Path dir) {
        long giveUp = System.nanoTime() + 1_000_000_000L;
        while (true) {
            try (ChronicleQueue q = SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(RollCycles.FAST_DAILY)
                    .readOnly(true).build()) {
                long last = q.lastIndex();
                return last == Long.MIN_VALUE ? -1 : last;
            } catch (AssertionError e) {
                if (System.nanoTime() > giveUp) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Waits until {@code records} more records are in the queue than when called (or than none, for
     * an empty queue): the feed has written that much. Counted by seq, which is consecutive within a
     * roll cycle, so a roll to a new cycle ends the wait early.
     */
    public static void awaitQueueGrowth(Path dir, long records, Duration timeout) throws InterruptedException {
        long[] from = {lastSeq(dir)};
        Await.until(() -> {
            long last = lastSeq(dir);
            if (from[0] < 0 && last >= 0) {
                from[0] = last - 1;   // an empty queue: counted from its first record
            }
            return from[0] >= 0 && last >= from[0] + records;
        }, timeout, records + " more records in " + dir);
    }

    /** Waits until the server's {@code /api/topics} lists more than {@code topics} topics. */
    public static void awaitTopics(int port, int topics, Duration timeout) throws InterruptedException {
        await(() -> {
            try {
                return new JsonArray(get(port, "/api/topics").body()).size() > topics;
            } catch (Exception e) {
                return false;
            }
        }, timeout, "more than " + topics + " topics listed");
    }

    /**
     * Waits until the server on {@code port} (a process, whose port answers before it has started)
     * lets WebSockets in: {@code /api/topics} answers 200, not {@code 503 starting}. Auth off.
     */
    public static void awaitStarted(int port, Duration timeout) throws InterruptedException {
        Await.until(() -> get(port, "/api/topics").statusCode() == 200, timeout, "the server on " + port + " to start");
    }

    /** The seqs of every message in the queue, in order. */
    public static List<Long> queueSeqs(Path dir) {
        return readQueue(dir).stream().map(Sequenced::seq).toList();
    }

    /** A {@code subscribe} to every topic of the feed ({@code stocks.*} and {@code sports.>}). */
    public static JsonObject subscribeAll(String id) {
        return Messages.subscribeAll(id).json();
    }

    /**
     * Asserts that {@code actual} is exactly {@code expected} (seqs, in order), and when it is not
     * says how, briefly: sizes, the first difference, how many are missing and how many repeated.
     */
    public static void assertSameSeqs(List<Long> expected, List<Long> actual, String what) {
        if (expected.equals(actual)) {
            return;
        }
        int i = 0;
        while (i < expected.size() && i < actual.size() && expected.get(i).equals(actual.get(i))) {
            i++;
        }
        Set<Long> got = new HashSet<>(actual);
        long missing = expected.stream().filter(s -> !got.contains(s)).count();
        long repeated = actual.size() - got.size();
        throw new AssertionError(what + ": expected " + expected.size() + " seqs, got " + actual.size()
                + "; first difference at index " + i + " (expected "
                + (i < expected.size() ? expected.get(i) : "none") + ", got " + (i < actual.size() ? actual.get(i) : "none")
                + "); " + missing + " missing, " + repeated + " repeated");
    }
}
