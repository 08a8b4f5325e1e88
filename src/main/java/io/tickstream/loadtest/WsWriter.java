package io.tickstream.loadtest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a {@link RawSocket} writes: the upgrade request, then masked frames (a client must mask
 * every frame) of a few bytes each, the subscribe, pongs, the close. What the socket does not take
 * at once waits here, in order, and goes out when the selector says the socket is writable.
 * Used on the socket's loop only.
 */
final class WsWriter {

    private final SocketChannel channel;
    private final SelectionKey key;
    /** Bytes the socket did not take yet; null when everything was written. */
    private ByteBuffer pending;
    private boolean closeSent;

    WsWriter(SocketChannel channel, SelectionKey key) {
        this.channel = channel;
        this.key = key;
    }

    /** Writes {@code bytes} as they are (the upgrade request). */
    void raw(byte[] bytes) throws IOException {
        write(ByteBuffer.wrap(bytes));
    }

    /** Sends one masked frame of opcode {@code op} with {@code length} bytes of {@code payload} from {@code from}. */
    void frame(int op, byte[] payload, int from, int length) throws IOException {
        int header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
        ByteBuffer f = ByteBuffer.allocate(header + 4 + length);
        f.put((byte) (0x80 | op));
        if (header == 2) {
            f.put((byte) (0x80 | length));
        } else if (header == 4) {
            f.put((byte) (0x80 | 126)).putShort((short) length);
        } else {
            f.put((byte) (0x80 | 127)).putLong(length);
        }
        int mask = ThreadLocalRandom.current().nextInt();
        f.putInt(mask);
        for (int i = 0; i < length; i++) {
            f.put((byte) (payload[from + i] ^ (mask >>> (24 - 8 * (i & 3)))));
        }
        if (op == WsReader.OP_CLOSE) {
            closeSent = true;
        }
        write(f.flip());
    }

    /** Whether a close frame was sent (or queued): nothing more may follow it. */
    boolean closeSent() {
        return closeSent;
    }

    /** Whether everything was written. */
    boolean idle() {
        return pending == null;
    }

    /** The socket is writable: writes what waits. */
    void flush() throws IOException {
        channel.write(pending);
        if (!pending.hasRemaining()) {
            pending = null;
            key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
        }
    }

    private void write(ByteBuffer f) throws IOException {
        if (pending != null) {
            ByteBuffer both = ByteBuffer.allocate(pending.remaining() + f.remaining());
            pending = both.put(pending).put(f).flip();
            return;
        }
        channel.write(f);
        if (f.hasRemaining()) {
            pending = f;
            key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
        }
    }
}
