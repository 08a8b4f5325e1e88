package io.tickstream.session;

import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedMessage;
import io.tickstream.metrics.Meters;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * What conflation means, for both places where a connection's updates wait: {@link TopicThrottles}
 * ({@code maxRate}, between a topic's intervals) and the {@link Backlog} (while the socket is full).
 * <ul>
 *   <li>Only a conflatable live message waits in its topic's slot: a tick, a score clock update
 *       ({@link FeedMessage#conflatable()}). Score events, snapshots, replayed and control messages
 *       never replace anything and are never replaced.</li>
 *   <li>A topic's slot holds at most one update, the latest: a newer one replaces it and stands for
 *       it, so its {@code conflated} count ({@code "conflated": N} on the wire) is the replaced
 *       one's, plus one, plus its own.</li>
 *   <li>Each replacement counts once in the conflated-messages meter, by kind.</li>
 * </ul>
 * A slot is the caller's per-topic state, a {@link Slot} extended: the throttle's interval, the
 * backlog's place in write order. When and where a slot's update is written is the caller's.
 *
 * <p>Threading: owned by the connection's event loop; not thread-safe.
 *
 * @param <S> the caller's per-topic state
 */
final class Conflation<S extends Conflation.Slot> {

    /** Where the latest update of one topic waits: at most one at a time. */
    abstract static class Slot {

        private EncodedMessage latest;

        /** The update waiting here, or {@code null}. */
        final EncodedMessage latest() {
            return latest;
        }

        /** Takes the waiting update, leaving the slot empty; {@code null} when none waits. */
        final EncodedMessage take() {
            EncodedMessage m = latest;
            latest = null;
            return m;
        }
    }

    private final Meters meters;
    /** Each topic's slot, made on its topic's first message (see {@link #slot}). */
    private final Map<String, S> slots = new HashMap<>();

    Conflation(Meters meters) {
        this.meters = meters;
    }

    /** Whether {@code m} may wait in its topic's slot, to be replaced by a newer update. */
    static boolean conflatable(EncodedMessage m) {
        return m.conflatable();
    }

    /** The slot of {@code topic}, made with {@code make} if it has none. */
    S slot(String topic, Function<String, ? extends S> make) {
        return slots.computeIfAbsent(topic, make);
    }

    /**
     * Puts a conflatable update in its topic's slot; if one waits there, the update replaces it,
     * standing for it and what it stood for (counted in the conflated-messages meter).
     *
     * @return true when it replaced a waiting update
     * @throws IllegalArgumentException if {@code update} is not {@link #conflatable}
     */
    boolean hold(Slot slot, EncodedMessage update) {
        if (!conflatable(update)) {
            throw new IllegalArgumentException("never conflated: " + update);
        }
        EncodedMessage waiting = slot.latest;
        if (waiting == null) {
            slot.latest = update;
            return false;
        }
        slot.latest = update.plusConflated(waiting.conflated() + 1);
        meters.messagesConflated(update.kind()).increment();
        return true;
    }

    /** Counts {@code replaced} in the conflated-messages meter: a newer update of its topic stands for it. */
    void counted(EncodedMessage replaced) {
        meters.messagesConflated(replaced.kind()).increment();
    }

    /** Every topic's slot, empty or not, in no particular order; removing from it forgets slots. */
    Collection<S> slots() {
        return slots.values();
    }

    boolean isEmpty() {
        return slots.isEmpty();
    }

    /** Forgets every slot, with what waits in them. */
    void clear() {
        slots.clear();
    }
}
