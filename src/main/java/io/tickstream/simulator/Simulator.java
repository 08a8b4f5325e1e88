package io.tickstream.simulator;

import static io.tickstream.config.SimulatorConfig.BURST_EVERY;
import static io.tickstream.config.SimulatorConfig.BURST_MULTIPLIER;
import static io.tickstream.config.SimulatorConfig.BURST_SECONDS;
import static io.tickstream.config.SimulatorConfig.CORRECTION_SHARE;
import static io.tickstream.config.SimulatorConfig.COUNT;
import static io.tickstream.config.SimulatorConfig.DURATION;
import static io.tickstream.config.SimulatorConfig.FIXTURES;
import static io.tickstream.config.SimulatorConfig.MATCHES;
import static io.tickstream.config.SimulatorConfig.MATCH_MINUTE_MS;
import static io.tickstream.config.SimulatorConfig.MIN_FREE_MB;
import static io.tickstream.config.SimulatorConfig.QUEUE;
import static io.tickstream.config.SimulatorConfig.RATE;
import static io.tickstream.config.SimulatorConfig.RETAIN_CYCLES;
import static io.tickstream.config.SimulatorConfig.ROLL_CYCLE;
import static io.tickstream.config.SimulatorConfig.SEED;
import static io.tickstream.config.SimulatorConfig.STATS_EVERY;
import static io.tickstream.config.SimulatorConfig.SYMBOLS;
import static io.tickstream.config.SimulatorConfig.TEAMS;

import io.tickstream.config.SimulatorConfig;
import io.tickstream.feed.FeedMessage;
import io.tickstream.feed.FeedQueue;
import io.tickstream.feed.MicroClock;
import io.tickstream.feed.QueueCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The simulator process's work: paces a {@link FeedGenerator} against the wall clock and appends
 * every message to the queue, stamping its {@code ts} as it goes.
 *
 * <p>Threading: {@link #run()} owns the queue appender and runs on the caller's thread until the
 * configured count or duration is reached or {@link #stop()} is called (from any thread).
 */
public final class Simulator {

    /** A setup problem the user must fix (bad directory, unreadable file), with a clear message. */
    public static final class SetupException extends RuntimeException {
        public SetupException(String message) {
            super(message);
        }
    }

    /**
     * Writing cannot go on: the queue's file system is (nearly) full, or a write into the
     * memory-mapped queue failed. The message says what to do.
     */
    public static final class WriteException extends RuntimeException {
        public WriteException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(FeedGenerator.STEP_MS);

    private final SimulatorConfig config;
    private final Scenario scenario;
    private final PrintStream log;
    private volatile boolean running = true;
    private volatile long written;
    private volatile long lastSeq = -1;

    /**
     * Checks the configuration: the scenario files load and the queue directory can be written.
     *
     * @throws SetupException or {@link Scenario.ScenarioException} with a message for the user
     */
    public Simulator(SimulatorConfig config, PrintStream log) {
        this.config = config;
        this.log = log;
        this.scenario = Scenario.load(config.get(SYMBOLS), config.get(TEAMS), config.get(FIXTURES));
        checkWritable(config.get(QUEUE));
    }

    static void checkWritable(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SetupException("cannot create queue directory " + dir + ": " + e);
        }
        Path probe = dir.resolve(".tickstream-write-probe");
        try {
            Files.deleteIfExists(probe);
            Files.createFile(probe);
            Files.delete(probe);
        } catch (IOException e) {
            throw new SetupException("queue directory " + dir + " is not writable: " + e);
        }
    }

    /** Writes until the count or duration is reached or {@link #stop()} is called. Returns messages written. */
    public long run() {
        RateProfile profile = new RateProfile(config.get(RATE), config.get(BURST_MULTIPLIER), config.get(BURST_SECONDS),
                config.get(BURST_EVERY));
        try (SingleChronicleQueue queue = FeedQueue.openForWriting(config.get(QUEUE),
                FeedQueue.rollCycle(config.get(ROLL_CYCLE)), config.get(RETAIN_CYCLES));
             ExcerptAppender appender = queue.createAppender()) {
            FeedGenerator generator = new FeedGenerator(scenario, profile, config.get(SEED), config.get(MATCHES),
                    config.get(MATCH_MINUTE_MS), config.get(CORRECTION_SHARE), Long.toString(runId(queue)),
                    MicroClock::nowMicros);
            long start = System.nanoTime();
            long endNanos = config.get(DURATION) > 0
                    ? start + (long) (config.get(DURATION) * 1e9) : Long.MAX_VALUE;
            long statsEvery = (long) (config.get(STATS_EVERY) * 1e9);
            long nextStats = statsEvery > 0 ? start + statsEvery : Long.MAX_VALUE;
            long writtenAtStats = 0;
            long step = 0;
            long limit = config.get(COUNT) > 0 ? config.get(COUNT) : Long.MAX_VALUE;
            long count = 0;
            FileStore store = Files.getFileStore(config.get(QUEUE));
            while (running && count < limit) {
                long now = System.nanoTime();
                if (now >= endNanos) {
                    break;
                }
                checkFreeSpace(store);
                long due = (now - start) / STEP_NANOS;
                while (step <= due && count < limit && running) {
                    long[] n = {count};
                    try {
                        generator.step(step++, m -> {
                            if (n[0] < limit) {
                                append(appender, m);
                                n[0]++;
                            }
                        });
                    } catch (InternalError e) {
                        // the JVM's answer to SIGBUS in a mapped file: the file system ran out of space
                        throw new WriteException("a write to the queue in " + config.get(QUEUE) + " failed ("
                                + e.getMessage() + "): the file system is most likely full; free space and start "
                                + "again (the last message may be incomplete and is skipped by readers)", e);
                    }
                    count = n[0];
                    written = count;
                }
                if (now >= nextStats) {
                    log.printf("simulator: %d messages written (%.0f/s), last seq %d%n", count,
                            (count - writtenAtStats) / config.get(STATS_EVERY), lastSeq);
                    writtenAtStats = count;
                    nextStats += statsEvery;
                }
                long sleep = start + step * STEP_NANOS - System.nanoTime();
                if (sleep > 0) {
                    LockSupport.parkNanos(sleep);
                }
            }
            return count;
        } catch (IOException e) {
            throw new WriteException("cannot read the free space of " + config.get(QUEUE) + ": " + e, e);
        }
    }

    /**
     * The name of a run about to append to {@code queue}, the run part of its event ids: the seq its
     * first record gets. That is the seq after the queue's last record, or the first of the current
     * roll cycle when the queue has none in it yet; should the cycle roll between this call and the
     * first write, the first record's seq is higher still. Either way it is above the seq of every
     * record of every earlier run, so two runs of one queue never share a name, without any state
     * kept outside the queue.
     */
    static long runId(SingleChronicleQueue queue) {
        long last = queue.lastIndex();
        long next = last < 0 ? 0 : last + 1;
        return Math.max(next, queue.rollCycle().toIndex(queue.cycle(), 0));
    }

    /** Stops before the file system is full: past that, a write into the mapped queue kills the process. */
    private void checkFreeSpace(FileStore store) throws IOException {
        long free = store.getUsableSpace();
        if (free < config.get(MIN_FREE_MB) << 20) {
            throw new WriteException("the queue's file system (" + config.get(QUEUE) + ") has " + (free >> 20)
                    + " MiB free, under --min-free-mb " + config.get(MIN_FREE_MB) + ": stopped before the queue is "
                    + "damaged. Free space, then start the simulator again; it appends where it stopped.", null);
        }
    }

    private void append(ExcerptAppender appender, FeedMessage m) {
        try (DocumentContext dc = appender.writingDocument()) {
            QueueCodec.write(m, dc.wire().bytes());
        }
        lastSeq = appender.lastIndexAppended();
    }

    /** Asks {@link #run()} to return after the current step. Any thread. */
    public void stop() {
        running = false;
    }

    /** Messages written so far. Any thread. */
    public long written() {
        return written;
    }

    /** The {@code seq} of the last message written, or -1. Any thread. */
    public long lastSeq() {
        return lastSeq;
    }
}
