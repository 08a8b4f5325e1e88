package io.tickstream.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Numbers as JsonWriter writes them: byte for byte what Double.toString and Long.toString write. */
class JsonWriterTest {

    private static String written(double v) {
        return new JsonWriter(8).value(v).toString();
    }

    private static String expected(double v) {
        return !Double.isFinite(v) ? "null"
                : v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    @Test
    void shouldWritePricesAsDoubleToStringDoes() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 1_000_000; i++) {
            int decimals = random.nextInt(0, 7);
            long scaled = random.nextLong(1, 100_000_000_000L);
            double v = scaled / Math.pow(10, decimals) / (random.nextBoolean() ? 1 : 1000);
            v = random.nextInt(10) == 0 ? -v : v;
            assertEquals(expected(v), written(v), "the double " + v);
        }
    }

    @Test
    void shouldWriteEdgesOfTheFastRangeAsDoubleToStringDoes() {
        double[] values = {0.001, 0.0015, 0.0009, 0.1, 0.5, 0.05, 0.0001, 9_999_999.99, 10_000_000.5, 1e7, 123.45,
                -123.45, 189.13, 0.3, 0.1 + 0.2, 1.005, 2.675, 1e-7, 1.7976931348623157e308, -0.0, 0.0,
                Double.MIN_VALUE, Double.NaN, Double.POSITIVE_INFINITY, 4.35, 4.345, 100.0001, 99.9999};
        for (double v : values) {
            assertEquals(expected(v), written(v), "the double " + v);
        }
    }

    @Test
    void shouldWriteLongsAsLongToStringDoes() {
        long[] values = {0, 1, -1, 9, 10, -10, 99, 100, 1_700_000_000_123_456L, Long.MAX_VALUE, Long.MIN_VALUE,
                Long.MIN_VALUE + 1};
        for (long v : values) {
            assertEquals(Long.toString(v), new JsonWriter(1).value(v).toString());
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            long v = random.nextLong() >> random.nextInt(64);
            assertEquals(Long.toString(v), new JsonWriter(4).value(v).toString());
        }
    }

    @Test
    void shouldSeparateNumbersInAnArray() {
        assertEquals("[1,2.5,-3,0.25,null]",
                new JsonWriter(4).beginArray().value(1).value(2.5).value(-3L).value(0.25).value(Double.NaN).endArray()
                        .toString());
    }
}
