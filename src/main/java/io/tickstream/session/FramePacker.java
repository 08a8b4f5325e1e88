package io.tickstream.session;

import io.tickstream.feed.EncodedMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs messages (JSON objects, UTF-8) into WebSocket text frames: one message alone, several as a
 * JSON array {@code [a,b,c]}. One size rule everywhere ({@link #fits}): a frame is at most
 * {@code maxFrameBytes}, brackets and commas included, unless it is a single message larger than
 * that, which goes whole (never split, never refused).
 *
 * <p>Immutable and stateless beyond its limit: safe on any thread.
 */
final class FramePacker {

    private final int maxFrameBytes;

    /** @param maxFrameBytes the most bytes a frame of several messages may hold */
    FramePacker(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * Whether a message of {@code partBytes} joins a frame that holds {@code count} messages of
     * {@code bytes} in all (their own bytes, without brackets and commas). The first always does.
     */
    boolean fits(int count, int bytes, int partBytes) {
        return count == 0 || arrayBytes(count + 1, bytes + partBytes) <= maxFrameBytes;
    }

    /** Packs {@code parts}, in order, into as few frames as {@link #fits} allows. */
    List<byte[]> pack(List<byte[]> parts) {
        List<byte[]> frames = new ArrayList<>(1);
        int count = parts.size();
        int from = 0;
        while (from < count) {
            int to = from;
            int bytes = 0;
            while (to < count && fits(to - from, bytes, parts.get(to).length)) {
                bytes += parts.get(to).length;
                to++;
            }
            frames.add(frame(parts, from, to));
            from = to;
        }
        return frames;
    }

    /** Packs live messages, in their wire form ({@link EncodedMessage#wireJson()}), into frames. */
    List<byte[]> packLive(List<EncodedMessage> messages) {
        List<byte[]> parts = new ArrayList<>(messages.size());
        for (EncodedMessage m : messages) {
            parts.add(m.wireJson());
        }
        return pack(parts);
    }

    /**
     * One frame of {@code parts[from, to)}: the message itself when there is one (no copy), else a
     * JSON array of them. Does not check the size: callers group the parts with {@link #fits}.
     */
    static byte[] frame(List<byte[]> parts, int from, int to) {
        if (to - from == 1) {
            return parts.get(from);
        }
        int bytes = 0;
        for (int k = from; k < to; k++) {
            bytes += parts.get(k).length;
        }
        byte[] frame = new byte[arrayBytes(to - from, bytes)];
        int pos = 0;
        frame[pos++] = '[';
        for (int k = from; k < to; k++) {
            if (k > from) {
                frame[pos++] = ',';
            }
            byte[] p = parts.get(k);
            System.arraycopy(p, 0, frame, pos, p.length);
            pos += p.length;
        }
        frame[pos] = ']';
        return frame;
    }

    /** The length of a JSON array of {@code count} messages of {@code bytes} in all. */
    private static int arrayBytes(int count, int bytes) {
        return bytes + count + 1;
    }
}
