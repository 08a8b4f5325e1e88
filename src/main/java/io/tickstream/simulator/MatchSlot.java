package io.tickstream.simulator;

import io.tickstream.feed.MatchStatus;
import io.tickstream.feed.Score;
import io.tickstream.feed.ScoreEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * One pitch of the match simulator: plays fixtures one after another — announcement, kick-off,
 * a clock update every match minute, goals and cards, half time, full time, a pause, the next.
 * Now and then a goal or card is taken back some minutes later (see {@link Review}): a score
 * whose event is a correction naming it, with the score as it stands after it; whatever is still
 * under review when a half ends is decided just before the half-time or full-time whistle, so a
 * match's final score is settled in its {@code FT} message. Every event gets the next id of
 * {@link EventIds}. Time is simulated (milliseconds since the simulator's start), so the same
 * seed gives the same matches. Not thread-safe: owned by the generator's thread.
 */
final class MatchSlot {

    private static final double GOALS_PER_MINUTE = 2.8 / 90;
    private static final double CARDS_PER_MINUTE = 3.6 / 90;
    private static final int PRE_MATCH_MINUTES = 5;
    private static final int HALFTIME_MINUTES = 15;
    private static final int PAUSE_MINUTES = 5;

    private enum Phase { IDLE, SCHEDULED, FIRST_HALF, HALFTIME, SECOND_HALF }

    private final long minuteMs;
    private final FixtureRotation rotation;
    private final EventIds ids;
    private final Review review;
    /** Goals and cards of this match still to be taken back, in the order they happened. */
    private final List<Review.Verdict> underReview = new ArrayList<>();
    private Phase phase = Phase.IDLE;
    private Scenario.Fixture fixture;
    private long phaseEndsAt;
    private long nextMinuteAt;
    private int minute;
    private int lastMinute;
    private int homeScore;
    private int awayScore;

    MatchSlot(long minuteMs, FixtureRotation rotation, EventIds ids, Review review) {
        this.minuteMs = minuteMs;
        this.rotation = rotation;
        this.ids = ids;
        this.review = review;
    }

    /**
     * Puts this slot into a match already under way at {@code startMinute}, so that the feed has
     * live matches from its first second.
     */
    void joinInProgress(int startMinute, RandomGenerator rng, long simMs, LongSupplier ts, Consumer<? super Score> out) {
        fixture = rotation.next();
        if (fixture == null) {
            return;
        }
        minute = startMinute;
        homeScore = rng.nextInt(startMinute / 30 + 1);
        awayScore = rng.nextInt(startMinute / 30 + 1);
        if (startMinute < 45) {
            phase = Phase.FIRST_HALF;
            lastMinute = 45 + rng.nextInt(4);
        } else {
            phase = Phase.SECOND_HALF;
            lastMinute = 90 + 1 + rng.nextInt(6);
        }
        nextMinuteAt = simMs + minuteMs;
        out.accept(score(ts.getAsLong(), MatchStatus.LIVE, null));
    }

    /** Advances the match to simulated time {@code simMs}, emitting what happened on the way. */
    void advance(long simMs, RandomGenerator rng, LongSupplier ts, Consumer<? super Score> out) {
        switch (phase) {
            case IDLE -> {
                if (simMs >= phaseEndsAt) {
                    fixture = rotation.next();
                    if (fixture != null) {
                        homeScore = 0;
                        awayScore = 0;
                        minute = 0;
                        phase = Phase.SCHEDULED;
                        phaseEndsAt = simMs + PRE_MATCH_MINUTES * minuteMs;
                        out.accept(score(ts.getAsLong(), MatchStatus.SCHEDULED, null));
                    } else {
                        phaseEndsAt = simMs + minuteMs;
                    }
                }
            }
            case SCHEDULED -> {
                if (simMs >= phaseEndsAt) {
                    phase = Phase.FIRST_HALF;
                    minute = 0;
                    lastMinute = 45 + rng.nextInt(4);
                    nextMinuteAt = simMs + minuteMs;
                    out.accept(score(ts.getAsLong(), MatchStatus.LIVE, period(1, "1H")));
                }
            }
            case FIRST_HALF, SECOND_HALF -> {
                while (simMs >= nextMinuteAt && (phase == Phase.FIRST_HALF || phase == Phase.SECOND_HALF)) {
                    nextMinuteAt += minuteMs;
                    playMinute(simMs, rng, ts, out);
                }
            }
            case HALFTIME -> {
                if (simMs >= phaseEndsAt) {
                    phase = Phase.SECOND_HALF;
                    minute = 45;
                    lastMinute = 90 + 1 + rng.nextInt(6);
                    nextMinuteAt = simMs + minuteMs;
                    out.accept(score(ts.getAsLong(), MatchStatus.LIVE, period(46, "2H")));
                }
            }
        }
    }

    private void playMinute(long simMs, RandomGenerator rng, LongSupplier ts, Consumer<? super Score> out) {
        minute++;
        boolean eventful = decide(false, ts, out);
        if (rng.nextDouble() < GOALS_PER_MINUTE) {
            boolean home = rng.nextDouble() < 0.55;
            if (home) {
                homeScore++;
            } else {
                awayScore++;
            }
            emitReviewable(ts, out, new ScoreEvent(ids.next(), ScoreEvent.Kind.GOAL, minute,
                    home ? ScoreEvent.Side.HOME : ScoreEvent.Side.AWAY, player(rng, home), null, null, null));
            eventful = true;
        }
        if (rng.nextDouble() < CARDS_PER_MINUTE) {
            boolean home = rng.nextBoolean();
            String colour = rng.nextInt(20) == 0 ? "red" : "yellow";
            emitReviewable(ts, out, new ScoreEvent(ids.next(), ScoreEvent.Kind.CARD, minute,
                    home ? ScoreEvent.Side.HOME : ScoreEvent.Side.AWAY, player(rng, home), colour, null, null));
            eventful = true;
        }
        if (minute >= lastMinute) {
            decide(true, ts, out);   // whatever is still under review is settled before the whistle
            if (phase == Phase.FIRST_HALF) {
                phase = Phase.HALFTIME;
                phaseEndsAt = simMs + HALFTIME_MINUTES * minuteMs;
                out.accept(score(ts.getAsLong(), MatchStatus.HALFTIME, period(45, "HT")));
            } else {
                phase = Phase.IDLE;
                phaseEndsAt = simMs + PAUSE_MINUTES * minuteMs;
                out.accept(score(ts.getAsLong(), MatchStatus.FINAL, period(90, "FT")));
                rotation.release(fixture);
            }
        } else if (!eventful) {
            out.accept(score(ts.getAsLong(), MatchStatus.LIVE, null));
        }
    }

    /** Emits a goal or card, and puts it under review if it is to be taken back. */
    private void emitReviewable(LongSupplier ts, Consumer<? super Score> out, ScoreEvent event) {
        out.accept(score(ts.getAsLong(), MatchStatus.LIVE, event));
        Review.Verdict verdict = review.of(event);
        if (verdict != null) {
            underReview.add(verdict);
        }
    }

    /**
     * Emits the corrections due by this minute (all of them when {@code all}: the half ends), each
     * with the score after it. Returns whether it emitted any.
     */
    private boolean decide(boolean all, LongSupplier ts, Consumer<? super Score> out) {
        boolean any = false;
        for (var it = underReview.iterator(); it.hasNext(); ) {
            Review.Verdict v = it.next();
            if (!all && v.minute() > minute) {
                continue;
            }
            it.remove();
            ScoreEvent wrong = v.event();
            if (wrong.kind() == ScoreEvent.Kind.GOAL) {
                if (wrong.team() == ScoreEvent.Side.HOME) {
                    homeScore--;
                } else {
                    awayScore--;
                }
            }
            out.accept(score(ts.getAsLong(), MatchStatus.LIVE,
                    ScoreEvent.correction(ids.next(), minute, wrong.team(), wrong.id(), v.reason())));
            any = true;
        }
        return any;
    }

    private String player(RandomGenerator rng, boolean home) {
        var players = (home ? fixture.home() : fixture.away()).players();
        return players.get(rng.nextInt(players.size()));
    }

    private ScoreEvent period(int minute, String which) {
        return new ScoreEvent(ids.next(), ScoreEvent.Kind.PERIOD, minute, null, null, which, null, null);
    }

    private Score score(long ts, MatchStatus status, ScoreEvent event) {
        return new Score(ts, fixture.sport(), fixture.matchId(), fixture.home().name(), fixture.away().name(),
                homeScore, awayScore, minute * 60, status, event);
    }
}
