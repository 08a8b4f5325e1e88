package io.tickstream.fanout;

import io.tickstream.feed.EncodedMessage;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One topic on one shard: its latest message (the snapshot) and the subscribers it goes to.
 *
 * <p>Owned by the shard's event loop. The array walked on every message is copy-on-write: after a
 * membership change the next {@link #subscribers()} makes a new array, so a delivery loop in
 * progress keeps the array it started with even if a subscriber is removed under it. The array is
 * made once for all the changes since the last delivery, not once per change: a thousand clients
 * subscribing to a topic between two messages make one array, not a thousand growing copies (which
 * were a third of all the server's allocation in a 1,000-subscriber benchmark run).
 */
final class TopicEntry {

    private static final Subscriber[] NONE = new Subscriber[0];

    final String topic;
    /** The seq of the topic's first message, or -1 when not known (see {@link Shard#firstSeq}). */
    final long firstSeq;
    EncodedMessage latest;
    /** The subscribers in the order they were added. */
    private final Set<Subscriber> members = new LinkedHashSet<>();
    private Subscriber[] view = NONE;
    /** Whether {@link #members} changed since {@link #view} was made. */
    private boolean changed;

    TopicEntry(String topic, long firstSeq) {
        this.topic = topic;
        this.firstSeq = firstSeq;
    }

    boolean add(Subscriber s) {
        if (!members.add(s)) {
            return false;
        }
        changed = true;
        return true;
    }

    boolean remove(Subscriber s) {
        if (!members.remove(s)) {
            return false;
        }
        changed = true;
        return true;
    }

    /** Removes every subscriber in {@code gone}. */
    void removeAll(Set<Subscriber> gone) {
        if (members.removeAll(gone)) {
            changed = true;
        }
    }

    boolean contains(Subscriber s) {
        return members.contains(s);
    }

    /** The subscribers, in the order they were added; never modified once returned. */
    Subscriber[] subscribers() {
        if (changed) {
            view = members.toArray(NONE);
            changed = false;
        }
        return view;
    }
}
