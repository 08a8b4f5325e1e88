package io.tickstream.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.config.SimulatorConfig;
import io.tickstream.feed.QueueFiles;
import io.tickstream.support.AppProcess;
import io.tickstream.support.External;
import io.tickstream.support.Fixture;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A queue the server cannot use, or a damaged one, refuses the start: the real process exits 2
 * with one line per problem naming the path and what is wrong, no stack trace, and leaves the
 * queue's files byte for byte as they were.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QueueRefusalTest {

    @TempDir
    Path dir;

    private record Exit(int code, String output) {
    }

    /** Runs {@code tickstream server --port 0 ARGS...} and waits for it to exit (up to 30 s, then it is killed). */
    private Exit server(String... args) throws Exception {
        String[] all = new String[args.length + 3];
        all[0] = "server";
        all[1] = "--port";
        all[2] = "0";
        System.arraycopy(args, 0, all, 3, args.length);
        try (External.Running p = AppProcess.start(dir.resolve("server.log"), all)) {
            boolean exited = p.process().waitFor(30, TimeUnit.SECONDS);
            String out = p.output();
            assertTrue(exited, "the server exits instead of running on:\n" + out);
            return new Exit(p.process().exitValue(), out);
        }
    }

    private static void assertNoStackTrace(String output) {
        assertFalse(output.contains("\tat ") || output.contains("Exception"), "no stack trace:\n" + output);
    }

    @Test
    void shouldRefuseAQueuePathThatIsAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("queue"), "not a queue");
        Exit r = server("--queue", file.toString());
        assertEquals(2, r.code(), r.output());
        assertEquals("server: queue directory " + file + " is not a directory", r.output().strip());
        assertEquals("not a queue", Files.readString(file));
    }

    @Test
    void shouldRefuseAQueuePathThatCannotBeCreated() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        Exit r = server("--queue", file.resolve("queue").toString());
        assertEquals(2, r.code(), r.output());
        assertEquals("server: queue directory " + file.resolve("queue") + " cannot be created: " + file
                + " is not a directory", r.output().strip());
    }

    @Test
    void shouldRefuseToStartOnATruncatedCycleFileAndLeaveItAsItWas() throws Exception {
        Refused r = startOnDamagedCycle(1_000);

        assertTrue(r.output().startsWith("server: queue file " + r.damaged() + " is truncated: 1,000 bytes, its "
                + "header says data up to "), r.output());
        assertTrue(r.output().contains("\nserver: restore that file from a copy, or move it out of " + r.queue()),
                r.output());
    }

    @Test
    void shouldRefuseToStartOnAnEmptyCycleFileAndLeaveItAsItWas() throws Exception {
        Refused r = startOnDamagedCycle(0);

        assertTrue(r.output().startsWith("server: queue file " + r.damaged() + " is empty (0 bytes)\n"), r.output());
        assertEquals(0, Files.size(r.damaged()));
    }

    private record Refused(Path queue, Path damaged, String output) {
    }

    /**
     * Writes a queue of several cycle files, cuts its second file to {@code bytes}, and starts the
     * server on it from the start; checks that the start is refused the way every damaged file
     * refuses it: exit 2, one line naming the file and one saying what to do, no stack trace, and
     * every file of the queue byte for byte as it was.
     */
    private Refused startOnDamagedCycle(long bytes) throws Exception {
        Path queue = dir.resolve("queue");
        Path damaged = writeCycles(queue).get(1);
        truncate(damaged, bytes);
        Map<String, String> before = hashes(queue);

        Exit r = server("--queue", queue.toString(), "--from-start");

        assertEquals(2, r.code(), r.output());
        assertEquals(2, r.output().strip().lines().count(), "one line naming the file, one saying what to do:\n"
                + r.output());
        assertNoStackTrace(r.output());
        assertEquals(before, hashes(queue), "every file of the queue byte for byte as it was");
        return new Refused(queue, damaged, r.output());
    }

    /** A queue of at least three cycle files written by the real simulator (one file per second). */
    static List<Path> writeCycles(Path queue) throws Exception {
        Fixture.RunningSimulator sim = Fixture.startSimulator(Fixture.simulator(queue, 2_000, 7)
                .with(SimulatorConfig.ROLL_CYCLE, "TEST_SECONDLY"));
        try {
            Fixture.await(() -> QueueFiles.cycleFiles(queue).size() >= 4, Duration.ofSeconds(20),
                    "the simulator to write four cycle files");
        } finally {
            sim.stop();
        }
        return QueueFiles.cycleFiles(queue);
    }

    static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    /** Every file of the queue directory by name, with the SHA-256 of its bytes. */
    static Map<String, String> hashes(Path queue) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (var files = Files.list(queue)) {
            for (Path f : files.toList()) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                try (var in = Files.newInputStream(f)) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        sha.update(buf, 0, n);
                    }
                }
                out.put(f.getFileName().toString(), Files.size(f) + " " + HexFormat.of().formatHex(sha.digest()));
            }
        }
        return out;
    }
}
