package io.tickstream.config;

import java.nio.file.Path;

/**
 * The settings the feed host ({@code publish}) and an edge ({@code server --upstream}) share, declared
 * once here and added to both commands' settings ({@link PublisherConfig}, {@link ServerConfig}).
 */
public final class ReplicationSettings {

    private ReplicationSettings() {
    }

    /** {@code HOST:PORT}: a host name or IPv4 address, a port 1 to 65534 (the port after it is used too). */
    public static final String ENDPOINT = "[^:\\s]+:\\d{1,5}";

    /** Whether {@code value} is {@code HOST:PORT} with a usable port (1 to 65534: the next one is used too). */
    public static boolean isEndpoint(String value) {
        if (value == null || !value.matches(ENDPOINT)) {
            return false;
        }
        int port = Integer.parseInt(value.substring(value.lastIndexOf(':') + 1));
        return port >= 1 && port <= 65534;
    }

    /** Unset is a directory of its own under /dev/shm (or the temp directory), derived from the data it serves. */
    public static final Setting<Path> AERON_DIR = Setting.ofPath("--aeron-dir", "DIR", null,
            "Directory of the embedded Aeron media driver, private to this process; unset derives one under "
                    + "/dev/shm from the queue or archive directory");

    /** Milliseconds, fractions allowed (0.05 is 50 µs). */
    public static final Setting<Double> AERON_IDLE_MS = Setting.ofDouble("--aeron-idle-ms", "MS", 1,
            "Longest sleep of the replication's polling threads when idle: lower reacts faster, higher costs less "
                    + "CPU (0.01 to 100; 0.05 is 50 µs)")
            .check(ms -> ms >= 0.01 && ms <= 100, "--aeron-idle-ms must be 0.01 to 100");
}
