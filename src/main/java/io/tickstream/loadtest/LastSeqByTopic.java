package io.tickstream.loadtest;

import java.util.Arrays;

/**
 * The last {@code seq} seen per topic, keyed by the topic's 64-bit hash: an open-addressing table
 * of primitives, because the harness updates it for every message it receives. Owned by one
 * connection's event loop.
 */
final class LastSeqByTopic {

    private static final long EMPTY = Long.MIN_VALUE;

    private long[] keys = new long[16];
    private long[] values = filled(16);
    private int size;

    /** Stores {@code seq} for {@code topicKey}; returns the previous value, or -1 if there was none. */
    long put(long topicKey, long seq) {
        int mask = keys.length - 1;
        int i = spread(topicKey) & mask;
        while (values[i] != EMPTY) {
            if (keys[i] == topicKey) {
                long previous = values[i];
                values[i] = seq;
                return previous;
            }
            i = (i + 1) & mask;
        }
        keys[i] = topicKey;
        values[i] = seq;
        if (++size * 2 > keys.length) {
            grow();
        }
        return -1;
    }

    /** The smallest seq stored, or {@link Long#MAX_VALUE} when there is none. */
    long minValue() {
        long min = Long.MAX_VALUE;
        for (long v : values) {
            if (v != EMPTY && v < min) {
                min = v;
            }
        }
        return min;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = filled(oldKeys.length * 2);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != EMPTY) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    private static int spread(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    private static long[] filled(int n) {
        long[] a = new long[n];
        Arrays.fill(a, EMPTY);
        return a;
    }
}
