package io.tickstream.fanout;

import io.tickstream.feed.EncodedMessage;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One topic on one shard: its latest message (the snapshot) and the subscribers it goes to.
 *
 * <p>Owned by the shard's event loop. Membership changes are O(1); the array walked on every
 * message is rebuilt lazily, at most once per membership change.
 */
final class TopicEntry {

    private static final Subscriber[] NONE = new Subscriber[0];

    final String topic;
    EncodedMessage latest;
    private final Set<Subscriber> members = new LinkedHashSet<>();
    private Subscriber[] view = NONE;
    private boolean stale;

    TopicEntry(String topic) {
        this.topic = topic;
    }

    boolean add(Subscriber s) {
        boolean added = members.add(s);
        stale |= added;
        return added;
    }

    boolean remove(Subscriber s) {
        boolean removed = members.remove(s);
        stale |= removed;
        return removed;
    }

    boolean contains(Subscriber s) {
        return members.contains(s);
    }

    Subscriber[] subscribers() {
        if (stale) {
            view = members.toArray(NONE);
            stale = false;
        }
        return view;
    }
}
