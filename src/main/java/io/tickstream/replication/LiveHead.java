package io.tickstream.replication;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;

/**
 * Where the feed host is now: a plain subscription to its live stream that reads only the seq in
 * each message's header (a record's first fragment; a heartbeat's, the last record published), even
 * while the catch-up replays old ones. Within one driver it shares the live stream's image with the
 * catch-up's own live subscription, so nothing more crosses the network once the edge is live.
 *
 * <p>Threading: made by the starting thread, then polled and closed by the replication thread only.
 */
final class LiveHead implements AutoCloseable {

    private final Subscription subscription;
    private final FragmentHandler handler = this::onFragment;
    /** The newest seq heard; -1 before any. */
    private long seq = -1;
    /** The session of the last message heard: the feed host's current run. */
    private int sessionId;
    private boolean heard;

    LiveHead(Aeron aeron, Endpoint upstream) {
        this.subscription = aeron.addSubscription(upstream.subscription(), Media.LIVE_STREAM_ID);
    }

    /** Reads what has arrived, at most 256 fragments; returns how many. */
    int poll() {
        return subscription.poll(handler, 256);
    }

    /** The newest seq the feed host has sent, as heard here; -1 before any. */
    long seq() {
        return seq;
    }

    /**
     * Whether the feed host's stream has been heard, since {@link #forget}, in a session that is neither
     * {@code current} nor one of {@code ended} (the runs the archive lists as over): it has started a
     * new run (each run a new session and recording), so {@code current} is over too, whatever an image
     * of it still says.
     */
    boolean newRunHeard(int current, int[] ended) {
        if (!heard || sessionId == current) {
            return false;
        }
        for (int s : ended) {
            if (s == sessionId) {
                return false;
            }
        }
        return true;
    }

    /** Forgets the session last heard: {@link #newRunHeard} counts what is heard from now on. */
    void forget() {
        heard = false;
    }

    private void onFragment(DirectBuffer buffer, int offset, int length, Header header) {
        if ((header.flags() & FrameDescriptor.BEGIN_FRAG_FLAG) != 0 && length >= Frame.V1_HEADER_LENGTH) {
            seq = Math.max(seq, Frame.seq(buffer, offset));
            sessionId = header.sessionId();
            heard = true;
        }
    }

    @Override
    public void close() {
        subscription.close();
    }
}
