package io.tickstream.feed;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

/**
 * How the feed is laid out on disk: one Chronicle Queue directory, rolled to a new file every
 * roll cycle, old files deleted beyond a retention count by the writer. The one place that opens
 * the queue, so that the simulator, the server and the tests agree.
 */
public final class FeedQueue {

    private static final Logger LOG = Logger.getLogger(FeedQueue.class.getName());

    /**
     * Roll cycles a user may choose, by name: those whose indexes, the {@code seq} of every message,
     * stay below 2^53 so that JavaScript numbers hold them exactly (shorter Chronicle cycles do not),
     * and {@code TEST_SECONDLY}, for tests of roll-over only: its seqs are 64-bit.
     */
    public static final List<String> ROLL_CYCLES = List.of("HALF_HOURLY", "FAST_HOURLY", "TWO_HOURLY",
            "FOUR_HOURLY", "SIX_HOURLY", "FAST_DAILY", "WEEKLY", "TEST_SECONDLY");

    public static final String DEFAULT_ROLL_CYCLE = "FAST_DAILY";

    private FeedQueue() {
    }

    /**
     * The roll cycle of a name in {@link #ROLL_CYCLES} (case-insensitive).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static RollCycle rollCycle(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (!ROLL_CYCLES.contains(n)) {
            throw new IllegalArgumentException("unknown roll cycle '" + name + "'; one of " + ROLL_CYCLES);
        }
        return n.equals("TEST_SECONDLY") ? TestRollCycles.TEST_SECONDLY : RollCycles.valueOf(n);
    }

    /**
     * The name in {@link #ROLL_CYCLES} of a queue's roll cycle (as {@code queue.rollCycle()} gives it,
     * read from an existing queue's metadata), or {@code null} when it is none of them.
     */
    public static String nameOf(RollCycle cycle) {
        for (String name : ROLL_CYCLES) {
            RollCycle c = rollCycle(name);
            if (c.format().equals(cycle.format()) && c.lengthInMillis() == cycle.lengthInMillis()
                    && c.defaultIndexCount() == cycle.defaultIndexCount()) {
                return name;
            }
        }
        return null;
    }

    /** The file Chronicle keeps a queue's settings in (its roll cycle among them), beside the cycle files. */
    static final String METADATA_FILE = "metadata.cq4t";

    /**
     * The queue cannot be used by a reader. The message is for the operator as it stands: one line
     * per problem, each naming the path and what is wrong, then what to do.
     */
    public static final class UnusableQueueException extends RuntimeException {
        public UnusableQueueException(String message) {
            super(message);
        }
    }

    /**
     * Opens the queue read-only, after checking that it can be used: {@code dir} is a readable
     * directory (created, with an empty queue in it, when it does not exist yet, so that a server
     * may start before the simulator) and none of its cycle files is damaged ({@link QueueFiles}).
     * Nothing in an existing queue is ever written. An existing queue keeps its own roll cycle.
     *
     * @throws UnusableQueueException when the directory or a cycle file cannot be used
     */
    public static SingleChronicleQueue openForReading(Path dir, RollCycle rollCycle) {
        requireReadableDirectory(dir);
        if (!Files.exists(dir.resolve(METADATA_FILE)) && QueueFiles.cycleFiles(dir).isEmpty()) {
            create(dir, rollCycle);
        }
        List<String> damage = awaitHeaders(dir);
        if (!damage.isEmpty()) {
            throw new UnusableQueueException(String.join("\n", damage) + "\nrestore "
                    + (damage.size() == 1 ? "that file" : "those files") + " from a copy, or move "
                    + (damage.size() == 1 ? "it" : "them") + " out of " + dir
                    + " (resumes from seqs in a file moved out then answer resume_unavailable)");
        }
        return SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(rollCycle).readOnly(true).build();
    }

    private static void requireReadableDirectory(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UnusableQueueException("queue directory " + dir + " is not a directory");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UnusableQueueException("queue directory " + dir + " cannot be created: " + reason(dir, e));
        }
        if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
            throw new UnusableQueueException("queue directory " + dir + " cannot be read (permission denied)");
        }
    }

    /** An empty queue in {@code dir}, its metadata only, as the simulator would create it. */
    private static void create(Path dir, RollCycle rollCycle) {
        try {
            SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(rollCycle).build().close();
        } catch (RuntimeException e) {
            throw new UnusableQueueException("queue directory " + dir + " cannot be created: " + e.getMessage());
        }
    }

    /**
     * The damaged cycle files of {@code dir}; a newest file without a complete header is given a
     * second to get one, since a writer may be creating it at this moment.
     */
    private static List<String> awaitHeaders(Path dir) {
        long end = System.nanoTime() + 1_000_000_000L;
        while (true) {
            List<Path> cycles = QueueFiles.cycleFiles(dir);
            String newest = cycles.isEmpty() ? null : QueueFiles.problem(cycles.get(cycles.size() - 1));
            boolean beingCreated = newest != null && (newest.startsWith("is empty") || newest.startsWith("has no complete"));
            if (!beingCreated || System.nanoTime() > end) {
                return QueueFiles.damage(dir);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return QueueFiles.damage(dir);
            }
        }
    }

    /** Why {@code dir} could not be created, for the operator: the ancestor in the way, or the system's reason. */
    private static String reason(Path dir, IOException e) {
        for (Path p = dir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                if (!Files.isDirectory(p)) {
                    return p + " is not a directory";
                }
                break;
            }
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.toString();
    }

    /**
     * Opens the queue for writing, deleting the oldest cycle files whenever a new one is started so
     * that at most {@code retainCycles} remain (0 keeps everything).
     */
    public static SingleChronicleQueue openForWriting(Path dir, RollCycle rollCycle, int retainCycles) {
        SingleChronicleQueue[] self = new SingleChronicleQueue[1];
        StoreFileListener retention = new StoreFileListener() {
            @Override
            public void onAcquired(int cycle, File file) {
                if (retainCycles > 0) {
                    deleteOldCycles(dir, retainCycles);
                    if (self[0] != null) {
                        self[0].refreshDirectoryListing();
                    }
                }
            }

            @Override
            public void onReleased(int cycle, File file) {
            }
        };
        self[0] = SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(rollCycle).storeFileListener(retention)
                .build();
        if (retainCycles > 0) {
            deleteOldCycles(dir, retainCycles);
            self[0].refreshDirectoryListing();
        }
        return self[0];
    }

    /** Deletes all but the newest {@code keep} cycle files ({@code *.cq4}; their names sort by time). */
    static void deleteOldCycles(Path dir, int keep) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> cycles = files.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().toList();
            for (int i = 0; i < cycles.size() - keep; i++) {
                Files.deleteIfExists(cycles.get(i));
                LOG.fine(() -> "retention: deleted " + cycles.get(0));
            }
        } catch (IOException e) {
            LOG.warning("retention: cannot delete old queue files in " + dir + ": " + e);
        }
    }
}
