package io.tickstream.replication;

import io.aeron.archive.client.AeronArchive;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * How tickstream runs Aeron on a small box: an embedded media driver per process in a directory of its
 * own, every Aeron agent on one shared thread that backs off to a sleep of at most the configured idle
 * time (never a busy spin), a receiver window of half a term, the stream ids and sizes both ends
 * agree on, and an archive connect that a stop interrupts. Stateless.
 */
final class Media {

    /** The live stream, published by the feed host and recorded by its archive. */
    static final int LIVE_STREAM_ID = 1001;
    /** An edge's catch-up replays from the archive. */
    static final int REPLAY_STREAM_ID = 1002;
    /** The feed host's read of its own recording's tail at a restart (over IPC). */
    static final int TAIL_STREAM_ID = 1003;
    /** 4 MiB terms: messages up to 512 KiB, a window of 2 MiB before a slow edge falls back to replay. */
    static final int TERM_LENGTH = 4 * 1024 * 1024;
    /**
     * The receiver window and the UDP socket buffers: half a term (the most Aeron lets a window be), so
     * a sender waits for a status message once per 2 MiB rather than once per 128 KiB (Aeron's default),
     * which a shared driver that parks up to the idle time between duty cycles answers late. Where the
     * system allows less ({@code net.core.rmem_max}, {@code wmem_max}), what it allows: see {@link #granted}.
     */
    static final int WINDOW_LENGTH = TERM_LENGTH / 2;
    /** The alias of the live stream, then the origin queue's roll cycle: an edge's replica must use the same. */
    static final String ALIAS_PREFIX = "tickstream-";

    private Media() {
    }

    /**
     * Connects to an archive, polling so that a stop ({@code running} false) is seen at once rather than
     * after Aeron's connect timeout (10 s) when the archive is not there; {@code null} once stopped. A
     * connect that times out throws, as a blocking one would.
     */
    static AeronArchive connect(AeronArchive.Context context, IdleStrategy idle, BooleanSupplier running) {
        try (AeronArchive.AsyncConnect connect = AeronArchive.asyncConnect(context)) {
            while (running.getAsBoolean()) {
                AeronArchive archive = connect.poll();
                if (archive != null) {
                    return archive;
                }
                idle.idle();
            }
            return null;
        }
    }

    /** A UDP channel on a free port of {@code host}, chosen by the system: where answers and replays come to. */
    static String anyPort(String host) {
        return "aeron:udp?endpoint=" + host + ":0";
    }

    /** Backs off from spinning to yielding to sleeping at most {@code maxParkMs} (a fraction allowed: 0.05 is 50 µs). */
    static IdleStrategy idle(double maxParkMs) {
        return new BackoffIdleStrategy(10, 5, 1_000, Math.round(maxParkMs * 1_000_000));
    }

    /** An embedded driver's settings: shared threading, backing off; its directory wiped on start and close. */
    static MediaDriver.Context driver(Path aeronDir, double idleMs) {
        return new MediaDriver.Context()
                .aeronDirectoryName(aeronDir.toString())
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(idle(idleMs))
                .asyncExecutorEnabled(false)
                .termBufferSparseFile(true)
                .publicationTermBufferLength(TERM_LENGTH)
                .ipcTermBufferLength(TERM_LENGTH)
                .initialWindowLength(granted(StandardSocketOptions.SO_RCVBUF))
                .socketRcvbufLength(granted(StandardSocketOptions.SO_RCVBUF))
                .socketSndbufLength(granted(StandardSocketOptions.SO_SNDBUF))
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true);
    }

    /**
     * {@link #WINDOW_LENGTH}, or the most the system grants a UDP socket's {@code option} if that is less
     * (Aeron refuses a window larger than the buffer it asks for, and warns when granted less than asked).
     */
    static int granted(SocketOption<Integer> option) {
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.setOption(option, WINDOW_LENGTH);
            return Math.min(WINDOW_LENGTH, probe.getOption(option));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a UDP socket to size Aeron's buffers", e);
        }
    }

    /**
     * The driver directory when none is given: under /dev/shm when it exists (else the temp directory),
     * named for the role and the directory the process serves, so that two processes never share one
     * (a driver wipes its directory at start) and a restart reuses, and so cleans, its predecessor's.
     */
    static Path defaultDir(String role, Path served) {
        Path shm = Path.of("/dev/shm");
        Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        String key = served.toAbsolutePath().normalize().toString();
        return base.resolve("tickstream-" + role + "-" + Integer.toHexString(key.hashCode()));
    }
}
