package io.tickstream.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The plots' axes as a reader reads them, without a browser. */
class ChartsTest {

    @Test
    void shouldLabelPercentilesByTheirNines() {
        assertEquals(List.of("0%", "90%", "99%", "99.9%", "99.99%"),
                List.of(Charts.percentLabel(0), Charts.percentLabel(1), Charts.percentLabel(2),
                        Charts.percentLabel(3), Charts.percentLabel(4)));
        assertEquals(3.0, Charts.nines(99.9), 1e-9);
    }

    @Test
    void shouldWriteLatencyInTheUnitItReadsBestIn() {
        assertEquals("250 µs", Charts.micros(250));
        assertEquals("2.5 ms", Charts.micros(2500));
        assertEquals("100 ms", Charts.micros(100_000));
        assertEquals("1 s", Charts.micros(1_000_000));
        assertEquals("12k", Charts.count(12_000));
    }

    @Test
    void shouldReachAboveTheSlowestLatencyOnTheAxis() {
        // the old plot's top label read ".0.0 ms": its axis stopped below the maximum
        String svg = Charts.percentiles(List.of(new Charts.Series("a", "#000", List.of(
                new double[] {0, 120}, new double[] {90, 900}, new double[] {99, 4_000}, new double[] {99.9, 130_000}))),
                "latency");
        Matcher labels = Pattern.compile("class='ytick'[^>]*>([^<]+)<").matcher(svg);
        String top = null;
        while (labels.find()) {
            top = labels.group(1);
        }
        assertEquals("1 s", top, "decades up to the one above 130 ms");
        assertTrue(svg.contains(">99.9%<"), svg);
        assertTrue(svg.contains(">100 µs<"), "and down to the one below 120 µs");
    }
}
