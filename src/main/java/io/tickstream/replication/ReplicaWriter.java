package io.tickstream.replication;

import io.tickstream.feed.FeedQueue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.InternalAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.DirectBuffer;

/**
 * An edge's replica of the origin queue: each record written at the index it has in the origin
 * (Chronicle appends at a given index), so a {@code seq} means the same on every edge and downstream
 * reads the replica as it would the origin. A record is written only if it follows the replica's last
 * one ({@code prevSeq}); one the replica already holds is skipped, so reading the stream again from an
 * earlier position is harmless. Beside the queue, {@value #POSITION_FILE} keeps the recording and the
 * stream position up to which the replica holds everything (written after the records, so never
 * ahead of them): where the next catch-up starts.
 *
 * <p>Threading: owned by the edge's replication thread (see {@link UpstreamFollower}); not thread-safe.
 */
final class ReplicaWriter implements AutoCloseable {

    static final String POSITION_FILE = "upstream.position";

    /** What became of a record. */
    enum Applied {
        WRITTEN,
        /** The replica holds it already. */
        SKIPPED,
        /** It does not follow the replica's last record: one or more are missing before it. */
        GAP,
        /** Its bytes do not match the checksum the feed host sent with them: damaged on the way. */
        DAMAGED
    }

    /** Where the replica's catch-up resumes: a stream position of the recording, at a message's end. */
    record StoredPosition(long recordingId, long position) {
    }

    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final FileChannel positionChannel;
    private final MappedByteBuffer positionMap;
    private final Bytes<?> record = Bytes.allocateElasticOnHeap(4096);
    private byte[] copy = new byte[4096];
    private final CRC32C crc = new CRC32C();
    private long lastSeq;

    /**
     * Opens the replica in {@code dir}, or creates it with {@code rollCycleForNew}; an existing replica
     * keeps its own roll cycle ({@link #rollCycleOf}), and {@link #refusal} tells whether it can follow
     * an upstream. As it rolls, files beyond the newest {@code retainCycles} are deleted (0 keeps all), as the
     * simulator does with an origin queue.
     */
    static ReplicaWriter openOrCreate(Path dir, String rollCycleForNew, int retainCycles) {
        return new ReplicaWriter(dir, FeedQueue.openForWriting(dir, FeedQueue.rollCycle(rollCycleForNew), retainCycles));
    }

    /**
     * Opens (or creates) the replica in {@code dir} with the origin's roll cycle.
     *
     * @throws IllegalStateException when an existing replica has another roll cycle
     */
    static ReplicaWriter open(Path dir, String rollCycle) {
        ReplicaWriter replica = openOrCreate(dir, rollCycle, 0);
        String own = rollCycleOf(replica);
        if (!rollCycle.equals(own)) {
            replica.close();
            throw new IllegalStateException("replica " + dir + " has roll cycle " + own + " but the upstream's queue has "
                    + rollCycle + ": move the replica away and let the edge build a new one");
        }
        return replica;
    }

    private ReplicaWriter(Path dir, SingleChronicleQueue queue) {
        this.queue = queue;
        this.appender = queue.createAppender();
        this.lastSeq = queue.lastIndex();
        try {
            positionChannel = FileChannel.open(dir.resolve(POSITION_FILE), StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            positionMap = positionChannel.map(FileChannel.MapMode.READ_WRITE, 0, 16);
        } catch (IOException e) {
            queue.close();
            throw new UncheckedIOException("cannot open " + dir.resolve(POSITION_FILE), e);
        }
    }

    /** The name of a replica's roll cycle. */
    static String rollCycleOf(ReplicaWriter replica) {
        return FeedQueue.nameOf(replica.queue.rollCycle());
    }

    /**
     * Why this replica cannot follow an upstream whose queue has roll cycle {@code upstreamCycle}, or
     * {@code null} when it can (the same roll cycle), in words for the operator.
     */
    String refusal(String upstreamCycle) {
        String own = rollCycleOf(this);
        return upstreamCycle.equals(own) ? null : "the upstream's queue has roll cycle " + upstreamCycle
                + " but the replica " + own + ": start this edge on an empty directory with --roll-cycle " + upstreamCycle;
    }

    /** The index of the replica's last record; -1 when it is empty. */
    long lastSeq() {
        return lastSeq;
    }

    /**
     * How many records the replica lacks up to {@code headSeq} (the origin's index of a newer record);
     * 0 when it holds it. Indexes count records within a roll cycle; when {@code headSeq} is in a later
     * cycle than the replica's last record, only the records of the head's cycle are counted (those
     * left in the replica's cycle are not known here): a lower bound.
     */
    long recordsBehind(long headSeq) {
        if (headSeq <= lastSeq) {
            return 0;
        }
        RollCycle cycle = queue.rollCycle();
        long headInCycle = cycle.toSequenceNumber(headSeq);
        if (lastSeq >= 0 && cycle.toCycle(lastSeq) == cycle.toCycle(headSeq)) {
            return headInCycle - cycle.toSequenceNumber(lastSeq);
        }
        return headInCycle + 1;
    }

    /**
     * Writes the record of a {@link Frame#DATA} message at its origin index, if it is the next one and
     * its bytes match the checksum it came with.
     *
     * @param offset where the message (its header, of a version {@link Frame#headerLength} knows) starts in
     *               {@code buffer}
     */
    Applied apply(DirectBuffer buffer, int offset, int length) {
        long seq = Frame.seq(buffer, offset);
        if (seq <= lastSeq) {
            return Applied.SKIPPED;
        }
        if (lastSeq >= 0 && Frame.prevSeq(buffer, offset) != lastSeq) {
            return Applied.GAP;
        }
        int header = Frame.headerLength(buffer, offset);
        int n = length - header;
        if (copy.length < n) {
            copy = new byte[Math.max(n, copy.length * 2)];
        }
        buffer.getBytes(offset + header, copy, 0, n);
        if (header == Frame.HEADER_LENGTH && Frame.checksum(crc, copy, 0, n) != Frame.checksum(buffer, offset)) {
            return Applied.DAMAGED;
        }
        record.clear();
        record.write(copy, 0, n);
        ((InternalAppender) appender).writeBytes(seq, record);
        lastSeq = seq;
        return Applied.WRITTEN;
    }

    /** Remembers that the replica holds everything of {@code recordingId} up to {@code position}. */
    void savePosition(long recordingId, long position) {
        positionMap.putLong(0, recordingId);
        positionMap.putLong(8, position);
    }

    /**
     * What {@link #savePosition} last stored, or {@code null} when nothing has been (a new file reads as
     * recording 0 at position 0: the start of the first recording, which is where nothing stored means).
     */
    StoredPosition storedPosition() {
        long id = positionMap.getLong(0);
        long position = positionMap.getLong(8);
        return id == 0 && position == 0 ? null : new StoredPosition(id, position);
    }

    @Override
    public void close() {
        appender.close();
        queue.close();
        try {
            positionChannel.close();
        } catch (IOException e) {
            // nothing left to keep
        }
    }
}
