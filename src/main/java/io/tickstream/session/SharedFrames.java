package io.tickstream.session;

import io.tickstream.feed.EncodedMessage;
import java.util.List;
import java.util.function.Function;

/**
 * Encode once, write to many, at the frame level: connections of one event loop that get exactly
 * the same messages in a delivery batch (every {@code stocks.*} subscriber, say) share the packed
 * frames instead of each packing them. Messages are compared by identity: the tailer makes one
 * {@link EncodedMessage} per queue entry, shared by every loop and connection.
 *
 * <p>Owned by one event loop, shared by its sessions. Remembers the last few distinct lists only
 * (a batch rarely has more than a few distinct ones worth sharing, and a miss costs a few
 * reference comparisons), so nothing outlives the batches it came from for long.
 */
public final class SharedFrames {

    private static final int SLOTS = 8;

    private final EncodedMessage[][] keys = new EncodedMessage[SLOTS][];
    @SuppressWarnings("unchecked")
    private final List<byte[]>[] frames = new List[SLOTS];
    private int next;

    /** The frames for {@code messages}, packed by {@code pack} only if no connection packed them lately. */
    List<byte[]> get(List<EncodedMessage> messages, Function<List<EncodedMessage>, List<byte[]>> pack) {
        for (int i = 0; i < SLOTS; i++) {
            if (same(keys[i], messages)) {
                return frames[i];
            }
        }
        List<byte[]> f = pack.apply(messages);
        keys[next] = messages.toArray(new EncodedMessage[0]);
        frames[next] = f;
        next = (next + 1) % SLOTS;
        return f;
    }

    private static boolean same(EncodedMessage[] key, List<EncodedMessage> messages) {
        if (key == null || key.length != messages.size()) {
            return false;
        }
        for (int i = key.length - 1; i >= 0; i--) {
            if (key[i] != messages.get(i)) {
                return false;
            }
        }
        return true;
    }
}
