package io.tickstream.replication;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One message of the replication stream, little-endian: a 40-byte header, then (for {@link #DATA})
 * the origin queue's record, byte for byte.
 * <pre>
 *   0  int   type      DATA or HEARTBEAT
 *   4  int   version   2
 *   8  long  seq       DATA: the record's index in the origin queue; HEARTBEAT: the last one published
 *  16  long  prevSeq   DATA: the index of the record published before it, -1 for the stream's first
 *  24  long  sentMicros the publisher's wall clock when it sent the message, µs since the epoch
 *  32  int   checksum  DATA: CRC-32C of the record's bytes as the feed host read them; else 0
 *  36  int   reserved  0
 *  40  ...   record    DATA only
 * </pre>
 * Chronicle's indexes are not dense across a roll ({@code cycle << shift | n}), so a gap is told by
 * {@code prevSeq}, not by {@code seq - 1}. The checksum covers the way from the feed host's read to
 * the edge's write: a record damaged on it is refused, never written (a record damaged in the origin
 * itself travels as it is, its own checksum telling readers so).
 *
 * <p>Version 1, which archives recorded before version 2 still hold, is the same without the checksum
 * and the reserved int: a 32-byte header. Edges read both ({@link #headerLength}). Stateless.
 */
public final class Frame {

    public static final int DATA = 1;
    public static final int HEARTBEAT = 2;
    public static final int VERSION = 2;
    public static final int HEADER_LENGTH = 40;
    /** The header of version 1: no checksum. */
    static final int V1_HEADER_LENGTH = 32;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private Frame() {
    }

    /**
     * Writes a header at the start of {@code buffer}; a DATA record follows it at {@link #HEADER_LENGTH}.
     *
     * @param checksum the record's {@link #checksum}; 0 for a heartbeat
     */
    public static void putHeader(MutableDirectBuffer buffer, int type, long seq, long prevSeq, long sentMicros,
                                 int checksum) {
        buffer.putInt(0, type, ORDER);
        buffer.putInt(4, VERSION, ORDER);
        buffer.putLong(8, seq, ORDER);
        buffer.putLong(16, prevSeq, ORDER);
        buffer.putLong(24, sentMicros, ORDER);
        buffer.putInt(32, checksum, ORDER);
        buffer.putInt(36, 0, ORDER);
    }

    /** The CRC-32C of {@code length} bytes of {@code bytes} from {@code offset}, with the caller's {@code crc}. */
    public static int checksum(CRC32C crc, byte[] bytes, int offset, int length) {
        crc.reset();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    public static int type(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset, ORDER);
    }

    public static int version(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset + 4, ORDER);
    }

    public static long seq(DirectBuffer buffer, int offset) {
        return buffer.getLong(offset + 8, ORDER);
    }

    public static long prevSeq(DirectBuffer buffer, int offset) {
        return buffer.getLong(offset + 16, ORDER);
    }

    public static long sentMicros(DirectBuffer buffer, int offset) {
        return buffer.getLong(offset + 24, ORDER);
    }

    /** The length of the header of the message at {@code offset}, by its version; -1 for a version not known here. */
    public static int headerLength(DirectBuffer buffer, int offset) {
        return switch (version(buffer, offset)) {
            case 1 -> V1_HEADER_LENGTH;
            case VERSION -> HEADER_LENGTH;
            default -> -1;
        };
    }

    /** The record's checksum; version 2 on ({@link #headerLength} {@code == HEADER_LENGTH}). */
    public static int checksum(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset + 32, ORDER);
    }
}
