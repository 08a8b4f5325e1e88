package io.tickstream.session;

import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedMessage;
import io.tickstream.feed.MicroClock;
import io.tickstream.metrics.DeliveryMeters;
import io.tickstream.metrics.Meters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One connection's outbound path and its backpressure policy.
 *
 * <p>While the socket keeps up, each delivery batch is written at once as one frame (the fast
 * path: no copy beyond packing). When the socket's write queue is full, messages wait here in a
 * <em>backlog</em> kept in the order they are to be written, and:
 * <ul>
 *   <li>a conflatable message (a tick, a score clock update) replaces the waiting one of its topic,
 *       which moves to the back with {@code "conflated": N} counting the updates it stands for,
 *       so a slow reader gets the latest value of each topic and never an older after a newer;</li>
 *   <li>anything else (score events, control messages) waits in order and is never dropped.</li>
 * </ul>
 * The backlog is written as the socket drains. A backlog over {@code maxBacklogBytes} for longer
 * than the grace period, over four times that at any moment, or a socket that stays full (its
 * reader takes nothing) for the stall timeout, ends in the named outcome
 * {@link Outcome#SLOW_CONSUMER}: the caller closes the connection with {@code 4001}.
 *
 * <p>Threading: owned by the connection's event loop; not thread-safe.
 */
public final class Outbox {

    /** What a call that may grow the backlog concluded. */
    public enum Outcome { OK, SLOW_CONSUMER }

    private static final int HARD_LIMIT_FACTOR = 4;

    /** A message waiting in the backlog: a node of a doubly-linked list in write order. */
    private static final class Entry {
        final String topic;
        final FeedMessage.Kind kind;
        byte[] json;
        long ts;
        int conflated;
        Entry prev;
        Entry next;

        Entry(String topic, FeedMessage.Kind kind, byte[] json, long ts, int conflated) {
            this.topic = topic;
            this.kind = kind;
            this.json = json;
            this.ts = ts;
            this.conflated = conflated;
        }

        byte[] wireJson() {
            return EncodedMessage.withConflated(json, conflated);
        }
    }

    private final Transport transport;
    private final Meters meters;
    private final DeliveryMeters delivery;
    private final FramePacker packer;
    /** {@link FramePacker#packLive}, made once: the fast path allocates no function per batch. */
    private final Function<List<EncodedMessage>, List<byte[]>> packLive;
    /** The parts of the frame being drained from the backlog, reused. */
    private final List<byte[]> drained = new ArrayList<>();
    private final long maxBacklogBytes;
    private final long graceNanos;
    private final long stallNanos;
    private final SharedFrames shared;
    private long fullSince = -1;
    private final List<EncodedMessage> batch = new ArrayList<>();
    /** Live messages held back, exactly, while a replay is written ahead of them. */
    private List<EncodedMessage> held;
    private Map<String, Entry> conflatable;
    private Entry head;
    private Entry tail;
    private long backlogBytes;
    private long overLimitSince = -1;
    private long lastWriteNanos = System.nanoTime();

    public Outbox(Transport transport, Meters meters, DeliveryMeters delivery, int maxFrameBytes,
                  long maxBacklogBytes, long graceMillis, long stallMillis, SharedFrames shared) {
        this.delivery = delivery;
        this.shared = shared;
        this.stallNanos = stallMillis * 1_000_000L;
        this.transport = transport;
        this.meters = meters;
        this.packer = new FramePacker(maxFrameBytes);
        this.packLive = packer::packLive;
        this.maxBacklogBytes = maxBacklogBytes;
        this.graceNanos = graceMillis * 1_000_000L;
    }

    /**
     * Takes a live message of the current delivery batch.
     *
     * @return true when it is the first of the batch ({@link #endOfBatch()} is then owed)
     */
    public boolean add(EncodedMessage m) {
        batch.add(m);
        return batch.size() == 1;
    }

    /** Writes the batch's messages as one frame, or puts them in the backlog if the socket is full. */
    public Outcome endOfBatch() {
        if (batch.isEmpty()) {
            return Outcome.OK;
        }
        if (held != null) {
            for (EncodedMessage m : batch) {
                held.add(m);
                backlogBytes += m.json().length;
            }
            batch.clear();
            return checkHardLimit();
        }
        if (head == null && !transport.writeQueueFull()) {
            boolean plain = true;
            for (int i = 0; i < batch.size(); i++) {
                EncodedMessage m = batch.get(i);
                plain &= m.conflated() == 0;
                delivery.sent(m.kind(), 1);
                delivery.writtenLive(m);
            }
            List<byte[]> frames = plain && shared != null ? shared.get(batch, packLive) : packer.packLive(batch);
            batch.clear();
            for (byte[] frame : frames) {
                write(frame);
            }
            return Outcome.OK;
        }
        for (EncodedMessage m : batch) {
            enqueue(m.topic(), m.kind(), m.json(), m.ts(), m.conflatable(), m.conflated());
        }
        batch.clear();
        return checkHardLimit();
    }

    /**
     * Sends a control message or snapshot (never conflated): at once if nothing waits, else after
     * what waits.
     *
     * @param kind the feed kind for a snapshot (counted as sent), {@code null} for a control message
     */
    public Outcome send(byte[] json, FeedMessage.Kind kind) {
        if (head == null && !transport.writeQueueFull()) {
            if (kind != null) {
                delivery.sent(kind, 1);
            }
            write(json);
            return Outcome.OK;
        }
        enqueue(null, kind, json, -1, false, 0);
        return checkHardLimit();
    }

    /** Sends several snapshots, packed into as few frames as fit. */
    public Outcome sendSnapshots(List<EncodedMessage> snapshots) {
        return sendInOrder(snapshots, true);
    }

    /** Sends replayed messages, exactly and in order, ahead of any live message held back. */
    public Outcome sendReplayed(List<EncodedMessage> messages) {
        return sendInOrder(messages, false);
    }

    private Outcome sendInOrder(List<EncodedMessage> messages, boolean asSnapshots) {
        if (head == null && !transport.writeQueueFull()) {
            List<byte[]> parts = new ArrayList<>(messages.size());
            for (EncodedMessage m : messages) {
                parts.add(asSnapshots ? m.snapshotJson() : m.wireJson());
                delivery.sent(m.kind(), 1);
            }
            for (byte[] frame : packer.pack(parts)) {
                write(frame);
            }
            return Outcome.OK;
        }
        for (EncodedMessage m : messages) {
            enqueue(m.topic(), m.kind(), asSnapshots ? m.snapshotJson() : m.wireJson(), -1, false, 0);
        }
        return checkHardLimit();
    }

    /**
     * From now on live messages are held back, exactly and in order, until {@link #release()}:
     * what is sent meanwhile (replayed messages, control messages) goes ahead of them.
     */
    public void hold() {
        if (held == null) {
            held = new ArrayList<>();
        }
    }

    /** Ends {@link #hold()}: the held messages follow what was sent meanwhile. */
    public Outcome release() {
        if (held == null) {
            return Outcome.OK;
        }
        List<EncodedMessage> waiting = held;
        held = null;
        for (EncodedMessage m : waiting) {
            backlogBytes -= m.json().length;
        }
        batch.addAll(0, waiting);
        return endOfBatch();
    }

    /** Drops waiting messages of topics {@code keep} no longer wants (after an unsubscribe). */
    public void retainTopics(Predicate<String> keep) {
        batch.removeIf(m -> !keep.test(m.topic()));
        if (held != null) {
            held.removeIf(m -> {
                boolean drop = !keep.test(m.topic());
                if (drop) {
                    backlogBytes -= m.json().length;
                }
                return drop;
            });
        }
        Entry e = head;
        while (e != null) {
            Entry next = e.next;
            if (e.topic != null && !keep.test(e.topic)) {
                unlink(e);
                if (conflatable != null) {
                    conflatable.remove(e.topic, e);
                }
            }
            e = next;
        }
    }

    /** The socket drained: writes from the backlog until it is empty or the socket is full again. */
    public void onDrain() {
        long nowMicros = MicroClock.nowMicros();
        while (head != null && !transport.writeQueueFull()) {
            drained.clear();
            int bytes = 0;
            while (head != null && packer.fits(drained.size(), bytes, head.wireJson().length)) {
                Entry e = head;
                unlink(e);
                if (conflatable != null && e.topic != null) {
                    conflatable.remove(e.topic, e);
                }
                byte[] json = e.wireJson();
                drained.add(json);
                bytes += json.length;
                if (e.kind != null) {
                    delivery.sent(e.kind, 1);
                    if (e.ts >= 0) {
                        delivery.writtenLate(nowMicros - e.ts);
                    }
                }
            }
            write(FramePacker.frame(drained, 0, drained.size()));
        }
        drained.clear();
        if (backlogBytes <= maxBacklogBytes) {
            overLimitSince = -1;
        }
    }

    /**
     * Periodic check: a backlog over the limit for longer than the grace period is a slow consumer.
     * Also samples the backlog size for the distribution metric.
     */
    public Outcome check(long nowNanos) {
        meters.backlogBytes().record(backlogBytes);
        if (transport.writeQueueFull()) {
            if (fullSince < 0) {
                fullSince = nowNanos;
            } else if (nowNanos - fullSince > stallNanos) {
                return Outcome.SLOW_CONSUMER;
            }
        } else {
            fullSince = -1;
        }
        if (backlogBytes <= maxBacklogBytes) {
            overLimitSince = -1;
            return Outcome.OK;
        }
        if (overLimitSince < 0) {
            overLimitSince = nowNanos;
        }
        return nowNanos - overLimitSince > graceNanos ? Outcome.SLOW_CONSUMER : Outcome.OK;
    }

    /** When anything was last written, for heartbeats. */
    public long lastWriteNanos() {
        return lastWriteNanos;
    }

    /** Bytes waiting in the backlog. */
    public long backlogBytes() {
        return backlogBytes;
    }

    /** Forgets everything (the connection is gone). */
    public void clear() {
        batch.clear();
        held = null;
        head = null;
        tail = null;
        conflatable = null;
        backlogBytes = 0;
    }

    private void enqueue(String topic, FeedMessage.Kind kind, byte[] json, long ts, boolean mayConflate,
                         int conflated) {
        if (mayConflate) {
            if (conflatable == null) {
                conflatable = new HashMap<>();
            }
            Entry e = conflatable.get(topic);
            if (e != null) {
                unlink(e);
                e.json = json;
                e.ts = ts;
                e.conflated += 1 + conflated;
                meters.messagesConflated(kind).increment();
                link(e);
                return;
            }
            e = new Entry(topic, kind, json, ts, conflated);
            conflatable.put(topic, e);
            link(e);
            return;
        }
        link(new Entry(topic, kind, json, ts, conflated));
    }

    private Outcome checkHardLimit() {
        if (overLimitSince < 0 && backlogBytes > maxBacklogBytes) {
            overLimitSince = System.nanoTime();
        }
        return backlogBytes > HARD_LIMIT_FACTOR * maxBacklogBytes ? Outcome.SLOW_CONSUMER : Outcome.OK;
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
        backlogBytes += e.json.length;
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
        backlogBytes -= e.json.length;
    }

    private void write(byte[] frame) {
        transport.writeText(frame);
        lastWriteNanos = System.nanoTime();
        delivery.frame(frame.length);
    }
}
