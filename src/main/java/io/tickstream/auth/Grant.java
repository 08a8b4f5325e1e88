package io.tickstream.auth;

import io.tickstream.feed.TopicPattern;
import java.util.List;

/**
 * What a valid token lets its holder do: subscribe to topics its patterns cover, until it expires.
 *
 * @param subject   who the token was minted for (for logs; may be empty)
 * @param topics    the patterns a subscription must fall within
 * @param expiresAt expiry, seconds since the epoch
 */
public record Grant(String subject, List<TopicPattern> topics, long expiresAt) {

    public Grant {
        topics = List.copyOf(topics);
    }

    /** Whether every topic {@code requested} can match is covered by one of the granted patterns. */
    public boolean allows(TopicPattern requested) {
        for (TopicPattern p : topics) {
            if (p.covers(requested)) {
                return true;
            }
        }
        return false;
    }
}
