package io.tickstream.replication;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.tickstream.feed.MicroClock;
import io.tickstream.feed.QueueCodec;
import java.nio.ByteOrder;
import java.util.function.LongConsumer;
import java.util.logging.Logger;
import org.agrona.DirectBuffer;

/**
 * Where an edge's subscriptions (a replay, the live stream) hand their messages: each record written to
 * the replica if it is the next one ({@link ReplicaWriter#apply}), the status told of every message, the
 * delay of each record received live measured, and the stream position reached kept. At a gap, a
 * damaged record or a frame of a version not known here it takes nothing more until {@link #resume}; the same
 * gap or damage three passes in a row stops the edge with the reason.
 *
 * <p>Threading: the edge's replication thread only.
 */
final class ReplicaInput implements FragmentHandler {

    private static final Logger LOG = Logger.getLogger(UpstreamFollower.class.getName());

    private final Endpoint upstream;
    private final ReplicaWriter replica;
    private final UpstreamStatus status;
    private final LongConsumer delay;
    private long position;
    private boolean gap;
    /** Where the last record that could not be written was met, and how many passes in a row met it there. */
    private long refusedAfterSeq = Long.MIN_VALUE;
    private long refusedAtPosition = -1;
    private int refusals;

    /** @param delay told, for each record received live, the µs from its write to the origin to its write to the replica */
    ReplicaInput(Endpoint upstream, ReplicaWriter replica, UpstreamStatus status, LongConsumer delay) {
        this.upstream = upstream;
        this.replica = replica;
        this.status = status;
        this.delay = delay;
    }

    /** Takes messages again, from a subscription that starts at {@code position}. */
    void resume(long position) {
        this.position = position;
        this.gap = false;
    }

    /** The stream position after the last message taken: everything before it is in the replica. */
    long position() {
        return position;
    }

    /**
     * Whether a record came that could not be written (it does not follow the replica's last one, or is
     * damaged), or a frame of another version, and nothing was taken since.
     */
    boolean gap() {
        return gap;
    }

    /**
     * A record could not be written (a gap, or damage). Three passes in a row stopped at the same place
     * mean the archive itself does not continue the replica there (it is not the archive the replica
     * came from, or a record in it is damaged): the edge stops following, not ready, with the reason,
     * rather than read the same records every second.
     */
    private void refused() {
        boolean again = replica.lastSeq() == refusedAfterSeq && position == refusedAtPosition;
        refusals = again ? refusals + 1 : 1;
        refusedAfterSeq = replica.lastSeq();
        refusedAtPosition = position;
        if (refusals >= 3) {
            String why = "the upstream " + upstream + "'s archive does not continue this replica after seq "
                    + replica.lastSeq() + " (a record missing or damaged there): start this edge on an empty "
                    + "replica directory";
            status.broken(why);
            LOG.severe(why);
        }
    }

    @Override
    public void onFragment(DirectBuffer buffer, int offset, int length, Header header) {
        if (gap) {
            return;
        }
        int headerLength = Frame.headerLength(buffer, offset);
        if (headerLength < 0) {
            String why = "the upstream " + upstream + " sends replication frames of version "
                    + Frame.version(buffer, offset) + "; this edge reads versions 1 to " + Frame.VERSION
                    + ": upgrade the edges before the feed host";
            status.broken(why);
            LOG.severe(why);
            gap = true;
            return;
        }
        if (Frame.type(buffer, offset) == Frame.DATA) {
            ReplicaWriter.Applied applied = replica.apply(buffer, offset, length);
            if (applied == ReplicaWriter.Applied.GAP || applied == ReplicaWriter.Applied.DAMAGED) {
                LOG.warning("replication from " + upstream + ": record " + Frame.seq(buffer, offset)
                        + (applied == ReplicaWriter.Applied.GAP
                                ? " follows " + Frame.prevSeq(buffer, offset) + " but the replica ends at " + replica.lastSeq()
                                : " arrived damaged (its checksum does not match)")
                        + "; starting over from the replica's position");
                gap = true;
                refused();
                return;
            }
            if (applied == ReplicaWriter.Applied.WRITTEN) {
                status.written();
                if (status.live() && length >= headerLength + QueueCodec.TS_OFFSET + Long.BYTES) {
                    long ts = buffer.getLong(offset + headerLength + QueueCodec.TS_OFFSET, ByteOrder.LITTLE_ENDIAN);
                    delay.accept(MicroClock.nowMicros() - ts);
                }
            }
        }
        status.received(Frame.sentMicros(buffer, offset));
        position = header.position();
    }
}
