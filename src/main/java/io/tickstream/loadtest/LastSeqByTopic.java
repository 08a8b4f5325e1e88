package io.tickstream.loadtest;

import java.util.Arrays;

/**
 * The last {@code seq} one connection saw per topic, by the topic's dense id from its event
 * loop's {@link TopicIds}: a plain array, because the harness updates it for every message it
 * receives (one cache line a message). Owned by one connection's event loop.
 */
final class LastSeqByTopic {

    private static final long EMPTY = Long.MIN_VALUE;

    private long[] values = filled(16);

    /** Stores {@code seq} for the topic {@code topicId}; returns the previous value, or -1 if there was none. */
    long put(int topicId, long seq) {
        if (topicId >= values.length) {
            int old = values.length;
            values = Arrays.copyOf(values, Math.max(topicId + 1, old * 2));
            Arrays.fill(values, old, values.length, EMPTY);
        }
        long previous = values[topicId];
        values[topicId] = seq;
        return previous == EMPTY ? -1 : previous;
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

    private static long[] filled(int n) {
        long[] a = new long[n];
        Arrays.fill(a, EMPTY);
        return a;
    }
}
