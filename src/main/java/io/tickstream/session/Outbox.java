package io.tickstream.session;

import static io.tickstream.config.ServerConfig.MAX_BACKLOG_BYTES;
import static io.tickstream.config.ServerConfig.MAX_FRAME_BYTES;
import static io.tickstream.config.ServerConfig.SLOW_CONSUMER_GRACE_MS;
import static io.tickstream.config.ServerConfig.STALL_TIMEOUT_MS;

import io.tickstream.config.ServerConfig;
import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedMessage;
import io.tickstream.feed.MicroClock;
import io.tickstream.metrics.DeliveryMeters;
import io.tickstream.metrics.Meters;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * One connection's outbound path: it takes delivery batches, holds live messages back during a
 * replay, and writes to the socket, or to the {@link Backlog} while the socket is full.
 *
 * <p>While the socket keeps up and nothing waits, each delivery batch is written at once (the fast
 * path: packed by {@link FramePacker}, or taken from the event loop's {@link SharedFrames}). When
 * the socket's write queue is full, messages wait in the backlog (conflatable ones conflated, the
 * rest never dropped), which is written as the socket drains. A call that may grow what waits
 * returns an {@link Outcome}; {@link SlowConsumerPolicy} decides when it is
 * {@link Outcome#SLOW_CONSUMER}, and the caller then closes the connection with {@code 4001}.
 *
 * <p>Threading: owned by the connection's event loop; not thread-safe.
 */
public final class Outbox {

    /** What a call that may grow the backlog concluded. */
    public enum Outcome { OK, SLOW_CONSUMER }

    private final Transport transport;
    private final Meters meters;
    private final DeliveryMeters delivery;
    private final FramePacker packer;
    private final SlowConsumerPolicy policy;
    private final SharedFrames shared;
    private final LongSupplier nanoClock;
    /** {@link FramePacker#packLive}, made once: the fast path allocates no function per batch. */
    private final Function<List<EncodedMessage>, List<byte[]>> packLive;
    private final List<EncodedMessage> batch = new ArrayList<>();
    private final Backlog backlog;
    /** The parts of the frame being drained from the backlog, reused. */
    private final List<byte[]> drained = new ArrayList<>();
    /** Live messages held back, exactly, while a replay is written ahead of them; null when not held. */
    private List<EncodedMessage> held;
    private long heldBytes;
    private long lastWriteNanos;
    private final ToLongFunction<String> budgets;
    private final Predicate<String> traced;
    /** Whether a message ever waited under a staleness budget; then its misses are recorded at the end. */
    private boolean budgeted;
    /** Ticks conflated and score events written late for a staleness budget. */
    private long stalenessMisses;

    /**
     * The outbox of a new connection of {@code loop}, with the server's limits, in front of {@code transport}.
     *
     * @param budgets the staleness budget of a topic in microseconds, 0 for none ({@code maxStalenessMs})
     * @param traced  whether a topic's messages carry their latency provenance ({@code trace})
     */
    static Outbox of(Transport transport, LoopContext loop, ToLongFunction<String> budgets, Predicate<String> traced) {
        ServerConfig config = loop.config();
        return new Outbox(transport, loop.meters(), loop.delivery(), new FramePacker(config.get(MAX_FRAME_BYTES)),
                new SlowConsumerPolicy(config.get(MAX_BACKLOG_BYTES), config.get(SLOW_CONSUMER_GRACE_MS),
                        config.get(STALL_TIMEOUT_MS)), loop.frames(), System::nanoTime, budgets, traced);
    }

    /** An outbox without staleness budgets or traced topics. */
    Outbox(Transport transport, Meters meters, DeliveryMeters delivery, FramePacker packer,
           SlowConsumerPolicy policy, SharedFrames shared, LongSupplier nanoClock) {
        this(transport, meters, delivery, packer, policy, shared, nanoClock, topic -> 0, topic -> false);
    }

    /**
     * @param nanoClock the time in {@link System#nanoTime()} units (a manual clock in tests)
     * @param budgets   the staleness budget of a topic in microseconds, 0 for none
     * @param traced    whether a topic's messages carry their latency provenance
     */
    Outbox(Transport transport, Meters meters, DeliveryMeters delivery, FramePacker packer,
           SlowConsumerPolicy policy, SharedFrames shared, LongSupplier nanoClock, ToLongFunction<String> budgets,
           Predicate<String> traced) {
        this.budgets = budgets;
        this.traced = traced;
        this.transport = transport;
        this.meters = meters;
        this.delivery = delivery;
        this.packer = packer;
        this.policy = policy;
        this.shared = shared;
        this.nanoClock = nanoClock;
        this.packLive = packer::packLive;
        this.backlog = new Backlog(meters);
        this.lastWriteNanos = nanoClock.getAsLong();
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
                heldBytes += m.json().length;
            }
            batch.clear();
            return grown();
        }
        if (canWriteNow()) {
            boolean plain = true;
            boolean anyTraced = false;
            for (int i = 0; i < batch.size(); i++) {
                EncodedMessage m = batch.get(i);
                plain &= m.conflated() == 0;
                anyTraced |= traced.test(m.topic());
                delivery.sent(m.kind(), 1);
                delivery.writtenLive(m);
            }
            // a traced subscription's messages are this connection's own: not the loop's shared frames
            List<byte[]> frames = anyTraced ? packer.pack(traced(batch, false))
                    : plain && shared != null ? shared.get(batch, packLive) : packer.packLive(batch);
            batch.clear();
            for (byte[] frame : frames) {
                write(frame);
            }
            return Outcome.OK;
        }
        for (EncodedMessage m : batch) {
            long budget = budgets.applyAsLong(m.topic());
            budgeted |= budget > 0;
            backlog.offer(m, budget);
        }
        batch.clear();
        if (budgeted) {
            freshen(MicroClock.nowMicros());
        }
        return grown();
    }

    /**
     * Sends a control message or snapshot (never conflated): at once if nothing waits, else after
     * what waits.
     *
     * @param kind the feed kind for a snapshot (counted as sent), {@code null} for a control message
     */
    public Outcome send(byte[] json, FeedMessage.Kind kind) {
        if (canWriteNow()) {
            if (kind != null) {
                delivery.sent(kind, 1);
            }
            write(json);
            return Outcome.OK;
        }
        backlog.append(null, kind, json, -1);
        return grown();
    }

    /** Sends several snapshots, packed into as few frames as fit. */
    public Outcome sendSnapshots(List<EncodedMessage> snapshots) {
        return sendInOrder(snapshots, true);
    }

    /** Sends replayed messages, exactly and in order, ahead of any live message held back. */
    public Outcome sendReplayed(List<EncodedMessage> messages) {
        return sendInOrder(messages, false);
    }

    /**
     * Sends the messages of a time-window replay, each with {@code suffix} ({@code ,"replay":"id"}} in
     * place of its closing brace. The caller writes them only when {@link #writable()}: then they
     * go out at once, and never wait in the backlog.
     */
    public Outcome sendReplay(List<EncodedMessage> messages, byte[] suffix) {
        List<byte[]> parts = new ArrayList<>(messages.size());
        for (EncodedMessage m : messages) {
            parts.add(EncodedMessage.withSuffix(m.json(), suffix));
        }
        if (canWriteNow()) {
            for (EncodedMessage m : messages) {
                delivery.sent(m.kind(), 1);
            }
            for (byte[] frame : packer.pack(parts)) {
                write(frame);
            }
            return Outcome.OK;
        }
        for (int i = 0; i < parts.size(); i++) {
            // a replay's: no unsubscribe drops it, no subscription's trace applies
            backlog.append(null, messages.get(i).kind(), parts.get(i), -1);
        }
        return grown();
    }

    /** Nothing waits and the socket takes more: what is sent now is written at once. */
    public boolean writable() {
        return canWriteNow();
    }

    private Outcome sendInOrder(List<EncodedMessage> messages, boolean asSnapshots) {
        if (canWriteNow()) {
            for (EncodedMessage m : messages) {
                delivery.sent(m.kind(), 1);
            }
            for (byte[] frame : packer.pack(traced(messages, asSnapshots))) {
                write(frame);
            }
            return Outcome.OK;
        }
        for (EncodedMessage m : messages) {
            backlog.append(m.topic(), m.kind(), asSnapshots ? m.snapshotJson() : m.wireJson(), m.readMicros());
        }
        return grown();
    }

    /**
     * The bytes of {@code messages} (as snapshots, or as they are), those of traced topics with their
     * latency provenance, handed to the socket now.
     */
    private List<byte[]> traced(List<EncodedMessage> messages, boolean asSnapshots) {
        long now = MicroClock.nowMicros();
        List<byte[]> parts = new ArrayList<>(messages.size());
        for (EncodedMessage m : messages) {
            byte[] json = asSnapshots ? m.snapshotJson() : m.wireJson();
            parts.add(traced.test(m.topic()) ? EncodedMessage.withTrace(json, m.readMicros(), now) : json);
        }
        return parts;
    }

    /**
     * From now on live messages are held back, exactly and in order, until {@link #release()}:
     * what is sent meanwhile (replayed messages, control messages) goes ahead of them. Held messages
     * count in {@link #backlogBytes()}.
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
        heldBytes = 0;
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
                    heldBytes -= m.json().length;
                }
                return drop;
            });
        }
        backlog.retainTopics(keep);
    }

    /** The socket drained: writes from the backlog until it is empty or the socket is full again. */
    public void onDrain() {
        long nowMicros = MicroClock.nowMicros();
        while (!backlog.isEmpty() && !transport.writeQueueFull()) {
            if (budgeted) {
                freshen(nowMicros);
            }
            int bytes = 0;
            while (!backlog.isEmpty()) {
                byte[] json = wire(backlog.peek(), nowMicros);
                if (!packer.fits(drained.size(), bytes, json.length)) {
                    break;
                }
                Backlog.Entry e = backlog.poll();
                if (late(e, nowMicros)) {
                    stalenessMisses++;
                    meters.stalenessMisses("late").increment();
                }
                drained.add(json);
                bytes += json.length;
                if (e.kind() != null) {
                    delivery.sent(e.kind(), 1);
                    if (e.ts() >= 0) {
                        long read = e.readMicros();
                        delivery.writtenLate(nowMicros - e.ts(), read >= 0 ? nowMicros - read : -1);
                    }
                }
                e.written();
            }
            write(FramePacker.frame(drained, 0, drained.size()));
            drained.clear();
        }
        policy.onWritten(backlogBytes());
    }

    /**
     * The bytes to write for {@code e} at {@code nowMicros}: a message never conflated that waited
     * beyond its topic's staleness budget carries {@code "late"}, its age in milliseconds; one of a
     * traced topic its latency provenance ({@code "trace"}).
     */
    private byte[] wire(Backlog.Entry e, long nowMicros) {
        byte[] json = e.wireJson();
        if (late(e, nowMicros)) {
            json = EncodedMessage.withField(json, "late", (nowMicros - e.ts()) / 1_000);
        }
        if (e.topic() != null && traced.test(e.topic())) {
            json = EncodedMessage.withTrace(json, e.readMicros(), nowMicros);
        }
        return json;
    }

    /** Whether {@code e}, never conflated, has waited beyond its topic's staleness budget at {@code nowMicros}. */
    private static boolean late(Backlog.Entry e, long nowMicros) {
        return e.budgetMicros() > 0 && e.conflated() == 0 && !e.conflatable() && nowMicros - e.ts() > e.budgetMicros();
    }

    /** Conflates what waits under staleness budgets when one of them is too old (see {@link Backlog#freshen}). */
    private void freshen(long nowMicros) {
        int conflated = backlog.freshen(nowMicros);
        if (conflated > 0) {
            stalenessMisses += conflated;
            meters.stalenessMisses("conflated").increment(conflated);
            policy.onWritten(backlogBytes());
        }
    }

    /**
     * Periodic check: a backlog over the limit for longer than the grace period, or a socket full for
     * longer than the stall timeout, is a slow consumer. Also samples the backlog size for the
     * distribution metric.
     *
     * @param nowNanos the time in {@link System#nanoTime()} units
     */
    public Outcome check(long nowNanos) {
        long bytes = backlogBytes();
        meters.backlogBytes().record(bytes);
        return policy.check(bytes, transport.writeQueueFull(), nowNanos);
    }

    /**
     * Periodic work: writes what waits when the socket can take some (its drain may not have been
     * seen), then {@link #check}.
     *
     * @param nowNanos the time in {@link System#nanoTime()} units
     */
    public Outcome tick(long nowNanos) {
        if (budgeted) {
            freshen(MicroClock.nowMicros());
        }
        if (backlogBytes() > 0 && !transport.writeQueueFull()) {
            onDrain();
        }
        return check(nowNanos);
    }

    /** Nothing waits, here or in the socket's write queue: a heartbeat would go out at once. */
    public boolean idle() {
        return backlogBytes() == 0 && !transport.writeQueueFull();
    }

    /** When anything was last written ({@link System#nanoTime()} units), for heartbeats. */
    public long lastWriteNanos() {
        return lastWriteNanos;
    }

    /** Bytes waiting: the backlog's and those of live messages held back during a replay. */
    public long backlogBytes() {
        return backlog.bytes() + heldBytes;
    }

    /** Forgets everything (the connection is gone). */
    public void clear() {
        if (budgeted) {
            meters.connectionStalenessMisses(stalenessMisses);
            budgeted = false;
        }
        batch.clear();
        held = null;
        heldBytes = 0;
        backlog.clear();
    }

    /** Nothing waits and the socket takes more: write at once, ahead of nothing. */
    private boolean canWriteNow() {
        return backlog.isEmpty() && !transport.writeQueueFull();
    }

    private Outcome grown() {
        return policy.onGrown(backlogBytes(), nanoClock.getAsLong());
    }

    private void write(byte[] frame) {
        transport.writeText(frame);
        lastWriteNanos = nanoClock.getAsLong();
        delivery.frame(frame.length);
    }
}
