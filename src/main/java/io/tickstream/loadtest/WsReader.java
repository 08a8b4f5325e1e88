package io.tickstream.loadtest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * What a {@link RawSocket} reads, after the upgrade: the server's frames (RFC 6455, unmasked, no
 * extensions), taken where they lie in the loop's read buffer. A frame cut by the end of a read is
 * kept for the next ({@link #keep}); a frame longer than the loop's buffer is read into its own
 * array; a fragmented message is put together. Each message, ping and close goes to the
 * {@link Peer}. Used on the socket's loop only.
 */
final class WsReader {

    static final int OP_CONTINUATION = 0;
    static final int OP_TEXT = 1;
    static final int OP_BINARY = 2;
    static final int OP_CLOSE = 8;
    static final int OP_PING = 9;
    static final int OP_PONG = 10;
    /** The largest frame taken from the server; a longer one is a protocol error. */
    private static final long MAX_FRAME = 64L << 20;

    /** Where the frames go. */
    interface Peer {
        /** A complete text message, in {@code b[from, to)}. */
        void text(byte[] b, int from, int to) throws IOException;

        /** A ping, its payload in {@code b[from, to)}. */
        void ping(byte[] b, int from, int to) throws IOException;

        /** The server's close frame, its payload (status code first) in {@code b[from, to)}. */
        void close(byte[] b, int from, int to) throws IOException;

        /** The server broke the protocol. */
        void protocolError(String what) throws IOException;

        /** Whether the connection still takes frames. */
        boolean open();
    }

    private final Peer peer;
    /** What the last read left unscanned: the start of a frame (or of the response head). */
    private byte[] carry = new byte[256];
    private int carryLength;
    /** A frame longer than the loop's buffer, read into its own array; null when none. */
    private byte[] big;
    private int bigFilled;
    private int bigHeader;
    /** A fragmented message's payload so far, and its opcode; -1 when none is open. */
    private byte[] fragments = new byte[0];
    private int fragmentsLength;
    private int fragmentOp = -1;

    WsReader(Peer peer) {
        this.peer = peer;
    }

    /** Whether a frame longer than the loop's buffer is being read: {@link #readBig} reads on. */
    boolean readingBig() {
        return big != null;
    }

    /** Puts what the last read left unscanned at the start of {@code in}, cleared first. */
    void restore(ByteBuffer in) {
        in.clear();
        in.put(carry, 0, carryLength);
    }

    /** Keeps {@code b[from, end)} for the next read. */
    void keep(byte[] b, int from, int end) {
        carryLength = end - from;
        if (carry.length < carryLength) {
            carry = new byte[Math.max(carryLength, carry.length * 2)];
        }
        System.arraycopy(b, from, carry, 0, carryLength);
    }

    /**
     * Handles every complete frame in {@code b[p, end)}, a buffer of {@code capacity} bytes; returns
     * where the first incomplete one starts (or {@code end} when a frame too long for the buffer began,
     * which {@link #readBig} reads on).
     */
    int frames(byte[] b, int p, int end, int capacity) throws IOException {
        while (end - p >= 2 && peer.open()) {
            int b0 = b[p] & 0xff;
            int b1 = b[p + 1] & 0xff;
            if ((b1 & 0x80) != 0) {
                peer.protocolError("a masked frame from the server");
                return end;
            }
            long length = b1 & 0x7f;
            int header = 2;
            if (length == 126) {
                if (end - p < 4) {
                    break;
                }
                length = (b[p + 2] & 0xff) << 8 | (b[p + 3] & 0xff);
                header = 4;
            } else if (length == 127) {
                if (end - p < 10) {
                    break;
                }
                length = 0;
                for (int i = 2; i < 10; i++) {
                    length = length << 8 | (b[p + i] & 0xff);
                }
                header = 10;
                if (length < 0 || length > MAX_FRAME) {
                    peer.protocolError("a frame of " + length + " bytes");
                    return end;
                }
            }
            long total = header + length;
            if (total > capacity) {
                big = new byte[(int) total];
                bigHeader = header;
                bigFilled = end - p;
                System.arraycopy(b, p, big, 0, bigFilled);
                return end;
            }
            if (end - p < total) {
                break;
            }
            frame(b0, b, p + header, p + (int) total);
            p += (int) total;
        }
        return p;
    }

    /** Reads on into the long frame; false at the end of the stream. */
    boolean readBig(SocketChannel channel) throws IOException {
        int n = channel.read(ByteBuffer.wrap(big, bigFilled, big.length - bigFilled));
        if (n < 0) {
            return false;
        }
        bigFilled += n;
        if (bigFilled == big.length) {
            byte[] frame = big;
            big = null;
            carryLength = 0;
            frame(frame[0] & 0xff, frame, bigHeader, frame.length);
        }
        return true;
    }

    /** One frame: its first byte (FIN, opcode) and its payload in {@code b[from, to)}. */
    private void frame(int b0, byte[] b, int from, int to) throws IOException {
        boolean fin = (b0 & 0x80) != 0;
        int op = b0 & 0x0f;
        switch (op) {
            case OP_TEXT, OP_BINARY -> {
                if (fragmentOp >= 0) {
                    peer.protocolError("a new message inside a fragmented one");
                    return;
                }
                if (!fin) {
                    fragmentOp = op;
                    fragmentsLength = 0;
                    append(b, from, to);
                } else if (op == OP_TEXT) {
                    peer.text(b, from, to);
                }
            }
            case OP_CONTINUATION -> {
                if (fragmentOp < 0) {
                    peer.protocolError("a continuation frame with no message open");
                    return;
                }
                append(b, from, to);
                if (fin) {
                    if (fragmentOp == OP_TEXT) {
                        peer.text(fragments, 0, fragmentsLength);
                    }
                    fragmentOp = -1;
                }
            }
            case OP_PING -> peer.ping(b, from, to);
            case OP_PONG -> { }
            case OP_CLOSE -> peer.close(b, from, to);
            default -> peer.protocolError("a frame of opcode " + op);
        }
    }

    private void append(byte[] b, int from, int to) {
        int n = to - from;
        if (fragments.length < fragmentsLength + n) {
            fragments = Arrays.copyOf(fragments, Math.max(fragmentsLength + n, fragments.length * 2));
        }
        System.arraycopy(b, from, fragments, fragmentsLength, n);
        fragmentsLength += n;
    }
}
