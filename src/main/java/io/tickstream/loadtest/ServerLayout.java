package io.tickstream.loadtest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * {@link FrameScanner}'s fast path: a tick or score laid out as tickstream's server writes it (type,
 * topic, seq and ts first, in that order, no white space), read in one pass. Whatever else it meets
 * (white space, one of those keys again, a bracket out of place) it leaves to the general path, so
 * that both read every message the same. Stateless.
 */
final class ServerLayout {

    /** The start of every tick and score as tickstream writes them: type, topic, seq and ts first. */
    private static final byte[] TICK_START = FrameScanner.bytes("{\"type\":\"tick\",\"topic\":\"");
    private static final byte[] SCORE_START = FrameScanner.bytes("{\"type\":\"score\",\"topic\":\"");
    private static final byte[] SEQ_FIELD = FrameScanner.bytes(",\"seq\":");
    private static final byte[] TS_FIELD = FrameScanner.bytes(",\"ts\":");
    private static final byte[] CONFLATED_KEY = FrameScanner.bytes("\"conflated\":");
    private static final byte[] SNAPSHOT_KEY = FrameScanner.bytes("\"snapshot\":");
    private static final byte[] SEQ_KEY = FrameScanner.bytes("\"seq\":");
    private static final byte[] TS_KEY = FrameScanner.bytes("\"ts\":");
    private static final byte[] TYPE_KEY = FrameScanner.bytes("\"type\":");
    private static final byte[] TOPIC_KEY = FrameScanner.bytes("\"topic\":");

    private ServerLayout() {
    }

    /**
     * A tick or score as tickstream's server writes it (type, topic, seq, ts, in that order, a topic
     * without escapes), read in one pass that looks at the rest only for the end of the object and the
     * keys {@code conflated} and {@code snapshot}; -1, having told {@code sink} nothing, for any other
     * message, which FrameScanner's general path then reads.
     */
    static int read(byte[] f, int n, int p, FrameScanner.Sink sink) {
        int q;
        if (startsWith(f, n, p, TICK_START)) {
            q = p + TICK_START.length;
        } else if (startsWith(f, n, p, SCORE_START)) {
            q = p + SCORE_START.length;
        } else {
            return -1;
        }
        long topicKey = 0xcbf29ce484222325L;   // FNV-1a, as FrameScanner.hash computes it
        byte b;
        while (q < n && (b = f[q]) != '"') {
            if (b == '\\') {
                return -1;
            }
            topicKey = (topicKey ^ b) * 0x100000001b3L;
            q++;
        }
        q++;
        if (!startsWith(f, n, q, SEQ_FIELD)) {
            return -1;
        }
        q += SEQ_FIELD.length;
        long seq = 0;
        int digits = q;
        for (; q < n && (b = f[q]) >= '0' && b <= '9'; q++) {
            seq = seq * 10 + (b - '0');
        }
        if (q == digits || !startsWith(f, n, q, TS_FIELD)) {
            return -1;
        }
        q += TS_FIELD.length;
        long ts = 0;
        digits = q;
        for (; q < n && (b = f[q]) >= '0' && b <= '9'; q++) {
            ts = ts * 10 + (b - '0');
        }
        if (q == digits) {
            return -1;
        }
        long conflated = 0;
        boolean snapshot = false;
        int depth = 1;
        while (depth > 0) {
            // digits, commas and colons, the bulk of what follows ts, in one load and test a byte
            while (q < n && STRUCTURAL[f[q] & 0xff] == 0) {
                q++;
            }
            b = FrameScanner.at(f, n, q);
            if (b == '"') {
                if (depth == 1 && readAgain(f, n, q)) {
                    return -1;
                }
                if (depth == 1 && startsWith(f, n, q, CONFLATED_KEY)) {
                    q += CONFLATED_KEY.length;
                    for (conflated = 0; q < n && (b = f[q]) >= '0' && b <= '9'; q++) {
                        conflated = conflated * 10 + (b - '0');
                    }
                } else if (depth == 1 && startsWith(f, n, q, SNAPSHOT_KEY)) {
                    q += SNAPSHOT_KEY.length;
                    snapshot = FrameScanner.at(f, n, q) == 't';
                } else {
                    q = FrameScanner.skipString(f, n, q);
                }
                continue;
            }
            if (b == '{' || b == '[') {
                depth++;
            } else if (b == '}' || b == ']') {
                if (depth == 1 && b == ']') {
                    return -1;   // not JSON: the general path says so
                }
                depth--;
            } else {
                return -1;   // white space, which the server never writes: the general path reads around it
            }
            q++;
        }
        sink.message(topicKey, seq, ts, (int) Math.min(Integer.MAX_VALUE, conflated), snapshot);
        return q;
    }

    /**
     * Whether the key at {@code q} is one the fast path read at the start (seq, ts, type, topic) met
     * again: the general path then reads the message, so that the last one counts, as there.
     */
    private static boolean readAgain(byte[] f, int n, int q) {
        byte k = q + 1 < n ? f[q + 1] : 0;
        return k == 's' && startsWith(f, n, q, SEQ_KEY)
                || k == 't' && (startsWith(f, n, q, TS_KEY) || startsWith(f, n, q, TYPE_KEY) || startsWith(f, n, q, TOPIC_KEY));
    }

    /**
     * 1 for the bytes that open or close a string, an object or an array, and for white space (which
     * sends the message to the general path); 0 for every other byte.
     */
    private static final byte[] STRUCTURAL = new byte[256];

    static {
        for (char c : new char[] {'"', '{', '}', '[', ']', ' ', '\t', '\n', '\r'}) {
            STRUCTURAL[c] = 1;
        }
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Whether {@code f[p, n)} starts with {@code word}: eight bytes at a time, then one by one. */
    private static boolean startsWith(byte[] f, int n, int p, byte[] word) {
        if (n - p < word.length) {
            return false;
        }
        int i = 0;
        for (; i + Long.BYTES <= word.length; i += Long.BYTES) {
            if ((long) LONGS.get(f, p + i) != (long) LONGS.get(word, i)) {
                return false;
            }
        }
        for (; i < word.length; i++) {
            if (f[p + i] != word[i]) {
                return false;
            }
        }
        return true;
    }
}
