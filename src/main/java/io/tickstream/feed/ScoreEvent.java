package io.tickstream.feed;

/**
 * Something that happened in a match.
 *
 * @param kind   what happened
 * @param minute match minute it happened in (1-based, as a commentator says it)
 * @param team   which side it concerns, or {@code null} (period changes)
 * @param player the player concerned, or {@code null}
 * @param detail for {@link Kind#CARD} the colour ({@code yellow}, {@code red}); for
 *               {@link Kind#PERIOD} the period that starts or ends ({@code 1H}, {@code HT},
 *               {@code 2H}, {@code FT}); otherwise {@code null}
 */
public record ScoreEvent(Kind kind, int minute, Side team, String player, String detail) {

    /** Kinds of match event; {@link #wireName()} is the protocol's {@code event.kind}. */
    public enum Kind {
        GOAL("goal"),
        CARD("card"),
        PERIOD("period");

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
                case GOAL -> null;
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
