package io.tickstream.loadtest;

import java.util.Arrays;

/**
 * The last {@code seq} one connection saw per topic, by the topic's dense id from its event
 * loop's {@link TopicIds}: plain arrays, because the harness updates this for every message it
 * receives. The ids are the loop's, not the connection's, so the values sit in pages of 64 ids
 * made on first use: a connection of a few topics among many thousands holds a few pages, one of
 * every topic holds them all, and a message costs one cache line of a page either way.
 * Owned by one connection's event loop.
 */
final class LastSeqByTopic {

    private static final long EMPTY = Long.MIN_VALUE;
    private static final int PAGE_BITS = 6;
    private static final int PAGE_SIZE = 1 << PAGE_BITS;

    private long[][] pages = new long[1][];

    /** Stores {@code seq} for the topic {@code topicId}; returns the previous value, or -1 if there was none. */
    long put(int topicId, long seq) {
        int p = topicId >>> PAGE_BITS;
        if (p >= pages.length) {
            pages = Arrays.copyOf(pages, Math.max(p + 1, pages.length * 2));
        }
        long[] page = pages[p];
        if (page == null) {
            page = new long[PAGE_SIZE];
            Arrays.fill(page, EMPTY);
            pages[p] = page;
        }
        int i = topicId & (PAGE_SIZE - 1);
        long previous = page[i];
        page[i] = seq;
        return previous == EMPTY ? -1 : previous;
    }

    /** The smallest seq stored, or {@link Long#MAX_VALUE} when there is none. */
    long minValue() {
        long min = Long.MAX_VALUE;
        for (long[] page : pages) {
            if (page != null) {
                for (long v : page) {
                    if (v != EMPTY && v < min) {
                        min = v;
                    }
                }
            }
        }
        return min;
    }
}
