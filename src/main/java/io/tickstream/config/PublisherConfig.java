package io.tickstream.config;

import io.tickstream.feed.FeedQueue;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything the feed host ({@code publish}) is started with, each setting declared once below: its
 * flag, default, description and checks; its environment variable is {@code TICKSTREAM_} and the
 * flag's name. Tests start from {@link #defaults(Path)}. Immutable.
 */
public final class PublisherConfig extends Config<PublisherConfig> {

    /** Every setting of the {@code publish} command, in the order below. */
    public static final Settings<PublisherConfig> SETTINGS = new Settings<>("TICKSTREAM_", PublisherConfig::new);

    public static final Setting<Path> QUEUE = SETTINGS.add(Setting.ofPath("--queue", "DIR", Path.of("data/queue"),
            "Chronicle Queue directory to publish (the origin); never written"));

    public static final Setting<String> LISTEN = SETTINGS.add(Setting.ofString("--listen", "HOST:PORT",
            "0.0.0.0:9400", "UDP address edges reach: PORT carries the live stream, PORT+1 the archive's "
                    + "control (catch-up)")
            .check(ReplicationSettings::isEndpoint, "--listen must be HOST:PORT with a port 1 to 65534"));

    public static final Setting<Path> ARCHIVE_DIR = SETTINGS.add(Setting.ofPath("--archive-dir", "DIR",
            Path.of("data/archive"), "Aeron Archive directory: the recording of everything published, which "
                    + "edges catch up from; kept across restarts"));

    public static final Setting<Path> AERON_DIR = SETTINGS.add(ReplicationSettings.AERON_DIR);

    public static final Setting<Double> AERON_IDLE_MS = SETTINGS.add(ReplicationSettings.AERON_IDLE_MS);

    public static final Setting<String> ROLL_CYCLE = SETTINGS.add(Setting.ofString("--roll-cycle", "NAME",
            FeedQueue.DEFAULT_ROLL_CYCLE, "Roll cycle to create the queue with if it does not exist yet (an "
                    + "existing queue keeps its own)")
            .parsedBy(FeedQueue::rollCycle));

    private PublisherConfig(Map<Setting<?>, Object> values) {
        super(values);
    }

    /** Every setting at its default (environment variables are not read) but the queue and archive directories. */
    public static PublisherConfig defaults(Path queueDir, Path archiveDir) {
        return SETTINGS.defaults().with(QUEUE, queueDir).with(ARCHIVE_DIR, archiveDir);
    }

    @Override
    protected Settings<PublisherConfig> settings() {
        return SETTINGS;
    }
}
