package io.tickstream.replication;

import io.tickstream.replication.FeedPublisher.PublishException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.logging.Logger;

/**
 * One feed host at a time on an archive directory: an operating-system lock on {@code publisher.lock}
 * in it, held until {@link #close()} or the process ends (a SIGKILL included: the kernel releases it).
 *
 * <p>Holding the lock proves no other process uses the archive, so the archive's mark file, if
 * there, was left by one that died. Aeron would deem that file live for 10 s after its last update
 * and refuse to start; {@link #acquire} removes it instead, so a feed host killed and started again
 * is back at once (safe, because each run records a stream of its own: see {@link RecordedStream}),
 * while a second one started on a busy archive is told so at once.
 *
 * <p>Threading: acquired and closed by the thread that opens the feed host's stream.
 */
final class ArchiveLock implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ArchiveLock.class.getName());

    static final String FILE = "publisher.lock";
    /** Aeron Archive's mark file, in the archive directory (its default mark file directory). */
    static final String MARK_FILE = "archive-mark.dat";

    private final FileChannel channel;
    private final FileLock lock;

    private ArchiveLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code archiveDir} (creating it if needed) and removes a mark file left by a process that
     * died.
     *
     * @throws PublishException if another process, or this one, holds the archive, or the lock
     *                          file cannot be written
     */
    static ArchiveLock acquire(Path archiveDir) {
        FileChannel channel = null;
        try {
            Files.createDirectories(archiveDir);
            channel = FileChannel.open(archiveDir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new OverlappingFileLockException();
            }
            if (Files.deleteIfExists(archiveDir.resolve(MARK_FILE))) {
                LOG.info("archive " + archiveDir + ": removed the mark file of a publisher that did not close");
            }
            return new ArchiveLock(channel, lock);
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new PublishException("archive " + archiveDir + " is in use by another publisher: stop it, or use"
                    + " another --archive-dir");
        } catch (IOException e) {
            closeQuietly(channel);
            throw new PublishException("archive " + archiveDir + ": cannot lock it: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            LOG.warning("archive lock: " + e);
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.warning("archive lock: " + e);
            }
        }
    }
}
