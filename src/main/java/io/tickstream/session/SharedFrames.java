package io.tickstream.session;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Encode once, write to many, at the frame level: connections of one event loop that get exactly
 * the same messages in a delivery batch (every {@code stocks.*} subscriber, say) share the packed
 * frames instead of each copying them. Keyed by the messages' {@code seq}s, compared in full.
 *
 * <p>Owned by one event loop, shared by its sessions; bounded (forgets everything past 64 lists,
 * which only ever happens across batches).
 */
public final class SharedFrames {

    private static final int MAX_ENTRIES = 64;

    private record Key(long[] seqs, int hash) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.seqs, seqs);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final Map<Key, List<byte[]>> frames = new HashMap<>();

    /** The frames for these messages, packed by {@code pack} only if no connection packed them yet. */
    List<byte[]> get(long[] seqs, Supplier<List<byte[]>> pack) {
        Key key = new Key(seqs, Arrays.hashCode(seqs));
        List<byte[]> f = frames.get(key);
        if (f == null) {
            if (frames.size() >= MAX_ENTRIES) {
                frames.clear();
            }
            f = pack.get();
            frames.put(key, f);
        }
        return f;
    }
}
