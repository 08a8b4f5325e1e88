package io.tickstream.session;

import io.tickstream.feed.EncodedMessage;
import io.tickstream.metrics.Meters;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code maxRate}, in front of a connection's {@link Outbox}: of each topic a subscription limits, at
 * most one message per interval passes to the outbox; in between, the latest update is held, and
 * conflated as {@link Conflation} says: it replaces the one held before it and stands for it. Score
 * events are never held back or replaced: one passes at once, after the update held for its topic.
 * A topic's rate is the most permissive of the subscriptions that cover it (see
 * {@link Subscriptions#maxRate}), looked up on its first message after each subscription change.
 *
 * <p>A held message is written when its interval has passed ({@link #releaseDue}, run from a timer
 * this class sets, which hands what the outbox concluded to the owner) or when the subscriptions
 * change ({@link #releaseAll}); either ends the outbox's batch, so neither may be called while a
 * delivery batch is under way. Once {@link #close}d, a timer that comes due writes nothing.
 *
 * <p>Threading: owned by the connection's event loop; not thread-safe.
 */
final class TopicThrottles {

    /** What became of an offered message. */
    enum Offer {
        /** Passed to the outbox as the first message of its batch: {@link Outbox#endOfBatch()} is owed. */
        FIRST_OF_BATCH,
        /** Passed to the outbox, in a batch already begun. */
        PASSED,
        /** Held until its topic's interval has passed (a release timer is set). */
        HELD
    }

    /** One topic's state: at most one message per interval, the latest one held in between. */
    private static final class Throttle extends Conflation.Slot {

        /** No limit: messages pass straight through (nothing is ever held in it). */
        static final Throttle NONE = new Throttle(0);

        final long intervalNanos;
        long nextAllowedNanos;

        Throttle(long intervalNanos) {
            this.intervalNanos = intervalNanos;
        }

        boolean unlimited() {
            return intervalNanos == 0;
        }
    }

    private final Outbox outbox;
    private final Subscriptions subscriptions;
    private final Scheduler scheduler;
    private final Consumer<Outbox.Outcome> onReleased;
    /** Per-topic state, each a topic's slot; built lazily, empty unless some subscription has a maxRate. */
    private final Conflation<Throttle> throttles;
    /** When the release timer set last is due ({@link System#nanoTime()} scale), or none. */
    private long timerDueNanos = Long.MAX_VALUE;
    private boolean closed;

    /**
     * @param subscriptions where each topic's {@code maxRate} is looked up
     * @param meters        where each replaced update is counted
     * @param scheduler     sets the release timers
     * @param onReleased    acts on what the outbox concluded after a release timer wrote what was due
     *                      (closes the connection on {@code SLOW_CONSUMER})
     */
    TopicThrottles(Outbox outbox, Subscriptions subscriptions, Meters meters, Scheduler scheduler,
                   Consumer<Outbox.Outcome> onReleased) {
        this.outbox = outbox;
        this.subscriptions = subscriptions;
        this.scheduler = scheduler;
        this.onReleased = onReleased;
        this.throttles = new Conflation<>(meters);
    }

    /**
     * A live message of the batch under way: straight to the outbox while no subscription has a
     * {@code maxRate} (then no clock is read), else {@link #offer}ed.
     *
     * @return whether it began the outbox's batch: {@link Outbox#endOfBatch()} is owed
     */
    boolean deliver(EncodedMessage message) {
        if (!subscriptions.anyMaxRate()) {
            return outbox.add(message);
        }
        return offer(message, System.nanoTime()) == Offer.FIRST_OF_BATCH;
    }

    /**
     * Passes a live message to the outbox, or holds it until its topic's interval has passed.
     *
     * @param nowNanos the time now, on the {@link System#nanoTime()} scale
     */
    Offer offer(EncodedMessage message, long nowNanos) {
        Throttle t = throttles.slot(message.topic(), this::newThrottle);
        if (t.unlimited()) {
            return passed(outbox.add(message));
        }
        if (!Conflation.conflatable(message)) {
            EncodedMessage held = t.take();
            boolean first = held != null && outbox.add(held);
            t.nextAllowedNanos = nowNanos + t.intervalNanos;
            return passed(outbox.add(message) || first);
        }
        if (t.latest() == null && nowNanos >= t.nextAllowedNanos) {
            t.nextAllowedNanos = nowNanos + t.intervalNanos;
            return passed(outbox.add(message));
        }
        throttles.hold(t, message);
        scheduleRelease(t.nextAllowedNanos, nowNanos);
        return Offer.HELD;
    }

    /**
     * Writes each held message whose interval has passed, in {@code seq} order (passed to the outbox
     * and its batch ended), and sets the timer for the next one due. Call outside a delivery batch.
     *
     * @param nowNanos the time now, on the {@link System#nanoTime()} scale
     * @return what the outbox concluded
     */
    Outbox.Outcome releaseDue(long nowNanos) {
        timerDueNanos = Long.MAX_VALUE;
        List<EncodedMessage> due = new ArrayList<>();
        long next = Long.MAX_VALUE;
        for (Throttle t : throttles.slots()) {
            if (t.latest() == null) {
                continue;
            }
            if (nowNanos >= t.nextAllowedNanos) {
                due.add(t.take());
                t.nextAllowedNanos = nowNanos + t.intervalNanos;
            } else {
                next = Math.min(next, t.nextAllowedNanos);
            }
        }
        if (next != Long.MAX_VALUE) {
            scheduleRelease(next, nowNanos);
        }
        return write(due);
    }

    /**
     * The subscriptions change: writes every held message, in {@code seq} order (passed to the outbox
     * and its batch ended), and forgets each topic's rate (looked up again on its next message).
     * Call outside a delivery batch.
     *
     * @return what the outbox concluded
     */
    Outbox.Outcome releaseAll() {
        if (throttles.isEmpty()) {
            return Outbox.Outcome.OK;
        }
        List<EncodedMessage> held = new ArrayList<>();
        for (Throttle t : throttles.slots()) {
            if (t.latest() != null) {
                held.add(t.latest());
            }
        }
        throttles.clear();
        return write(held);
    }

    /** The connection is closed: a release timer that comes due from now on writes nothing. */
    void close() {
        closed = true;
    }

    /** A release timer is due: writes what is due now, unless the connection is closed. */
    private void onTimer() {
        if (!closed) {
            onReleased.accept(releaseDue(System.nanoTime()));
        }
    }

    private Outbox.Outcome write(List<EncodedMessage> messages) {
        if (messages.isEmpty()) {
            return Outbox.Outcome.OK;
        }
        messages.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        messages.forEach(outbox::add);
        return outbox.endOfBatch();
    }

    private static Offer passed(boolean firstOfBatch) {
        return firstOfBatch ? Offer.FIRST_OF_BATCH : Offer.PASSED;
    }

    private void scheduleRelease(long dueNanos, long nowNanos) {
        if (dueNanos < timerDueNanos) {
            timerDueNanos = dueNanos;
            scheduler.schedule(Math.max(1, (dueNanos - nowNanos + 999_999) / 1_000_000), this::onTimer);
        }
    }

    private Throttle newThrottle(String topic) {
        double rate = subscriptions.maxRate(topic);
        return rate == 0 ? Throttle.NONE : new Throttle((long) (1e9 / rate));
    }
}
