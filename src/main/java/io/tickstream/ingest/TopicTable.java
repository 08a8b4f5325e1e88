package io.tickstream.ingest;

import io.tickstream.feed.Score;
import io.tickstream.feed.Tick;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.openhft.chronicle.bytes.Bytes;

/**
 * The seq of each topic's latest record, keyed by the topic's bytes as the queue record holds them
 * (see {@link io.tickstream.feed.QueueCodec}: the kind, then the symbol, or the sport and the match),
 * so that a scan of millions of records builds no string and decodes no record. Open addressing
 * with linear probing on a 64-bit FNV-1a hash; the key bytes are kept and compared, so two topics
 * never share a slot. Each topic also has a stable id, its rank of first appearance in this table,
 * for callers that keep per-topic arrays ({@link FeedIndex}).
 *
 * <p>Threading: owned by one thread at a time (each scanning thread has its own).
 */
final class TopicTable {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final int KEY_START = 10;   // version, kind, ts
    private static final byte KIND_TICK = 1;
    private static final byte KIND_SCORE = 2;

    private long[] hashes = new long[1024];
    private long[] seqs = new long[1024];
    private long[] firstSeqs = new long[1024];
    private byte[][] keys = new byte[1024][];
    private int[] ids = new int[1024];
    /** The key of each id. */
    private final List<byte[]> keysById = new ArrayList<>();
    private int size;
    private final StringBuilder scratch = new StringBuilder(64);
    /** Records offered, for the caller's report. */
    long records;

    int size() {
        return size;
    }

    /**
     * Records {@code seq} as the latest of the topic of the record {@code b} holds; ignores a record of
     * an unknown format.
     *
     * @return the topic's id, or -1 for a record of an unknown format
     */
    int put(Bytes<?> b, long seq) {
        long start = b.readPosition();
        long end = keyEnd(b, start);
        if (end < 0) {
            return -1;   // not a record this server can read: the live tailer counts it when it decodes
        }
        long h = hash(b, start, end);
        int slot = find(h, b, start, end);
        if (keys[slot] == null) {
            byte[] key = new byte[(int) (end - start - KEY_START + 1)];
            key[0] = b.readByte(start + 1);
            for (int i = 1; i < key.length; i++) {
                key[i] = b.readByte(start + KEY_START + i - 1);
            }
            return insert(slot, h, key, seq, seq);
        }
        seqs[slot] = seq;
        return ids[slot];
    }

    /** The topic in {@code slot} (see {@link #slots()}), as its messages name it. */
    String topicAt(int slot) {
        return topic(ids[slot]);
    }

    /** The topic whose id is {@code id}, as its messages name it ({@code stocks.AAPL}). */
    String topic(int id) {
        byte[] key = keysById.get(id);
        Bytes<?> b = Bytes.wrapForRead(Arrays.copyOfRange(key, 1, key.length));
        try {
            String first = b.readUtf8();
            return key[0] == KIND_TICK ? Tick.TOPIC_PREFIX + first
                    : Score.TOPIC_PREFIX + first + '.' + b.readUtf8();
        } finally {
            b.releaseLast();
        }
    }

    /** Takes every topic of {@code later}, whose seqs are all after this table's. */
    void putAll(TopicTable later) {
        for (int i = 0; i < later.keys.length; i++) {
            byte[] key = later.keys[i];
            if (key == null) {
                continue;
            }
            int slot = find(later.hashes[i], key);
            if (keys[slot] == null) {
                insert(slot, later.hashes[i], key, later.seqs[i], later.firstSeqs[i]);
            } else {
                seqs[slot] = later.seqs[i];
            }
        }
    }

    /** The slots in use. */
    int[] slots() {
        int[] out = new int[size];
        int j = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                out[j++] = i;
            }
        }
        return out;
    }

    long seq(int slot) {
        return seqs[slot];
    }

    /** The seq of the topic's first record. */
    long firstSeq(int slot) {
        return firstSeqs[slot];
    }

    /** Whether the record {@code b} holds is of the topic in {@code slot}. */
    boolean sameTopic(int slot, Bytes<?> b) {
        long start = b.readPosition();
        long end = keyEnd(b, start);
        return end >= 0 && equal(keys[slot], b, start, end);
    }

    /** Where the topic's bytes end, or -1 when the record is not of a known version and kind. */
    private long keyEnd(Bytes<?> b, long start) {
        long limit = b.readLimit();
        if (limit - start < KEY_START + 1) {
            return -1;
        }
        byte version = b.readByte(start);
        byte kind = b.readByte(start + 1);
        if (version < 1 || version > 3 || (kind != KIND_TICK && kind != KIND_SCORE)) {   // QueueCodec's versions
            return -1;
        }
        long fast = asciiKeyEnd(b, start + KEY_START, kind == KIND_SCORE ? 2 : 1, limit);
        if (fast >= 0) {
            return fast;
        }
        try {
            b.readPosition(start + KEY_START);
            scratch.setLength(0);
            b.readUtf8(scratch);
            if (kind == KIND_SCORE) {
                scratch.setLength(0);
                b.readUtf8(scratch);
            }
            return b.readPosition();
        } catch (RuntimeException e) {
            return -1;   // torn: the checksum says so when it is decoded, here it just has no topic
        } finally {
            b.readPosition(start);
        }
    }

    /**
     * The usual case without decoding: {@code fields} strings, each a one-byte length below 128 and
     * that many ASCII bytes (then bytes and characters agree). -1 for anything else, which the
     * caller reads with Chronicle's own UTF-8 reader.
     */
    private static long asciiKeyEnd(Bytes<?> b, long at, int fields, long limit) {
        for (int f = 0; f < fields; f++) {
            if (at >= limit) {
                return -1;
            }
            int len = b.readByte(at);
            if (len < 0 || at + 1 + len > limit) {
                return -1;
            }
            for (long i = at + 1; i <= at + len; i++) {
                if (b.readByte(i) < 0) {
                    return -1;
                }
            }
            at += 1 + len;
        }
        return at;
    }

    private static long hash(Bytes<?> b, long start, long end) {
        long h = (FNV_OFFSET ^ b.readByte(start + 1)) * FNV_PRIME;
        for (long i = start + KEY_START; i < end; i++) {
            h = (h ^ (b.readByte(i) & 0xff)) * FNV_PRIME;
        }
        return h;
    }

    private int find(long h, Bytes<?> b, long start, long end) {
        int mask = keys.length - 1;
        int slot = (int) (h ^ (h >>> 32)) & mask;
        while (keys[slot] != null && !(hashes[slot] == h && equal(keys[slot], b, start, end))) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private int find(long h, byte[] key) {
        int mask = keys.length - 1;
        int slot = (int) (h ^ (h >>> 32)) & mask;
        while (keys[slot] != null && !(hashes[slot] == h && Arrays.equals(keys[slot], key))) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private static boolean equal(byte[] key, Bytes<?> b, long start, long end) {
        if (key.length != end - start - KEY_START + 1 || key[0] != b.readByte(start + 1)) {
            return false;
        }
        for (int i = 1; i < key.length; i++) {
            if (key[i] != b.readByte(start + KEY_START + i - 1)) {
                return false;
            }
        }
        return true;
    }

    /** @return the new topic's id */
    private int insert(int slot, long h, byte[] key, long seq, long firstSeq) {
        int id = keysById.size();
        keysById.add(key);
        hashes[slot] = h;
        keys[slot] = key;
        seqs[slot] = seq;
        firstSeqs[slot] = firstSeq;
        ids[slot] = id;
        if (++size * 2 > keys.length) {
            grow();
        }
        return id;
    }

    private void grow() {
        long[] oldHashes = hashes;
        long[] oldSeqs = seqs;
        long[] oldFirstSeqs = firstSeqs;
        byte[][] oldKeys = keys;
        int[] oldIds = ids;
        ids = new int[oldKeys.length * 2];
        hashes = new long[oldKeys.length * 2];
        seqs = new long[oldKeys.length * 2];
        firstSeqs = new long[oldKeys.length * 2];
        keys = new byte[oldKeys.length * 2][];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null) {
                int slot = find(oldHashes[i], oldKeys[i]);
                hashes[slot] = oldHashes[i];
                keys[slot] = oldKeys[i];
                seqs[slot] = oldSeqs[i];
                firstSeqs[slot] = oldFirstSeqs[i];
                ids[slot] = oldIds[i];
            }
        }
    }
}
