package io.tickstream.loadtest;

import java.nio.charset.StandardCharsets;

/**
 * Reads what the harness needs from a server frame without building JSON objects: for each
 * {@code tick}/{@code score} message its topic, {@code seq}, {@code ts}, {@code conflated} and
 * whether it is a snapshot. Relies only on the protocol's field names, in any order. Stateless.
 */
final class FrameScanner {

    /** Receives each data message of a frame. */
    interface Sink {
        void message(String topic, long seq, long ts, int conflated, boolean snapshot);

        /** A control message ({@code error}, {@code welcome}, ...) of the given type. */
        void control(String type);
    }

    private static final byte[] TYPE = bytes("\"type\":\"");
    private static final byte[] TOPIC = bytes("\"topic\":\"");
    private static final byte[] SEQ = bytes("\"seq\":");
    private static final byte[] TS = bytes("\"ts\":");
    private static final byte[] CONFLATED = bytes("\"conflated\":");
    private static final byte[] SNAPSHOT = bytes("\"snapshot\":true");

    private FrameScanner() {
    }

    static void scan(byte[] f, Sink sink) {
        int i = indexOf(f, TYPE, 0);
        while (i >= 0) {
            int next = indexOf(f, TYPE, i + TYPE.length);
            int end = next < 0 ? f.length : next;
            int t = i + TYPE.length;
            int q = t;
            while (q < end && f[q] != '"') {
                q++;
            }
            String type = new String(f, t, q - t, StandardCharsets.US_ASCII);
            if (type.equals("tick") || type.equals("score")) {
                sink.message(string(f, i, end, TOPIC), number(f, i, end, SEQ), number(f, i, end, TS),
                        (int) Math.max(0, number(f, i, end, CONFLATED)), indexOf(f, SNAPSHOT, i, end) >= 0);
            } else {
                sink.control(type);
            }
            i = next;
        }
    }

    private static long number(byte[] f, int from, int end, byte[] key) {
        int k = indexOf(f, key, from, end);
        if (k < 0) {
            return -1;
        }
        long v = 0;
        for (int p = k + key.length; p < end && f[p] >= '0' && f[p] <= '9'; p++) {
            v = v * 10 + (f[p] - '0');
        }
        return v;
    }

    private static String string(byte[] f, int from, int end, byte[] key) {
        int k = indexOf(f, key, from, end);
        if (k < 0) {
            return "";
        }
        int s = k + key.length;
        int e = s;
        while (e < end && f[e] != '"') {
            e++;
        }
        return new String(f, s, e - s, StandardCharsets.US_ASCII);
    }

    private static int indexOf(byte[] f, byte[] p, int from) {
        return indexOf(f, p, from, f.length);
    }

    private static int indexOf(byte[] f, byte[] p, int from, int end) {
        outer:
        for (int i = from; i <= end - p.length; i++) {
            for (int j = 0; j < p.length; j++) {
                if (f[i + j] != p[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
