package io.tickstream.loadtest;

import java.nio.charset.StandardCharsets;

/**
 * Reads what the harness needs from a server frame in one pass, without building JSON objects:
 * for each {@code tick}/{@code score} message a hash of its topic, its {@code seq}, {@code ts},
 * {@code conflated} and whether it is a snapshot. Relies only on the protocol (a frame is one
 * message object or an array of them; field names, in any order). Stateless.
 *
 * <p>The harness reads a million messages a second on the same cores as the server, so this is a
 * hot path: each byte is looked at once, only top-level keys are compared, nothing is allocated
 * for data messages.
 */
final class FrameScanner {

    /** Receives each message of a frame. */
    interface Sink {
        /**
         * A data message.
         *
         * @param topicKey a 64-bit hash of the topic name (equal names, equal keys)
         */
        void message(long topicKey, long seq, long ts, int conflated, boolean snapshot);

        /** A control message ({@code error}, {@code welcome}, ...) of the given type. */
        void control(String type);
    }

    private static final byte[] TYPE = bytes("type");
    private static final byte[] TOPIC = bytes("topic");
    private static final byte[] SEQ = bytes("seq");
    private static final byte[] TS = bytes("ts");
    private static final byte[] CONFLATED = bytes("conflated");
    private static final byte[] SNAPSHOT = bytes("snapshot");
    private static final byte[] TICK = bytes("tick");
    private static final byte[] SCORE = bytes("score");

    private FrameScanner() {
    }

    /** Scans a frame; throws {@link IllegalArgumentException} on a frame that is not protocol JSON. */
    static void scan(byte[] f, Sink sink) {
        scan(f, f.length, sink);
    }

    /** Scans the frame in {@code f[0, n)} (a buffer reused from frame to frame). */
    static void scan(byte[] f, int n, Sink sink) {
        scan(f, 0, n, sink);
    }

    /** Scans the frame in {@code f[from, n)} (a frame in a buffer of many). */
    static void scan(byte[] f, int from, int n, Sink sink) {
        int p = skipWhitespace(f, n, from);
        if (p < n && f[p] == '[') {
            p++;
            while (true) {
                p = skipWhitespace(f, n, p);
                byte b = at(f, n, p);
                if (b == ']') {
                    return;
                }
                if (b == ',') {
                    p++;
                    continue;
                }
                p = message(f, n, p, sink);
            }
        }
        message(f, n, p, sink);
    }

    /** One message object starting at {@code p}; returns the index after it. */
    private static int message(byte[] f, int n, int p, Sink sink) {
        int end = ServerLayout.read(f, n, p, sink);
        return end >= 0 ? end : anyOrder(f, n, p, sink);
    }

    /** One message object starting at {@code p}, its fields in any order; returns the index after it. */
    private static int anyOrder(byte[] f, int n, int p, Sink sink) {
        if (at(f, n, p) != '{') {
            throw new IllegalArgumentException("expected a JSON object at " + p);
        }
        p++;
        int typeStart = -1;
        int typeEnd = -1;
        long topicKey = 0;
        long seq = -1;
        long ts = -1;
        long conflated = 0;
        boolean snapshot = false;
        while (true) {
            p = skipWhitespace(f, n, p);
            byte b = at(f, n, p);
            if (b == '}') {
                p++;
                break;
            }
            if (b == ',') {
                p++;
                continue;
            }
            int keyStart = p + 1;
            p = skipString(f, n, p);
            int keyEnd = p - 1;
            p = skipWhitespace(f, n, p);
            if (at(f, n, p) != ':') {
                throw new IllegalArgumentException("expected ':' at " + p);
            }
            p = skipWhitespace(f, n, p + 1);
            switch (key(f, keyStart, keyEnd)) {
                case K_TYPE -> {
                    typeStart = p + 1;
                    p = skipString(f, n, p);
                    typeEnd = p - 1;
                }
                case K_TOPIC -> {
                    int s = p + 1;
                    p = skipString(f, n, p);
                    topicKey = hash(f, s, p - 1);
                }
                case K_SEQ -> {
                    seq = number(f, n, p);
                    p = skipValue(f, n, p);
                }
                case K_TS -> {
                    ts = number(f, n, p);
                    p = skipValue(f, n, p);
                }
                case K_CONFLATED -> {
                    conflated = number(f, n, p);
                    p = skipValue(f, n, p);
                }
                case K_SNAPSHOT -> {
                    snapshot = at(f, n, p) == 't';
                    p = skipValue(f, n, p);
                }
                default -> p = skipValue(f, n, p);
            }
        }
        if (typeStart < 0) {
            throw new IllegalArgumentException("a message without a type");
        }
        if (is(f, typeStart, typeEnd, TICK) || is(f, typeStart, typeEnd, SCORE)) {
            sink.message(topicKey, seq, ts, (int) Math.min(Integer.MAX_VALUE, Math.max(0, conflated)), snapshot);
        } else {
            sink.control(new String(f, typeStart, typeEnd - typeStart, StandardCharsets.UTF_8));
        }
        return p;
    }

    private static final int K_OTHER = 0;
    private static final int K_TYPE = 1;
    private static final int K_TOPIC = 2;
    private static final int K_SEQ = 3;
    private static final int K_TS = 4;
    private static final int K_CONFLATED = 5;
    private static final int K_SNAPSHOT = 6;

    /** Which of the keys read here the key in {@code [start, end)} is: by its length first, then its bytes. */
    private static int key(byte[] f, int start, int end) {
        return switch (end - start) {
            case 2 -> is(f, start, end, TS) ? K_TS : K_OTHER;
            case 3 -> is(f, start, end, SEQ) ? K_SEQ : K_OTHER;
            case 4 -> is(f, start, end, TYPE) ? K_TYPE : K_OTHER;
            case 5 -> is(f, start, end, TOPIC) ? K_TOPIC : K_OTHER;
            case 8 -> is(f, start, end, SNAPSHOT) ? K_SNAPSHOT : K_OTHER;
            case 9 -> is(f, start, end, CONFLATED) ? K_CONFLATED : K_OTHER;
            default -> K_OTHER;
        };
    }

    /** Index after the value starting at {@code p}: a string, an object, an array or a literal. */
    private static int skipValue(byte[] f, int n, int p) {
        byte b = at(f, n, p);
        if (b == '"') {
            return skipString(f, n, p);
        }
        if (b == '{' || b == '[') {
            int depth = 0;
            while (true) {
                b = at(f, n, p);
                if (b == '"') {
                    p = skipString(f, n, p);
                    continue;
                }
                if (b == '{' || b == '[') {
                    depth++;
                } else if (b == '}' || b == ']') {
                    if (--depth == 0) {
                        return p + 1;
                    }
                }
                p++;
            }
        }
        while (p < n && (b = f[p]) != ',' && b != '}' && b != ']') {
            p++;
        }
        return p;
    }

    /** Index after the string whose opening quote is at {@code p}. */
    static int skipString(byte[] f, int n, int p) {
        if (at(f, n, p) != '"') {
            throw new IllegalArgumentException("expected a string at " + p);
        }
        for (p++; p < n; p++) {
            byte b = f[p];
            if (b == '"') {
                return p + 1;
            }
            if (b == '\\') {
                p++;
            }
        }
        throw new IllegalArgumentException("frame ends inside a string");
    }

    private static long number(byte[] f, int n, int p) {
        long v = 0;
        boolean any = false;
        for (; p < n && f[p] >= '0' && f[p] <= '9'; p++) {
            v = v * 10 + (f[p] - '0');
            any = true;
        }
        return any ? v : -1;
    }

    private static int skipWhitespace(byte[] f, int n, int p) {
        // one comparison for the usual case: every JSON whitespace byte is <= ' ', no token byte is
        while (p < n && f[p] <= ' ' && (f[p] == ' ' || f[p] == '\n' || f[p] == '\r' || f[p] == '\t')) {
            p++;
        }
        return p;
    }

    static byte at(byte[] f, int n, int p) {
        if (p >= n) {
            throw new IllegalArgumentException("frame ends inside a value");
        }
        return f[p];
    }

    private static boolean is(byte[] f, int start, int end, byte[] word) {
        if (end - start != word.length) {
            return false;
        }
        for (int i = 0; i < word.length; i++) {
            if (f[start + i] != word[i]) {
                return false;
            }
        }
        return true;
    }

    /** FNV-1a, 64 bits, over the raw bytes of a topic. */
    static long hash(byte[] f, int start, int end) {
        long h = 0xcbf29ce484222325L;
        for (int i = start; i < end; i++) {
            h = (h ^ f[i]) * 0x100000001b3L;
        }
        return h;
    }

    static long hash(String topic) {
        byte[] b = topic.getBytes(StandardCharsets.UTF_8);
        return hash(b, 0, b.length);
    }

    /** A key or word as the bytes it is compared with. */
    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
