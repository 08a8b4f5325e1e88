package io.tickstream.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Encode once, write to many, at the wire: a frame's bytes as they go on the socket (the WebSocket
 * header and the payload) in a pooled direct buffer, built once for every connection of the loop that
 * writes the same payload, each write taking a retained duplicate of it (a recycled object, no copy).
 * Without it each write of each connection wrapped its payload, made two frame objects and two
 * promises, and copied the payload to a direct buffer on its way to the socket: most of the server's
 * garbage below saturation (docs/benchmarks.md, issue 16).
 *
 * <p>Payloads are matched by identity: the sessions of a loop write the very same array to every
 * subscriber of a message or of a shared frame ({@code session.SharedFrames}), and never change an
 * array once written ({@code session.Transport#writeText}). The last {@value #SLOTS} frames are kept;
 * a frame pushed out is released (the writes still queued hold their own references). A payload
 * written once costs what the copy to a direct buffer cost before, from a pool instead of garbage.
 *
 * <p>Threading: owned by one event loop, shared by its connections. Not thread-safe.
 */
final class WireFrames implements AutoCloseable {

    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    private static final int SLOTS = 32;

    private final ByteBufAllocator allocator;
    private final byte[][] payloads = new byte[SLOTS][];
    private final ByteBuf[] frames = new ByteBuf[SLOTS];
    /** The newest slot. */
    private int newest = SLOTS - 1;
    /** After {@link #close}: frames are built for one write each, none kept. */
    private boolean closed;

    WireFrames(ByteBufAllocator allocator) {
        this.allocator = allocator;
    }

    /**
     * A duplicate of the text frame of {@code utf8}, ready to write: the caller's reference, released by
     * the channel once written (or by the caller if it does not write it).
     */
    ByteBuf text(byte[] utf8) {
        if (closed) {
            return frame(allocator, TEXT, utf8);   // a connection still writing as its loop stops
        }
        for (int i = 0, slot = newest; i < SLOTS; i++, slot = slot == 0 ? SLOTS - 1 : slot - 1) {
            if (payloads[slot] == utf8) {
                return frames[slot].retainedDuplicate();
            }
        }
        newest = newest == SLOTS - 1 ? 0 : newest + 1;
        forget(newest);
        ByteBuf frame = frame(allocator, TEXT, utf8);   // may throw (no direct memory): the slot is empty
        payloads[newest] = utf8;
        frames[newest] = frame;
        return frame.retainedDuplicate();
    }

    /** Empties a slot first, then releases its frame: a slot never names a released frame. */
    private void forget(int slot) {
        ByteBuf old = frames[slot];
        frames[slot] = null;
        payloads[slot] = null;
        if (old != null) {
            old.release();
        }
    }

    /** One final (unfragmented), unmasked server frame of {@code opcode} carrying {@code payload}. */
    static ByteBuf frame(ByteBufAllocator allocator, int opcode, byte[] payload) {
        int n = payload.length;
        int header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
        ByteBuf frame = allocator.directBuffer(header + n, header + n);
        frame.writeByte(0x80 | opcode);
        if (n < 126) {
            frame.writeByte(n);
        } else if (n <= 0xFFFF) {
            frame.writeByte(126).writeShort(n);
        } else {
            frame.writeByte(127).writeLong(n);
        }
        return frame.writeBytes(payload);
    }

    /** Releases every frame kept (queued writes keep theirs); from now on none is kept. */
    @Override
    public void close() {
        closed = true;
        for (int i = 0; i < SLOTS; i++) {
            forget(i);
        }
    }
}
