package io.tickstream.fanout;

import io.tickstream.feed.EncodedMessage;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * One topic on one shard: its latest message (the snapshot) and the subscribers it goes to.
 *
 * <p>Owned by the shard's event loop. The array walked on every message is copy-on-write: a
 * membership change makes a new array (an array copy, no walk of a hash set), so a delivery loop
 * in progress keeps the array it started with even if a subscriber is removed under it.
 */
final class TopicEntry {

    private static final Subscriber[] NONE = new Subscriber[0];

    final String topic;
    /** The seq of the topic's first message, or -1 when not known (see {@link Shard#firstSeq}). */
    final long firstSeq;
    EncodedMessage latest;
    private final Set<Subscriber> members = new HashSet<>();
    private Subscriber[] view = NONE;

    TopicEntry(String topic, long firstSeq) {
        this.topic = topic;
        this.firstSeq = firstSeq;
    }

    boolean add(Subscriber s) {
        if (!members.add(s)) {
            return false;
        }
        Subscriber[] next = Arrays.copyOf(view, view.length + 1);
        next[view.length] = s;
        view = next;
        return true;
    }

    boolean remove(Subscriber s) {
        if (!members.remove(s)) {
            return false;
        }
        Subscriber[] next = new Subscriber[view.length - 1];
        int j = 0;
        for (Subscriber x : view) {
            if (x != s) {
                next[j++] = x;
            }
        }
        view = next;
        return true;
    }

    /** Removes every subscriber in {@code gone}, with one new array at most. */
    void removeAll(Set<Subscriber> gone) {
        if (!members.removeAll(gone)) {
            return;
        }
        Subscriber[] next = new Subscriber[members.size()];
        int j = 0;
        for (Subscriber x : view) {
            if (!gone.contains(x)) {
                next[j++] = x;
            }
        }
        view = next;
    }

    boolean contains(Subscriber s) {
        return members.contains(s);
    }

    /** The subscribers, in the order they were added; never modified once returned. */
    Subscriber[] subscribers() {
        return view;
    }
}
