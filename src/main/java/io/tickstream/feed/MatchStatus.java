package io.tickstream.feed;

/** Status of a match; {@link #wireName()} is its value in the protocol's {@code status} field. */
public enum MatchStatus {
    SCHEDULED("scheduled"),
    LIVE("live"),
    HALFTIME("halftime"),
    FINAL("final");

    private final String wireName;

    MatchStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
