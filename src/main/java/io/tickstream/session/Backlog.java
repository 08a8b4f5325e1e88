package io.tickstream.session;

import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedMessage;
import io.tickstream.metrics.Meters;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What waits to be written to one connection whose socket is full, in the order it is to be
 * written, conflating as it waits (see {@link Conflation}):
 * <ul>
 *   <li>a conflatable live message (a tick, a score clock update) replaces the waiting one of its
 *       topic, which moves to the back and counts in {@code conflated} the updates it stands for:
 *       the reader gets the latest value of each topic and never an older after a newer;</li>
 *   <li>anything else (score events, snapshots, replayed and control messages) waits in order and
 *       is never dropped or replaced;</li>
 *   <li>but a conflatable message of a topic with a staleness budget ({@code maxStalenessMs}) waits
 *       exactly, in order, until one of the waiting ones is older than its budget: then
 *       {@link #freshen} conflates the waiting ones of each topic to the latest, in place (each
 *       topic's latest keeps its place, the others go), so that what is written is fresh again.</li>
 * </ul>
 * {@link #bytes()} counts the messages' JSON as given, without the {@code "conflated"} field.
 *
 * <p>Threading: owned by the connection's event loop; not thread-safe.
 */
final class Backlog {

    /**
     * A waiting message, a node of a doubly-linked list in write order: a conflatable live message
     * waits as the entry's {@link #latest()} (its topic's slot); any other as {@code exact} bytes.
     */
    static final class Entry extends Conflation.Slot {
        private final String topic;
        private FeedMessage.Kind kind;
        /** The bytes of a message never conflated; {@code null} for a conflatable one. */
        private final byte[] exact;
        /** When an exact live message was written to the feed (microseconds since the epoch), else -1. */
        private final long exactTs;
        /** When this server read an exact message from the queue (microseconds since the epoch), else -1. */
        private final long exactRead;
        /** A conflatable message waiting exactly under a staleness budget, else null. */
        private EncodedMessage timed;
        /** The staleness budget of the message's topic, microseconds; 0 for none. */
        private long budgetMicros;
        /** {@link #latest()} with its {@code conflated} count, made when first asked for. */
        private byte[] wire;
        private Entry prev;
        private Entry next;
        /**
         * In the list, waiting. A topic's slot stays after its message is written, empty once marked
         * {@link #written}.
         */
        private boolean linked;

        private Entry(String topic, FeedMessage.Kind kind, byte[] exact, long exactTs, long exactRead) {
            this.topic = topic;
            this.kind = kind;
            this.exact = exact;
            this.exactTs = exactTs;
            this.exactRead = exactRead;
        }

        /** The message's topic, {@code null} for a control message. */
        String topic() {
            return topic;
        }

        /** The message's feed kind, {@code null} for a control message. */
        FeedMessage.Kind kind() {
            return kind;
        }

        /** When a live message was written to the feed (microseconds since the epoch), else -1. */
        long ts() {
            return exact != null ? exactTs : timed != null ? timed.ts() : latest().ts();
        }

        /** When this server read the message from the queue (microseconds since the epoch), -1 when not known. */
        long readMicros() {
            return exact != null ? exactRead : timed != null ? timed.readMicros() : latest().readMicros();
        }

        /** Whether the message is a conflatable one waiting under a staleness budget. */
        boolean conflatable() {
            return timed != null;
        }

        /** The staleness budget of the message's topic, in microseconds; 0 for none. */
        long budgetMicros() {
            return budgetMicros;
        }

        /** How many earlier updates of the topic this message stands for. */
        int conflated() {
            return exact != null ? 0 : timed != null ? timed.conflated() : latest().conflated();
        }

        /** The bytes to write: the JSON with {@code "conflated": N} added when N > 0. */
        byte[] wireJson() {
            if (exact != null) {
                return exact;
            }
            if (timed != null) {
                return timed.wireJson();
            }
            if (wire == null) {
                wire = latest().wireJson();
            }
            return wire;
        }

        /**
         * The caller has written what {@link #poll} gave it: a topic's slot lets go of its message
         * (kept, it would pin every topic's last message for as long as the connection lives).
         */
        void written() {
            if (exact == null && timed == null && !linked) {
                take();
                wire = null;
            }
        }

        /** The JSON's length as given, without the {@code "conflated"} field. */
        private int length() {
            return exact != null ? exact.length : timed != null ? timed.json().length : latest().json().length;
        }
    }

    /** The waiting conflatable message of each topic, an entry in write order. */
    private final Conflation<Entry> conflation;
    private Entry head;
    private Entry tail;
    private long bytes;
    /**
     * The conflatable messages waiting under a staleness budget, in arrival order (unlinked ones are
     * dropped later); made on the first.
     */
    private ArrayDeque<Entry> timed;
    /** No two of {@link #timed}'s linked entries share a topic (as {@link #freshen} leaves them). */
    private boolean distinct = true;

    /** @param meters where each replaced message is counted */
    Backlog(Meters meters) {
        this.conflation = new Conflation<>(meters);
    }

    /**
     * Adds a live message at the back; a conflatable one replaces the waiting one of its topic (which
     * moves to the back, standing for one more update plus what the new one stood for).
     *
     * @return true when it replaced a waiting message (one more update conflated)
     */
    boolean offer(EncodedMessage m) {
        if (!Conflation.conflatable(m)) {
            link(new Entry(m.topic(), m.kind(), m.wireJson(), m.ts(), m.readMicros()));
            return false;
        }
        // a topic keeps its slot while the connection backlogs: no entry, map node or lambda per
        // message (the saturated fan-out path, where G1 paid for every new node in an old map)
        Entry e = conflation.slot(m.topic(), Backlog::slot);
        if (e.linked) {
            unlink(e);   // to the back, with the update that replaces it
        } else {
            e.take();    // what it held went out (empty already when the caller marked it written)
        }
        e.kind = m.kind();
        e.wire = null;
        boolean replaced = conflation.hold(e, m);
        link(e);
        return replaced;
    }

    /**
     * Adds a live message under a staleness budget: it waits exactly, even a conflatable one, until
     * {@link #freshen} finds one of them too old.
     *
     * @param budgetMicros the budget of its topic; 0 for none ({@link #offer(EncodedMessage)})
     * @return true when it replaced a waiting message (only without a budget)
     */
    boolean offer(EncodedMessage m, long budgetMicros) {
        if (budgetMicros <= 0) {
            return offer(m);
        }
        boolean conflatable = Conflation.conflatable(m);
        Entry e = new Entry(m.topic(), m.kind(), conflatable ? null : m.wireJson(), m.ts(), m.readMicros());
        e.budgetMicros = budgetMicros;
        if (conflatable) {
            e.timed = m;
            if (timed == null) {
                timed = new ArrayDeque<>();
            }
            timed.add(e);
            distinct = false;
        }
        link(e);
        return false;
    }

    /**
     * When a message waiting under a staleness budget is older than its budget at {@code nowMicros},
     * conflates the waiting ones of each topic to its latest, which keeps its place and stands for
     * the others ({@code "conflated": N}); the others leave the backlog.
     *
     * @return how many messages left (each counted in the conflated-messages meter)
     */
    int freshen(long nowMicros) {
        if (timed == null) {
            return 0;
        }
        while (!timed.isEmpty() && !timed.peek().linked) {
            timed.poll();
        }
        Entry oldest = timed.peek();
        if (distinct || oldest == null || nowMicros - oldest.timed.ts() <= oldest.budgetMicros) {
            return 0;
        }
        Map<String, Entry> latest = new HashMap<>();
        int replaced = 0;
        for (Iterator<Entry> it = timed.descendingIterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (!e.linked) {
                it.remove();
                continue;
            }
            Entry kept = latest.putIfAbsent(e.topic, e);
            if (kept != null) {
                kept.timed = kept.timed.plusConflated(e.timed.conflated() + 1);
                kept.wire = null;
                conflation.counted(e.timed);
                unlink(e);
                it.remove();
                replaced++;
            }
        }
        distinct = true;
        return replaced;
    }

    private static Entry slot(String topic) {
        return new Entry(topic, null, null, -1, -1);
    }

    /**
     * Adds a message that is never conflated (a snapshot, a replayed or a control message) at the back.
     *
     * @param topic      its topic, {@code null} for a control message
     * @param kind       its feed kind, {@code null} for a control message
     * @param readMicros when this server read it from the queue, -1 for a control message
     */
    void append(String topic, FeedMessage.Kind kind, byte[] json, long readMicros) {
        link(new Entry(topic, kind, json, -1, readMicros));
    }

    boolean isEmpty() {
        return head == null;
    }

    /** Bytes waiting: the sum of the messages' JSON lengths. */
    long bytes() {
        return bytes;
    }

    /** The first message to write, left in place; {@code null} when empty. */
    Entry peek() {
        return head;
    }

    /** Takes the first message to write, to be read and then marked {@link Entry#written}; {@code null} when empty. */
    Entry poll() {
        Entry e = head;
        if (e != null) {
            unlink(e);   // a conflatable one stays its topic's slot, emptied when marked written
        }
        return e;
    }

    /** Drops the waiting messages of topics {@code keep} refuses (control messages stay). */
    void retainTopics(Predicate<String> keep) {
        Entry e = head;
        while (e != null) {
            Entry next = e.next;
            if (e.topic != null && !keep.test(e.topic)) {
                unlink(e);
            }
            e = next;
        }
        conflation.slots().removeIf(slot -> !keep.test(slot.topic));
    }

    /** Forgets everything. */
    void clear() {
        head = null;
        tail = null;
        conflation.clear();
        bytes = 0;
        timed = null;
        distinct = true;
    }

    private void link(Entry e) {
        e.prev = tail;
        e.next = null;
        if (tail == null) {
            head = e;
        } else {
            tail.next = e;
        }
        tail = e;
        e.linked = true;
        bytes += e.length();
    }

    private void unlink(Entry e) {
        if (e.prev == null) {
            head = e.next;
        } else {
            e.prev.next = e.next;
        }
        if (e.next == null) {
            tail = e.prev;
        } else {
            e.next.prev = e.prev;
        }
        e.prev = null;
        e.next = null;
        e.linked = false;
        bytes -= e.length();
    }
}
