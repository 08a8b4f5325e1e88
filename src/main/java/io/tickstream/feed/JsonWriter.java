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
        digits(value);
        needComma = true;
        return this;
    }

    /**
     * Writes a finite double in its shortest round-trip form, as {@link Double#toString} does in
     * its plain range; NaN and infinities as {@code null}. A whole number is written without a
     * fraction, and one of at most {@value #MAX_FAST_DECIMALS} decimals (a price in cents) from its
     * digits, without Double.toString's general (and slow) conversion.
     */
    public JsonWriter value(double value) {
        comma();
        if (!Double.isFinite(value)) {
            ascii("null");
        } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            digits((long) value);
        } else if (!fewDecimals(value)) {
            ascii(Double.toString(value));
        }
        needComma = true;
        return this;
    }

    private static final int MAX_FAST_DECIMALS = 4;
    private static final double[] POWERS = {1, 10, 100, 1000, 10000};

    /**
     * Writes {@code value} (not whole) as {@code [-]int.frac} when it is the double nearest to a decimal
     * of at most {@value #MAX_FAST_DECIMALS} decimals, and lies where Double.toString writes plain
     * digits (1e-3 to 1e7); false, writing nothing, otherwise. That decimal is then the shortest that
     * reads back as {@code value}: one digit fewer would be another number, farther from it than a
     * double's spacing at this size.
     */
    private boolean fewDecimals(double value) {
        double abs = Math.abs(value);
        if (abs < 1e-3 || abs >= 1e7) {
            return false;
        }
        for (int d = 1; d <= MAX_FAST_DECIMALS; d++) {
            long scaled = Math.round(abs * POWERS[d]);
            // a correctly rounded division: the double nearest to scaled / 10^d
            if (scaled / POWERS[d] == abs) {
                if (value < 0) {
                    put((byte) '-');
                }
                long unit = (long) POWERS[d];
                digits(scaled / unit);
                put((byte) '.');
                long fraction = scaled % unit;
                for (unit /= 10; unit > 0; unit /= 10) {
                    put((byte) ('0' + fraction / unit));
                    fraction %= unit;
                }
                return true;
            }
        }
        return false;
    }

    /** Writes a long's decimal digits, without a String. */
    private void digits(long value) {
        if (value < 0) {
            if (value == Long.MIN_VALUE) {
                ascii(Long.toString(value));
                return;
            }
            put((byte) '-');
            value = -value;
        }
        ensure(19);
        int n = 1;
        for (long v = value / 10; v > 0; v /= 10) {
            n++;
        }
        for (int i = len + n - 1; i >= len; i--) {
            buf[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        len += n;
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
