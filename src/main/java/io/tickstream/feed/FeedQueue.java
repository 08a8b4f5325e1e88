package io.tickstream.feed;

import java.io.File;
import java.io.IOException;
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

    /** Opens (creating if needed) the queue for reading; an existing queue keeps its own roll cycle. */
    public static SingleChronicleQueue open(Path dir, RollCycle rollCycle) {
        return SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(rollCycle).build();
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
