package io.tickstream.feed;

/**
 * The state of one match after an update: the score, the clock and, when the update was caused by
 * something happening on the pitch, the {@link ScoreEvent}.
 *
 * @param ts           write time, microseconds since the epoch
 * @param sport        sport, e.g. {@code football}
 * @param match        match id, unique within the sport, e.g. {@code ARS-CHE}
 * @param home         home team name
 * @param away         away team name
 * @param homeScore    home team's score
 * @param awayScore    away team's score
 * @param clockSeconds match clock in seconds since kick-off (rendered {@code mm:ss} on the wire)
 * @param status       match status
 * @param event        what happened, or {@code null} for a plain clock update
 */
public record Score(long ts, String sport, String match, String home, String away, int homeScore,
                    int awayScore, int clockSeconds, MatchStatus status, ScoreEvent event)
        implements FeedMessage {

    public static final String TOPIC_PREFIX = "sports.";

    @Override
    public String topic() {
        return TOPIC_PREFIX + sport + '.' + match;
    }

    @Override
    public Kind kind() {
        return Kind.SCORE;
    }

    /** Clock updates may be conflated; an update that carries an event never is. */
    @Override
    public boolean conflatable() {
        return event == null;
    }

    /** The match clock as the protocol shows it: {@code mm:ss}, minutes unbounded (e.g. {@code 93:05}). */
    public String clock() {
        int minutes = clockSeconds / 60;
        int seconds = clockSeconds % 60;
        return (minutes < 10 ? "0" : "") + minutes + (seconds < 10 ? ":0" : ":") + seconds;
    }
}
