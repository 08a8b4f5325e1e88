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
 * <p>A second feed host started on a busy archive is told so at once, rather than after Aeron's
 * own check of the archive's mark file, which cannot tell a live publisher from one that died less
 * than 10 s ago. (A feed host started again after a crash still waits for that check.)
 *
 * <p>Threading: acquired and closed by the thread that opens the feed host's stream.
 */
final class ArchiveLock implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ArchiveLock.class.getName());

    static final String FILE = "publisher.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private ArchiveLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code archiveDir}, creating it if needed.
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
