package io.tickstream.session;

import static io.tickstream.config.ServerConfig.MAX_REPLAYS;

import io.tickstream.fanout.Replay;
import io.tickstream.fanout.Shard;
import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.MicroClock;
import io.tickstream.feed.TopicPattern;
import io.tickstream.metrics.Meters;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One connection's replays of time windows (the {@code replay} op): {@code replaying}, the window's
 * messages with {@code "replay": id}, {@code replayed}. They run beside the live subscriptions
 * without touching them: a replay's messages are written only when nothing waits for the socket
 * (so never into the backlog, never conflated, never counted towards the slow-consumer limit,
 * never ahead of a live message that waits), paced as they were written divided by {@code speed},
 * and by the socket: a slow reader slows its own replay, never the feed. The queue is read a chunk
 * at a time, the next one only when the last is written.
 *
 * <p>Threading: owned by the connection's event loop; the shard calls each replay's listener
 * there too. Not thread-safe.
 */
final class WindowReplays {

    /** Answers a client message with an {@code error}, counted. */
    @FunctionalInterface
    interface Errors {
        void error(String code, String message, String id);
    }

    /** Most replay messages packed into one write. */
    private static final int MAX_PER_WRITE = 256;

    private final Shard shard;
    private final Outbox outbox;
    private final ServerMessages messages;
    private final Meters meters;
    private final Scheduler scheduler;
    private final LongSupplier nanoClock;
    private final int max;
    private final Errors errors;
    private final Consumer<Outbox.Outcome> outcome;
    /** The replays in progress by id, made on the first (most connections never replay). */
    private Map<String, Running> running;

    WindowReplays(Shard shard, Outbox outbox, ServerMessages messages, Meters meters, Scheduler scheduler,
                  LongSupplier nanoClock, int max, Errors errors, Consumer<Outbox.Outcome> outcome) {
        this.shard = shard;
        this.outbox = outbox;
        this.messages = messages;
        this.meters = meters;
        this.scheduler = scheduler;
        this.nanoClock = nanoClock;
        this.max = max;
        this.errors = errors;
        this.outcome = outcome;
    }

    /** The replays of a new connection of {@code loop}, writing to {@code outbox}. */
    static WindowReplays of(LoopContext loop, Outbox outbox, Errors errors, Consumer<Outbox.Outcome> outcome) {
        return new WindowReplays(loop.shard(), outbox, loop.messages(), loop.meters(), loop.scheduler(),
                System::nanoTime, loop.config().get(MAX_REPLAYS), errors, outcome);
    }

    /** Starts a replay, or answers why it cannot run. */
    void start(ClientCommand.Replay cmd) {
        if (running != null && running.containsKey(cmd.id())) {
            errors.error(ErrorCode.BAD_REQUEST, "replay '" + cmd.id() + "' is running already", cmd.id());
            return;
        }
        if (running != null && running.size() >= max) {
            errors.error(ErrorCode.TOO_MANY_REPLAYS, "at most " + max + " replay" + (max == 1 ? "" : "s")
                    + " at a time per connection", cmd.id());
            return;
        }
        long now = MicroClock.nowMicros();
        long to = cmd.toTime() == null ? now : cmd.toTime();
        if (to > now) {
            errors.error(ErrorCode.REPLAY_UNAVAILABLE, "the window ends in the future ('toTime' is after now)",
                    cmd.id());
            return;
        }
        if (running == null) {
            running = new LinkedHashMap<>();
        }
        Running r = new Running(cmd.id(), cmd.speed());
        running.put(cmd.id(), r);
        List<TopicPattern> topics = List.copyOf(cmd.topics());
        r.handle = shard.replayWindow(cmd.fromTime(), to, topic -> TopicPattern.anyMatches(topics, topic), r);
    }

    /** Stops replay {@code id} and answers {@code replayed} with what it sent, or an error if none runs. */
    void cancel(String id) {
        Running r = running == null ? null : running.get(id);
        if (r == null) {
            errors.error(ErrorCode.BAD_REQUEST, "no replay '" + id + "' is running", id);
            return;
        }
        r.handle.cancel();
        r.finish(true);
    }

    /** The socket may take more (it drained, or the periodic tick): each replay writes what is due. */
    void writeOn() {
        if (running != null && !running.isEmpty()) {
            for (Running r : new ArrayList<>(running.values())) {
                r.pump();
            }
        }
    }

    /** The connection is gone: stops every replay. Idempotent. */
    void close() {
        if (running != null) {
            for (Running r : running.values()) {
                r.ended = true;
                r.handle.cancel();
            }
            running.clear();
        }
    }

    /** One replay in progress. */
    private final class Running implements Replay.WindowListener {
        private final String id;
        private final double speed;
        private final byte[] suffix;
        private final ArrayDeque<EncodedMessage> pending = new ArrayDeque<>();
        private final List<EncodedMessage> due = new ArrayList<>();
        private Replay handle;
        /** A chunk was asked for and has not come. The first is read at once. */
        private boolean asked = true;
        private boolean last;
        private boolean timer;
        private boolean ended;
        private long sent;
        /** The first message's {@code ts} and when it was written ({@link System#nanoTime()}): the pace's origin. */
        private long firstTs = -1;
        private long startNanos;

        Running(String id, double speed) {
            this.id = id;
            this.speed = speed;
            this.suffix = messages.replaySuffix(id);
        }

        @Override
        public void located(long fromSeq, long toSeq, long count) {
            if (!ended) {
                outcome.accept(outbox.send(messages.replaying(id, fromSeq, toSeq, count), null));
            }
        }

        @Override
        public void windowUnavailable(String why, long firstSeq, long firstTs) {
            fail(why, firstSeq, firstTs);
        }

        @Override
        public void replayUnavailable(long firstSeq) {
            // the window's records went (their cycle file was removed), or the queue could not be read
            fail("the window is no longer in the queue, or it could not be read", -1, -1);
        }

        @Override
        public void replayed(List<EncodedMessage> chunk, boolean last) {
            if (ended) {
                return;
            }
            pending.addAll(chunk);
            this.last = last;
            asked = false;
            pump();
        }

        /** Writes what is due while the socket takes it; asks for the next chunk when all is written. */
        void pump() {
            if (ended) {
                return;
            }
            boolean early = false;
            while (!early && !pending.isEmpty() && outbox.writable()) {
                long now = nanoClock.getAsLong();
                while (due.size() < MAX_PER_WRITE && !pending.isEmpty()) {
                    EncodedMessage m = pending.peek();
                    if (speed > 0) {
                        if (firstTs < 0) {
                            firstTs = m.ts();
                            startNanos = now;
                        }
                        long at = startNanos + (long) ((m.ts() - firstTs) * 1_000 / speed);
                        if (at > now) {
                            early = true;
                            wake(at - now);
                            break;
                        }
                    }
                    due.add(pending.poll());
                }
                if (!due.isEmpty()) {
                    sent += due.size();
                    meters.replayedMessages().increment(due.size());
                    Outbox.Outcome o = outbox.sendReplay(due, suffix);
                    due.clear();
                    outcome.accept(o);
                    if (ended) {
                        return;   // that closed the connection
                    }
                }
            }
            if (pending.isEmpty()) {
                if (last) {
                    finish(false);
                } else if (!asked) {
                    asked = true;
                    handle.next();
                }
            }
        }

        private void wake(long inNanos) {
            if (!timer) {
                timer = true;
                scheduler.schedule(Math.max(1, (inNanos + 999_999) / 1_000_000), () -> {
                    timer = false;
                    pump();
                });
            }
        }

        /** Ends the replay with {@code replayed} and what it sent, complete or cancelled. */
        void finish(boolean cancelled) {
            meters.windowReplays(cancelled ? "cancelled" : "completed").increment();
            end();
            outcome.accept(outbox.send(messages.replayed(id, sent, cancelled), null));
        }

        private void fail(String why, long firstSeq, long firstTs) {
            if (!ended) {
                meters.windowReplays("unavailable").increment();
                meters.clientError(ErrorCode.REPLAY_UNAVAILABLE);
                end();
                outcome.accept(outbox.send(messages.replayUnavailable(id, why, firstSeq, firstTs), null));
            }
        }

        private void end() {
            ended = true;
            pending.clear();
            running.remove(id);
        }
    }
}
