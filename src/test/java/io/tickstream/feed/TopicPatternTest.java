package io.tickstream.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicPatternTest {

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource({
        "stocks.AAPL, stocks.AAPL, true",
        "stocks.AAPL, stocks.AAP, false",
        "stocks.AAPL, stocks.AAPLX, false",
        "stocks.*, stocks.AAPL, true",
        "stocks.*, stocks.BRK-B, true",
        "stocks.*, sports.football.ARS-CHE, false",
        "*.AAPL, stocks.AAPL, true",
        "sports.>, sports.football.ARS-CHE, true",
        "sports.>, sports.football, true",
        "sports.>, sports, false",
        "sports.*, sports.football.ARS-CHE, false",
        "sports.*.*, sports.football.ARS-CHE, true",
        "sports.football.*, sports.football.ARS-CHE, true",
        "sports.football.*, sports.tennis.A-B, false",
        "sports.*.ARS-CHE, sports.football.ARS-CHE, true",
        ">, stocks.AAPL, true",
        "*, stocks.AAPL, false",
        "stocks.>, stocks.AAPL, true",
    })
    void shouldMatchTopicsSegmentBySegment(String pattern, String topic, boolean expected) {
        assertEquals(expected, TopicPattern.parse(pattern).matches(topic));
    }

    @ParameterizedTest(name = "{0} covers {1} = {2}")
    @CsvSource({
        "stocks.*, stocks.AAPL, true",
        "stocks.*, stocks.*, true",
        "stocks.AAPL, stocks.*, false",
        "stocks.AAPL, stocks.AAPL, true",
        "stocks.AAPL, stocks.MSFT, false",
        "stocks.*, stocks.>, false",
        "stocks.>, stocks.*, true",
        ">, stocks.*, true",
        ">, sports.>, true",
        "sports.>, sports.football.*, true",
        "sports.>, stocks.AAPL, false",
        "sports.football.*, sports.>, false",
        "sports.*.ARS-CHE, sports.football.ARS-CHE, true",
        "sports.*.ARS-CHE, sports.football.*, false",
        "*.AAPL, stocks.AAPL, true",
        "*.AAPL, *.*, false",
        "*.*, *.AAPL, true",
    })
    void shouldTellWhetherAPatternCoversAnother(String allowed, String requested, boolean expected) {
        assertEquals(expected, TopicPattern.parse(allowed).covers(TopicPattern.parse(requested)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "stocks", "stocks.", ".AAPL", "stocks..AAPL", "stocks.AA PL", "stocks.AAPL.X",
        "bonds.X", "sports.football", "sports.>.x", "stocks.A*", "stocks.\u00e9", "sports.football.A.B.C.D.E.F"})
    void shouldRejectMalformedTopics(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TopicPattern.parse(text));
        assertFalse(e.getMessage().isBlank());
    }

    @ParameterizedTest
    @ValueSource(strings = {"stocks.AAPL", "sports.football.ARS-CHE", "stocks.*", "sports.>", ">", "*.*"})
    void shouldAcceptWellFormedTopicsAndPatterns(String text) {
        assertEquals(text, TopicPattern.parse(text).text());
    }

    @ParameterizedTest
    @ValueSource(ints = {129, 500})
    void shouldRejectOverlongTopics(int length) {
        String t = "stocks." + "A".repeat(length - 7);
        assertThrows(IllegalArgumentException.class, () -> TopicPattern.parse(t));
    }

    @org.junit.jupiter.api.Test
    void shouldTellLiteralTopicsFromPatterns() {
        assertTrue(TopicPattern.parse("stocks.AAPL").isLiteral());
        assertFalse(TopicPattern.parse("stocks.*").isLiteral());
    }
}
