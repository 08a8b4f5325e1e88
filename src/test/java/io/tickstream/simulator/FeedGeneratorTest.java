package io.tickstream.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.feed.FeedMessage;
import io.tickstream.feed.MatchStatus;
import io.tickstream.feed.Score;
import io.tickstream.feed.ScoreEvent;
import io.tickstream.feed.Tick;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FeedGeneratorTest {

    private static final Scenario SCENARIO = Scenario.builtIn();

    private static List<FeedMessage> generate(long seed, double rate, int steps, int matches) {
        return generate(seed, rate, steps, matches, 0.05);
    }

    private static List<FeedMessage> generate(long seed, double rate, int steps, int matches, double correctionShare) {
        FeedGenerator g = new FeedGenerator(SCENARIO, RateProfile.steady(rate), seed, matches, 100, correctionShare,
                "4096", () -> 0L);
        List<FeedMessage> out = new ArrayList<>();
        for (int k = 0; k < steps; k++) {
            g.step(k, out::add);
        }
        return out;
    }

    @Test
    void shouldProduceTheSameFeedForTheSameSeed() {
        List<FeedMessage> a = generate(7, 2000, 3000, 16);
        List<FeedMessage> b = generate(7, 2000, 3000, 16);
        assertEquals(a, b);
        assertNotEquals(a, generate(8, 2000, 3000, 16));
    }

    @Test
    void shouldHoldTheConfiguredRate() {
        // 3000 steps of 10 ms = 30 simulated seconds at 2000 msgs/s
        int n = generate(1, 2000, 3000, 16).size();
        assertTrue(Math.abs(n - 60_000) <= 2, "messages: " + n);
    }

    @Test
    void shouldBurstByTheProfile() {
        FeedGenerator g = new FeedGenerator(SCENARIO, new RateProfile(1000, 10, 1, 5), 1, 0, 100, 0.05, "1",
                () -> 0L);
        int[] perSecond = new int[5];
        for (int k = 0; k < 500; k++) {
            int second = k / 100;
            g.step(k, m -> perSecond[second]++);
        }
        assertEquals(10_000, perSecond[0], 2);
        assertEquals(1_000, perSecond[1], 2);
    }

    @Test
    void shouldWalkPricesWithBidBelowAskOverTheWholeUniverse() {
        List<FeedMessage> feed = generate(3, 5000, 2000, 0);
        Set<String> symbols = new HashSet<>();
        Map<String, Long> volume = new HashMap<>();
        for (FeedMessage m : feed) {
            Tick t = (Tick) m;
            symbols.add(t.symbol());
            assertTrue(t.bid() < t.ask(), "bid < ask in " + t);
            assertTrue(t.last() >= t.bid() && t.last() <= t.ask(), "last within the spread in " + t);
            assertTrue(t.size() > 0);
            Long before = volume.put(t.symbol(), t.volume());
            assertTrue(before == null || t.volume() == before + t.size(), "cumulative volume in " + t);
        }
        assertTrue(SCENARIO.symbols().size() >= 100);
        assertEquals(SCENARIO.symbols().size(), symbols.size(), "every symbol ticks");
    }

    @Test
    void shouldPlayWholeMatchesWithTenOrMoreLiveAtOnce() {
        // 100 ms per match minute: a match is about 16 s of simulated time; play 120 s.
        List<FeedMessage> feed = generate(11, 1000, 12_000, 16);
        Map<String, MatchStatus> status = new HashMap<>();
        Map<String, int[]> score = new HashMap<>();
        Map<String, String> playing = new HashMap<>();
        int minLive = Integer.MAX_VALUE;
        Set<String> finished = new HashSet<>();
        Set<String> kickedOffAfterStart = new HashSet<>();
        int goals = 0;
        int cards = 0;
        int count = 0;
        for (FeedMessage m : feed) {
            if (!(m instanceof Score s)) {
                continue;
            }
            count++;
            int[] before = score.getOrDefault(s.match(), new int[] {0, 0});
            ScoreEvent e = s.event();
            if (e != null && e.kind() == ScoreEvent.Kind.GOAL) {
                goals++;
                int home = e.team() == ScoreEvent.Side.HOME ? 1 : 0;
                assertEquals(before[0] + home, s.homeScore(), "a home goal adds one to the home score");
                assertEquals(before[1] + 1 - home, s.awayScore());
            } else if (e != null && e.kind() == ScoreEvent.Kind.CARD) {
                cards++;
            } else if (e != null && "1H".equals(e.detail())) {
                kickedOffAfterStart.add(s.match());
            }
            if (s.status() == MatchStatus.FINAL) {
                finished.add(s.match());
            }
            score.put(s.match(), new int[] {s.homeScore(), s.awayScore()});
            status.put(s.match(), s.status());
            if (s.status() != MatchStatus.FINAL) {
                for (String team : new String[] {s.home(), s.away()}) {
                    String other = playing.put(team, s.match());
                    assertTrue(other == null || other.equals(s.match()), team + " plays two matches at once");
                }
            } else {
                playing.values().removeIf(s.match()::equals);
            }
            if (count > 16) {
                int live = (int) status.values().stream().filter(st -> st == MatchStatus.LIVE
                        || st == MatchStatus.HALFTIME).count();
                minLive = Math.min(minLive, live);
            }
        }
        assertTrue(minLive >= 10, "at least 10 matches in play at every moment, saw " + minLive);
        assertTrue(finished.size() >= 16, "matches reach full time: " + finished.size());
        assertTrue(kickedOffAfterStart.size() >= 10, "new matches kick off as others end");
        assertTrue(goals > 10 && cards > 10, "goals " + goals + ", cards " + cards);
    }

    @Test
    void shouldNameEveryEventOnceWithTheRunAndACount() {
        List<String> ids = new ArrayList<>();
        for (FeedMessage m : generate(5, 1000, 12_000, 16, 0.2)) {
            if (m instanceof Score s && s.event() != null) {
                ids.add(s.event().id());
            }
        }
        assertTrue(ids.size() > 1000, "events: " + ids.size());
        for (int i = 0; i < ids.size(); i++) {
            assertEquals("4096-" + (i + 1), ids.get(i), "the run, then the events counted in the order made");
        }
    }

    @Test
    void shouldTakeBackAShareOfGoalsAndCardsOfTheSameMatchWithTheScoreAfterIt() {
        // 100 ms per match minute, 120 s: about 130 matches, 400 goals, 500 cards
        List<FeedMessage> feed = generate(11, 1000, 12_000, 16, 0.25);
        Map<String, Score> byId = new HashMap<>();
        Map<String, Score> latest = new HashMap<>();
        Set<String> retracted = new HashSet<>();
        int goalsAndCards = 0;
        int goalsTakenBack = 0;
        int corrections = 0;
        for (FeedMessage m : feed) {
            if (!(m instanceof Score s)) {
                continue;
            }
            Score before = latest.put(s.match(), s);
            ScoreEvent e = s.event();
            if (e == null) {
                continue;
            }
            byId.put(e.id(), s);
            if (e.kind() == ScoreEvent.Kind.GOAL || e.kind() == ScoreEvent.Kind.CARD) {
                goalsAndCards++;
            }
            if (e.kind() != ScoreEvent.Kind.CORRECTION) {
                continue;
            }
            corrections++;
            Score wrong = byId.get(e.retracts());
            assertTrue(wrong != null && wrong.match().equals(s.match()), "retracts an earlier event of its match: " + s);
            assertTrue(retracted.add(e.retracts()), "taken back once: " + s);
            ScoreEvent w = wrong.event();
            assertTrue(w.kind() == ScoreEvent.Kind.GOAL || w.kind() == ScoreEvent.Kind.CARD, "a goal or a card: " + w);
            assertEquals(w.team(), e.team(), "the side of what it takes back");
            assertTrue(e.minute() >= w.minute() && e.minute() <= w.minute() + 6, "a few minutes later (or at the "
                    + "whistle that ends the half): " + s + " retracts " + wrong);
            assertTrue(e.reason().startsWith("VAR: ") || e.reason().contains("rescinded"), e.reason());
            int home = w.kind() == ScoreEvent.Kind.GOAL && w.team() == ScoreEvent.Side.HOME ? 1 : 0;
            int away = w.kind() == ScoreEvent.Kind.GOAL && w.team() == ScoreEvent.Side.AWAY ? 1 : 0;
            goalsTakenBack += home + away;
            assertEquals(before.homeScore() - home, s.homeScore(), "the score after it: " + s);
            assertEquals(before.awayScore() - away, s.awayScore(), "the score after it: " + s);
        }
        double share = (double) corrections / goalsAndCards;
        assertTrue(share > 0.18 && share < 0.32, corrections + " corrections of " + goalsAndCards + " goals and cards");
        assertTrue(goalsTakenBack > 20, "goals disallowed: " + goalsTakenBack);
    }

    @Test
    void shouldMakeTheSameCorrectionsForTheSameSeedAndNoneAtShareZero() {
        assertEquals(generate(3, 1000, 6_000, 16, 0.3), generate(3, 1000, 6_000, 16, 0.3));
        assertTrue(generate(3, 1000, 6_000, 16, 0).stream().noneMatch(m -> m instanceof Score s && s.event() != null
                && s.event().kind() == ScoreEvent.Kind.CORRECTION));
    }
}
