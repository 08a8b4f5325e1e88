package io.tickstream.feed;

/**
 * Something that happened in a match, or the correction of something that did not after all.
 *
 * @param id       the event's id, stable and unique over the feed (see the simulator's
 *                 {@code EventIds}); {@code null} for an event read from a record written before
 *                 ids (record versions 1 and 2), which {@link JsonCodec} gives its record's seq
 * @param kind     what happened
 * @param minute   match minute it happened in (1-based, as a commentator says it)
 * @param team     which side it concerns, or {@code null} (period changes)
 * @param player   the player concerned, or {@code null}
 * @param detail   for {@link Kind#CARD} the colour ({@code yellow}, {@code red}); for
 *                 {@link Kind#PERIOD} the period that starts or ends ({@code 1H}, {@code HT},
 *                 {@code 2H}, {@code FT}); otherwise {@code null}
 * @param retracts for {@link Kind#CORRECTION} (only) the id of the event it takes back
 * @param reason   for {@link Kind#CORRECTION} (only) why, e.g. {@code VAR: offside}
 * @throws IllegalArgumentException when a correction lacks {@code retracts} or {@code reason}, or
 *         another kind has either
 */
public record ScoreEvent(String id, Kind kind, int minute, Side team, String player, String detail,
                         String retracts, String reason) {

    public ScoreEvent {
        boolean correction = kind == Kind.CORRECTION;
        if (correction != (retracts != null) || correction != (reason != null)) {
            throw new IllegalArgumentException(correction ? "a correction needs retracts and reason"
                    : "only a correction has retracts and reason");
        }
    }

    /** An event without an id (as read from a record written before ids) that is not a correction. */
    public ScoreEvent(Kind kind, int minute, Side team, String player, String detail) {
        this(null, kind, minute, team, player, detail, null, null);
    }

    /**
     * A correction: the event {@code retracts} (of {@code team}'s side, or {@code null}) did not
     * stand, for {@code reason}; decided in match minute {@code minute}.
     */
    public static ScoreEvent correction(String id, int minute, Side team, String retracts, String reason) {
        return new ScoreEvent(id, Kind.CORRECTION, minute, team, null, null, retracts, reason);
    }

    /** This event with {@code id}. */
    public ScoreEvent withId(String id) {
        return new ScoreEvent(id, kind, minute, team, player, detail, retracts, reason);
    }

    /** Kinds of match event; {@link #wireName()} is the protocol's {@code event.kind}. */
    public enum Kind {
        GOAL("goal"),
        CARD("card"),
        PERIOD("period"),
        /** A goal or card taken back (1.1): a disallowed goal, a rescinded card. */
        CORRECTION("correction");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        /** The JSON key {@code detail} is written under for this kind, or {@code null} for none. */
        public String detailKey() {
            return switch (this) {
                case CARD -> "card";
                case PERIOD -> "period";
                case GOAL, CORRECTION -> null;
            };
        }
    }

    /** The side of a match an event concerns. */
    public enum Side {
        HOME("home"),
        AWAY("away");

        private final String wireName;

        Side(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }
}
