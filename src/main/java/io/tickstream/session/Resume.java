package io.tickstream.session;

import static io.tickstream.config.ServerConfig.RESUME_AHEAD_WAIT_MS;

import io.tickstream.fanout.Replay;
import io.tickstream.fanout.Shard;
import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.TopicPattern;
import io.tickstream.metrics.Meters;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One connection's resumes ({@code subscribe} with {@code from}): the hand-over from the queue to the
 * live stream, with no gap and no duplicate. Live messages are held back in the outbox while the
 * queue is read again for the newly covered topics from {@code from} up to the shard's position,
 * which is exactly where the live stream of the new subscription starts; then they follow. With
 * {@code snapshot}, each newly covered topic's latest message at or before {@code from} goes first.
 * A resume from a seq the feed has not reached here waits (up to the resume-ahead wait) for it.
 * Meanwhile the client's messages wait here ({@link #holds}), handed back in order when it ends.
 *
 * <p>Threading: owned by the connection's event loop; the shard calls its {@link Replay.Listener}
 * methods there too. Not thread-safe.
 */
final class Resume implements Replay.Listener {

    /**
     * What a resume asks of the conversation it belongs to, on the same event loop.
     *
     * @param handle    handles a client message that waited for the resume
     * @param subscribe goes on with a {@code subscribe} whose {@code from} the feed has now reached
     * @param outcome   acts on what the outbox concluded (closes the connection on {@code SLOW_CONSUMER})
     */
    record Conversation(Consumer<String> handle, Consumer<ClientCommand.Subscribe> subscribe,
                        Consumer<Outbox.Outcome> outcome) {
    }

    private final Shard shard;
    private final Outbox outbox;
    private final Transport transport;
    private final ServerMessages messages;
    private final Meters meters;
    private final Scheduler scheduler;
    private final long aheadWaitMs;
    private final Conversation conversation;
    /** The replay in progress, or null. */
    private Replay replay;
    private String replayId;
    private List<EncodedMessage> replaySnapshots;
    private boolean replayAwaitsDrain;
    /** Up to which seq the replay has sent each topic's value: -1, the last replayed, or {@code from}. */
    private long replayedUpTo = -1;
    private long replayFrom;
    /** With {@code from} and {@code snapshot}: the snapshots at {@code from} the shard already had. */
    private List<EncodedMessage> snapshotsAtFrom;
    /** A resume from a seq beyond the shard's position, waiting for the feed to reach it, or null. */
    private ClientCommand.Subscribe ahead;
    private final Runnable aheadReached = this::onAheadReached;
    /**
     * Client messages that arrived during a replay or a wait, in order. Most connections never defer
     * one: sized for none (8 bytes of array, not the default 68), it grows on the first.
     */
    private final Deque<String> deferred = new ArrayDeque<>(0);

    /**
     * @param shard       the connection's shard: its position, and the replays of the queue
     * @param aheadWaitMs how long a resume from a seq beyond the shard's position waits for the feed
     *                    before {@code resume_ahead}
     */
    Resume(Shard shard, Outbox outbox, Transport transport, ServerMessages messages, Meters meters,
           Scheduler scheduler, long aheadWaitMs, Conversation conversation) {
        this.shard = shard;
        this.outbox = outbox;
        this.transport = transport;
        this.messages = messages;
        this.meters = meters;
        this.scheduler = scheduler;
        this.aheadWaitMs = aheadWaitMs;
        this.conversation = conversation;
    }

    /** The resumes of a new connection of {@code loop}, writing to {@code outbox} in front of {@code transport}. */
    static Resume of(LoopContext loop, Outbox outbox, Transport transport, Conversation conversation) {
        return new Resume(loop.shard(), outbox, transport, loop.messages(), loop.meters(), loop.scheduler(),
                loop.config().get(RESUME_AHEAD_WAIT_MS), conversation);
    }

    /**
     * Keeps a client message while a replay or a resume-ahead wait is in progress.
     *
     * @return false when none is: the caller handles the message now
     */
    boolean holds(String text) {
        if (replay == null && ahead == null) {
            return false;
        }
        deferred.add(text);
        return true;
    }

    /**
     * Takes a {@code subscribe} that fits when it resumes from a seq the feed has not reached here (a
     * mistyped seq, or a server a little behind the one the client comes from): nothing is
     * subscribed until the shard's position reaches it, for up to the resume-ahead wait (then
     * {@link Conversation#subscribe}), else {@code resume_ahead}.
     *
     * @return false when {@code cmd} does not wait: the caller subscribes now
     */
    boolean awaitsFeed(ClientCommand.Subscribe cmd) {
        if (cmd.from() == null || cmd.from() <= shard.position()) {
            return false;
        }
        ahead = cmd;
        scheduler.schedule(Math.max(1, aheadWaitMs), () -> {
            if (ahead == cmd) {
                aheadTimedOut();
            }
        });
        shard.awaitPosition(cmd.from(), aheadReached);
        return true;
    }

    /**
     * Starts the replay of a {@code subscribe} with {@code from} just answered: the topics
     * {@code added} cover and {@code before} did not, from {@code from} up to the shard's position.
     *
     * @param snapshots the shard's latest message of each newly covered topic
     */
    void start(ClientCommand.Subscribe cmd, List<TopicPattern> added, List<TopicPattern> before,
               List<EncodedMessage> snapshots) {
        Predicate<String> topics = topic -> TopicPattern.anyMatches(added, topic)
                && !TopicPattern.anyMatches(before, topic);
        replayId = cmd.id();
        replaySnapshots = snapshots;
        replayedUpTo = -1;
        replayFrom = cmd.from();
        Set<String> lookUp = null;
        if (cmd.snapshot()) {
            snapshotsAtFrom = new ArrayList<>();
            lookUp = new HashSet<>();
            for (EncodedMessage m : snapshots) {
                if (m.seq() <= cmd.from()) {
                    snapshotsAtFrom.add(m);
                } else if (shard.firstSeq(m.topic()) <= cmd.from()) {
                    lookUp.add(m.topic());   // changed since from: its value then is in the queue
                }   // else it first appeared after from: it had no value then
            }
        }
        outbox.hold();
        replay = shard.replay(cmd.from(), topics, lookUp, this);
    }

    /** The socket's write queue drained: a replay waiting for it reads on. */
    void onDrain() {
        if (replay != null && replayAwaitsDrain && !transport.writeQueueFull()) {
            replayAwaitsDrain = false;
            replay.next();
        }
    }

    /**
     * The connection is gone: stops the replay or the wait and forgets the client's waiting messages;
     * from then on nothing is in progress, so every late result or timer finds nothing to act on.
     * Idempotent.
     */
    void close() {
        deferred.clear();
        if (replay != null) {
            replay.cancel();
            replay = null;
        }
        if (ahead != null) {
            shard.cancelAwait(aheadReached);
            ahead = null;
        }
    }

    @Override
    public void snapshotsAt(List<EncodedMessage> found) {
        if (replay == null || snapshotsAtFrom == null) {
            return;
        }
        List<EncodedMessage> all = new ArrayList<>(snapshotsAtFrom);
        all.addAll(found);
        snapshotsAtFrom = null;
        replayedUpTo = Math.max(replayedUpTo, replayFrom);   // every topic's value at from is sent now
        all.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        if (!all.isEmpty()) {
            conversation.outcome().accept(outbox.sendSnapshots(all));
        }
    }

    @Override
    public void replayUnavailable(long firstSeq) {
        if (replay == null) {
            return;
        }
        meters.resumes("unavailable").increment();
        meters.clientError(ErrorCode.RESUME_UNAVAILABLE);
        send(messages.error(ErrorCode.RESUME_UNAVAILABLE, firstSeq >= 0
                ? "the queue starts at seq " + firstSeq + "; sending snapshots"
                : "cannot replay from the queue; sending snapshots", replayId));
        // after a replay that failed part way, only snapshots newer than what it sent: a topic's
        // replayed message must not be followed by the same or an older one
        List<EncodedMessage> snapshots = new ArrayList<>();
        for (EncodedMessage m : replaySnapshots) {
            if (m.seq() > replayedUpTo) {
                snapshots.add(m);
            }
        }
        if (!snapshots.isEmpty()) {
            conversation.outcome().accept(outbox.sendSnapshots(snapshots));
        }
        endReplay();
    }

    @Override
    public void replayed(List<EncodedMessage> chunk, boolean last) {
        if (replay == null) {
            return;
        }
        meters.replayedMessages().increment(chunk.size());
        if (!chunk.isEmpty()) {
            replayedUpTo = chunk.get(chunk.size() - 1).seq();
            conversation.outcome().accept(outbox.sendReplayed(chunk));
            if (replay == null) {
                return;   // that closed the connection
            }
        }
        if (last) {
            meters.resumes("replayed").increment();
            endReplay();
        } else if (transport.writeQueueFull()) {
            replayAwaitsDrain = true;
        } else {
            replay.next();
        }
    }

    private void onAheadReached() {
        if (ahead == null) {
            return;
        }
        ClientCommand.Subscribe cmd = ahead;
        ahead = null;
        conversation.subscribe().accept(cmd);
        handleDeferred();
    }

    private void aheadTimedOut() {
        ClientCommand.Subscribe cmd = ahead;
        ahead = null;
        shard.cancelAwait(aheadReached);
        long head = shard.position();
        meters.resumes("ahead").increment();
        meters.clientError(ErrorCode.RESUME_AHEAD);
        send(messages.resumeAhead(cmd.id(), "seq " + cmd.from() + " is beyond the newest this server holds ("
                + head + "); nothing subscribed", head));
        handleDeferred();
    }

    /** The replay is written: the held live messages follow, then the client's waiting messages. */
    private void endReplay() {
        replay = null;
        replaySnapshots = null;
        snapshotsAtFrom = null;
        replayAwaitsDrain = false;
        conversation.outcome().accept(outbox.release());
        handleDeferred();
    }

    /**
     * Hands back the client messages that waited, in order, until another replay or wait begins or
     * one of them closes the connection (which forgets the rest).
     */
    private void handleDeferred() {
        while (!deferred.isEmpty() && replay == null && ahead == null) {
            conversation.handle().accept(deferred.poll());
        }
    }

    private void send(byte[] json) {
        conversation.outcome().accept(outbox.send(json, null));
    }
}
