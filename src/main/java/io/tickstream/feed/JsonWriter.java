package io.tickstream.feed;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A small, allocation-light JSON writer into a growable byte array. Output is pure ASCII (any
 * other character is written as a {@code \\uXXXX} escape), so it is valid UTF-8 as is.
 *
 * <p>Not thread-safe: one owner, reused with {@link #reset()}.
 */
public final class JsonWriter {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private byte[] buf;
    private int len;
    private boolean needComma;

    public JsonWriter(int initialCapacity) {
        buf = new byte[initialCapacity];
    }

    public JsonWriter reset() {
        len = 0;
        needComma = false;
        return this;
    }

    public JsonWriter beginObject() {
        comma();
        put((byte) '{');
        needComma = false;
        return this;
    }

    public JsonWriter endObject() {
        put((byte) '}');
        needComma = true;
        return this;
    }

    public JsonWriter beginArray() {
        comma();
        put((byte) '[');
        needComma = false;
        return this;
    }

    public JsonWriter endArray() {
        put((byte) ']');
        needComma = true;
        return this;
    }

    /** Writes a key; the next call writes its value. */
    public JsonWriter key(String key) {
        comma();
        string(key);
        put((byte) ':');
        needComma = false;
        return this;
    }

    public JsonWriter field(String key, String value) {
        key(key);
        return value(value);
    }

    public JsonWriter field(String key, long value) {
        key(key);
        return value(value);
    }

    public JsonWriter field(String key, double value) {
        key(key);
        return value(value);
    }

    public JsonWriter field(String key, boolean value) {
        key(key);
        return value(value);
    }

    public JsonWriter value(String value) {
        comma();
        if (value == null) {
            ascii("null");
        } else {
            string(value);
        }
        needComma = true;
        return this;
    }

    public JsonWriter value(long value) {
        comma();
        ascii(Long.toString(value));
        needComma = true;
        return this;
    }

    /** Writes a finite double in its shortest round-trip form; NaN and infinities as {@code null}. */
    public JsonWriter value(double value) {
        comma();
        if (!Double.isFinite(value)) {
            ascii("null");
        } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            ascii(Long.toString((long) value));
        } else {
            ascii(Double.toString(value));
        }
        needComma = true;
        return this;
    }

    public JsonWriter value(boolean value) {
        comma();
        ascii(value ? "true" : "false");
        needComma = true;
        return this;
    }

    /** Appends bytes that are already a complete JSON value. */
    public JsonWriter raw(byte[] json) {
        comma();
        ensure(json.length);
        System.arraycopy(json, 0, buf, len, json.length);
        len += json.length;
        needComma = true;
        return this;
    }

    public int length() {
        return len;
    }

    public byte[] toBytes() {
        return Arrays.copyOf(buf, len);
    }

    @Override
    public String toString() {
        return new String(buf, 0, len, StandardCharsets.US_ASCII);
    }

    private void comma() {
        if (needComma) {
            put((byte) ',');
            needComma = false;
        }
    }

    private void string(String s) {
        ensure(s.length() + 2);
        buf[len++] = '"';
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                put((byte) c);
            } else {
                escape(c);
            }
        }
        put((byte) '"');
    }

    private void escape(char c) {
        switch (c) {
            case '"' -> ascii("\\\"");
            case '\\' -> ascii("\\\\");
            case '\n' -> ascii("\\n");
            case '\r' -> ascii("\\r");
            case '\t' -> ascii("\\t");
            default -> {
                ensure(6);
                buf[len++] = '\\';
                buf[len++] = 'u';
                buf[len++] = HEX[(c >> 12) & 0xf];
                buf[len++] = HEX[(c >> 8) & 0xf];
                buf[len++] = HEX[(c >> 4) & 0xf];
                buf[len++] = HEX[c & 0xf];
            }
        }
    }

    private void ascii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    private void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
