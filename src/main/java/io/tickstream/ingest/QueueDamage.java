package io.tickstream.ingest;

import io.tickstream.feed.QueueFiles;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * Damage to the queue found while the server runs: a cycle file truncated or emptied under it,
 * met by the tailer or by a replay as a failed read. {@link #recheck()} looks at every cycle file
 * again ({@link QueueFiles}, cheap: headers only); each damaged file is logged once, naming it and
 * what is wrong, and the number of damaged files is the gauge {@code tickstream_queue_damaged_files}.
 * A file found whole again (restored) is forgotten, and logged again if it is damaged again.
 *
 * <p>Thread-safe: the tailer and the replay thread may both call {@link #recheck()}.
 */
public final class QueueDamage {

    private static final Logger LOG = Logger.getLogger(QueueDamage.class.getName());

    private final Path dir;
    private final AtomicInteger damagedFiles = new AtomicInteger();
    private final Set<String> reported = new HashSet<>();

    /** @param dir the queue directory */
    public QueueDamage(Path dir) {
        this.dir = dir;
    }

    /** Damaged cycle files found by the last {@link #recheck()}. */
    public int damagedFiles() {
        return damagedFiles.get();
    }

    /**
     * Checks every cycle file again, logs those newly found damaged, and returns the first
     * problem ("queue file ... is truncated: ..."), or null when every file is whole.
     */
    public synchronized String recheck() {
        List<String> damage = QueueFiles.damage(dir);
        for (String problem : damage) {
            if (reported.add(problem)) {
                LOG.severe(problem + ": messages in it cannot be delivered, resumes across it answer "
                        + "resume_unavailable; restore it from a copy, or move it out and restart the server");
            }
        }
        reported.retainAll(damage);
        damagedFiles.set(damage.size());
        return damage.isEmpty() ? null : damage.get(0);
    }
}
