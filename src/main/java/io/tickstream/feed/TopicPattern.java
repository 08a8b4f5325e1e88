package io.tickstream.feed;

import java.util.List;

/**
 * A topic or topic pattern from a {@code subscribe}: dot-separated segments where {@code *} stands
 * for exactly one segment and a final {@code >} for one or more.
 *
 * <p>Well formed means: 1 to {@value #MAX_LENGTH} characters, at most {@value #MAX_SEGMENTS}
 * non-empty segments of {@code [A-Za-z0-9_-]} (or a wildcard), {@code >} only last, and a literal
 * first segment, if any, one of the feed's namespaces ({@code stocks}, {@code sports}). A topic
 * without wildcards must also have its namespace's depth: {@code stocks.SYMBOL},
 * {@code sports.SPORT.MATCH}.
 *
 * <p>Immutable and thread-safe.
 */
public final class TopicPattern {

    public static final int MAX_LENGTH = 128;
    public static final int MAX_SEGMENTS = 8;
    private static final String ONE = "*";
    private static final String REST = ">";

    private final String text;
    private final String[] segments;
    private final boolean literal;

    private TopicPattern(String text, String[] segments, boolean literal) {
        this.text = text;
        this.segments = segments;
        this.literal = literal;
    }

    /**
     * Parses a topic or pattern.
     *
     * @throws IllegalArgumentException with a message a client can read, when it is not well formed
     */
    public static TopicPattern parse(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a topic must have 1 to " + MAX_LENGTH + " characters");
        }
        String[] segments = text.split("\\.", -1);
        if (segments.length > MAX_SEGMENTS) {
            throw new IllegalArgumentException("a topic has at most " + MAX_SEGMENTS + " segments");
        }
        boolean literal = true;
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            if (s.equals(ONE)) {
                literal = false;
            } else if (s.equals(REST)) {
                if (i != segments.length - 1) {
                    throw new IllegalArgumentException("'>' may only be the last segment: " + text);
                }
                literal = false;
            } else if (!isWord(s)) {
                throw new IllegalArgumentException("bad segment '" + s + "' in " + text
                        + " (segments are [A-Za-z0-9_-], '*' or a final '>')");
            }
        }
        String root = segments[0];
        int depth = switch (root) {
            case "stocks" -> 2;
            case "sports" -> 3;
            case ONE, REST -> 0;
            default -> throw new IllegalArgumentException("unknown namespace '" + root
                    + "' (topics start with stocks. or sports.)");
        };
        if (literal && segments.length != depth) {
            throw new IllegalArgumentException(root.equals("stocks")
                    ? "a stock topic is stocks.SYMBOL: " + text
                    : "a sports topic is sports.SPORT.MATCH: " + text);
        }
        return new TopicPattern(text, segments, literal);
    }

    /** Whether {@code topic} (a concrete topic, no wildcards) is covered by this pattern. */
    public boolean matches(String topic) {
        if (literal) {
            return text.equals(topic);
        }
        int pos = 0;
        for (int i = 0; i < segments.length; i++) {
            if (pos > topic.length()) {
                return false;
            }
            String s = segments[i];
            if (s.equals(REST)) {
                return pos < topic.length();
            }
            int end = topic.indexOf('.', pos);
            if (end < 0) {
                end = topic.length();
            }
            if (end == pos) {
                return false;
            }
            boolean segmentMatches = s.equals(ONE)
                    || (s.length() == end - pos && topic.regionMatches(pos, s, 0, s.length()));
            if (!segmentMatches) {
                return false;
            }
            pos = end + 1;
        }
        return pos == topic.length() + 1;
    }

    /** Whether any of {@code patterns} matches {@code topic}. */
    public static boolean anyMatches(List<TopicPattern> patterns, String topic) {
        for (TopicPattern p : patterns) {
            if (p.matches(topic)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether every topic {@code other} matches is also matched by this pattern (for a literal
     * {@code other}: whether this matches it). Used to check a subscription against the patterns a
     * token allows.
     */
    public boolean covers(TopicPattern other) {
        String[] a = segments;
        String[] b = other.segments;
        for (int i = 0; ; i++) {
            if (i == a.length) {
                return i == b.length;
            }
            if (a[i].equals(REST)) {
                return i < b.length;
            }
            if (i == b.length || b[i].equals(REST)) {
                return false;
            }
            if (!a[i].equals(ONE) && !a[i].equals(b[i])) {
                return false;
            }
        }
    }

    /** True when this names one topic (no wildcards). */
    public boolean isLiteral() {
        return literal;
    }

    /** The text as the client sent it. */
    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicPattern p && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }

    private static boolean isWord(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
