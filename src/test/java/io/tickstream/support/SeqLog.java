package io.tickstream.support;

import java.util.Arrays;

/**
 * The seqs a client received, in arrival order, kept small enough for a thousand clients: each
 * seq is stored as the zigzag varint of its difference from the one before, so a run of
 * consecutive seqs takes one byte each, while a repeat, a jump back or a gap is kept exactly.
 *
 * <p>Threading: not thread-safe; its owner guards it.
 */
public final class SeqLog {

    private byte[] bytes = new byte[64];
    private int length;
    private int count;
    private long last;

    public void add(long seq) {
        long delta = seq - last;
        long zigzag = (delta << 1) ^ (delta >> 63);
        while ((zigzag & ~0x7FL) != 0) {
            put((byte) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        put((byte) zigzag);
        last = seq;
        count++;
    }

    private void put(byte b) {
        if (length == bytes.length) {
            bytes = Arrays.copyOf(bytes, bytes.length * 2);
        }
        bytes[length++] = b;
    }

    public int size() {
        return count;
    }

    /** The bytes held, for a test's report of memory per client. */
    public int bytes() {
        return length;
    }

    /** Every seq added, in the order added. */
    public long[] toArray() {
        long[] out = new long[count];
        long seq = 0;
        int p = 0;
        for (int i = 0; i < count; i++) {
            long zigzag = 0;
            int shift = 0;
            byte b;
            do {
                b = bytes[p++];
                zigzag |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while (b < 0);
            seq += (zigzag >>> 1) ^ -(zigzag & 1);
            out[i] = seq;
        }
        return out;
    }
}
