package io.tickstream.loadtest;

/**
 * Small dense ids for topic keys (the 64-bit hashes {@link FrameScanner} gives), so that each
 * connection can keep its per-topic state in a plain array indexed by id. Shared by the
 * connections of one event loop: the table stays in cache however many connections look it up,
 * and each connection's own state is one array, one cache line a message, instead of a hash table
 * of its own. Keys and ids sit side by side, so a lookup touches one line.
 *
 * <p>Owned by one event loop; not thread-safe.
 */
final class TopicIds {

    private static final long FREE = 0;

    /** Pairs of (key, id + 1); id + 1 so that a zeroed slot reads as free. */
    private long[] slots = new long[2 * 64];
    private int size;

    /** The id of {@code topicKey}: 0, 1, 2... in order of first appearance. */
    int id(long topicKey) {
        int mask = slots.length / 2 - 1;
        int i = spread(topicKey) & mask;
        while (true) {
            long idPlusOne = slots[2 * i + 1];
            if (idPlusOne == FREE) {
                break;
            }
            if (slots[2 * i] == topicKey) {
                return (int) idPlusOne - 1;
            }
            i = (i + 1) & mask;
        }
        int id = size++;
        slots[2 * i] = topicKey;
        slots[2 * i + 1] = id + 1;
        if (size * 2 > slots.length / 2) {
            grow();
        }
        return id;
    }

    /** Topics seen so far: every id is below this. */
    int size() {
        return size;
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        int mask = slots.length / 2 - 1;
        for (int j = 0; j < old.length; j += 2) {
            if (old[j + 1] != FREE) {
                int i = spread(old[j]) & mask;
                while (slots[2 * i + 1] != FREE) {
                    i = (i + 1) & mask;
                }
                slots[2 * i] = old[j];
                slots[2 * i + 1] = old[j + 1];
            }
        }
    }

    private static int spread(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
