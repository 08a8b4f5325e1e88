package io.tickstream.replication;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.archive.client.AeronArchive;
import io.aeron.logbuffer.FragmentHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.IdleStrategy;

/**
 * A bounded replay of an ended run's recording ({@link FeedRecording#stopped()}), from a position to
 * its end, to an edge: whole messages, reassembled. The run's last message may lack its end (the run
 * died while sending it); it is dropped, and the replay ends at the recording's end all the same.
 *
 * <p>Threading: the edge's replication thread only.
 */
final class EndedRunReplay implements AutoCloseable {

    private static final long START_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final AeronArchive archive;
    private final Subscription subscription;
    private final FragmentAssembler assembler;
    private final long recordingId;
    private final long stop;
    private final long sessionId;
    private final long giveUpNanos = System.nanoTime() + START_TIMEOUT_NS;
    private Image image;

    /**
     * Asks {@code archive} to replay {@code recording} from {@code from} to its end, to a port of
     * {@code localAddress}; {@code null} if {@code running} turned false meanwhile.
     */
    static EndedRunReplay start(Aeron aeron, AeronArchive archive, String localAddress, FeedRecording recording,
                                long from, FragmentHandler handler, IdleStrategy idle, BooleanSupplier running) {
        Subscription subscription = aeron.addSubscription(Media.anyPort(localAddress), Media.REPLAY_STREAM_ID);
        try {
            String endpoint;
            while ((endpoint = subscription.resolvedEndpoint()) == null) {
                if (!running.getAsBoolean()) {
                    subscription.close();
                    return null;
                }
                idle.idle();
            }
            long stop = recording.stopPosition();
            long sessionId = archive.startReplay(recording.recordingId(), from, stop - from,
                    "aeron:udp?endpoint=" + endpoint, Media.REPLAY_STREAM_ID);
            return new EndedRunReplay(archive, subscription, handler, recording.recordingId(), stop, sessionId);
        } catch (RuntimeException e) {
            subscription.close();
            throw e;
        }
    }

    private EndedRunReplay(AeronArchive archive, Subscription subscription, FragmentHandler handler,
                           long recordingId, long stop, long sessionId) {
        this.archive = archive;
        this.subscription = subscription;
        this.assembler = new FragmentAssembler(handler);
        this.recordingId = recordingId;
        this.stop = stop;
        this.sessionId = sessionId;
    }

    /** Whether everything up to the recording's end has been read. */
    boolean ended() {
        return image != null && image.position() >= stop;
    }

    /**
     * Hands the next messages to the handler; returns how many fragments were read.
     *
     * @throws IllegalStateException when the replay does not start within 10 s, or its image closes
     *                               before the recording's end (the feed host went away)
     */
    int poll(int fragmentLimit) {
        if (image == null) {
            image = subscription.imageBySessionId((int) sessionId);
            if (image == null) {
                if (System.nanoTime() > giveUpNanos) {
                    throw new IllegalStateException("the replay of recording " + recordingId + " did not start within 10 s");
                }
                return 0;
            }
        }
        int work = image.poll(assembler, fragmentLimit);
        if (work == 0 && image.isClosed() && !ended()) {
            throw new IllegalStateException("the replay of recording " + recordingId + " ended at "
                    + image.position() + ", before its end " + stop);
        }
        return work;
    }

    /** Stops the archive's replay if it has not reached the end (a gap, a stop), and the subscription. */
    @Override
    public void close() {
        if (!ended()) {
            try {
                archive.stopReplay(sessionId);
            } catch (RuntimeException e) {
                // the replay has ended by itself, or the archive is gone: nothing left to stop
            }
        }
        subscription.close();
    }
}
