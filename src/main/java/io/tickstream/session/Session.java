package io.tickstream.session;

import io.tickstream.auth.Grant;
import io.tickstream.fanout.Shard;
import io.tickstream.fanout.Subscriber;
import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.TopicPattern;
import io.tickstream.ingest.Replayer;
import io.tickstream.metrics.DeliveryMeters;
import io.tickstream.metrics.Meters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * One client connection: its subscriptions, the messages owed to it in the current batch, and the
 * protocol conversation (commands in, answers and data out).
 *
 * <p>Threading: owned by one event loop, the same as its {@link Shard}; every method runs there.
 * Not thread-safe.
 */
public final class Session implements Subscriber, Replayer.Sink {

    private final String id;
    private final Transport transport;
    private final Shard shard;
    private final ServerMessages messages;
    private final CommandParser parser;
    private final SessionSettings settings;
    private final Meters meters;

    private final Subscriptions subscriptions;
    private final Scheduler scheduler;
    private final Replayer replayer;
    private final Executor loop;
    private final String address;
    /** The resume in progress, or null. Client messages wait in {@link #deferred} meanwhile. */
    private Replayer.Replay replay;
    private String replayId;
    private List<EncodedMessage> replaySnapshots;
    private boolean replayAwaitsDrain;
    /**
     * Up to which seq the replay in progress has sent each of its topics' values (-1 before any):
     * the last replayed message's, or {@code from} once the snapshots at {@code from} are sent.
     */
    private long replayedUpTo = -1;
    private long replayFrom;
    /** With {@code from} and {@code snapshot}: the snapshots at {@code from} the shard already had. */
    private List<EncodedMessage> snapshotsAtFrom;
    /**
     * A resume from a seq beyond the shard's position, waiting (up to the resume-ahead wait) for the
     * feed to reach it, or null. Client messages wait in {@link #deferred} meanwhile, as in a replay.
     */
    private ClientCommand.Subscribe ahead;
    private final Runnable aheadReached = this::onAheadReached;
    private final List<String> deferred = new ArrayList<>();
    private final Outbox outbox;
    private final TopicThrottles throttles;
    private final ClientRateLimiter limiter;
    private boolean closed;
    private final Liveness liveness;

    /**
     * @param grant what the connection's token allows, or {@code null} when auth is off
     */
    public Session(String id, Transport transport, Shard shard, ServerMessages messages, CommandParser parser,
                   SessionSettings settings, Meters meters, DeliveryMeters delivery, Scheduler scheduler,
                   Replayer replayer, Executor loop, String address, Grant grant) {
        this.subscriptions = new Subscriptions(grant, settings.maxSubscriptions());
        this.address = address;
        this.scheduler = scheduler;
        this.replayer = replayer;
        this.loop = loop;
        this.id = id;
        this.transport = transport;
        this.shard = shard;
        this.messages = messages;
        this.parser = parser;
        this.settings = settings;
        this.meters = meters;
        this.limiter = new ClientRateLimiter(settings.clientMessagesPerSec(), settings.clientBurst(),
                settings.rateLimitStrikes(), System.nanoTime());
        this.liveness = new Liveness(settings.heartbeatMs(), settings.idleTimeoutMs(),
                grant == null ? Long.MAX_VALUE : grant.expiresAt(), System.nanoTime());
        this.outbox = new Outbox(transport, meters, delivery, settings.maxFrameBytes(), settings.maxBacklogBytes(),
                settings.slowConsumerGraceMs(), settings.stallTimeoutMs(), messages.sharedFrames());
        this.throttles = new TopicThrottles(outbox, subscriptions, meters, scheduler, this::releaseDue);
    }

    /** Joins the shard and greets the client. */
    public void open() {
        shard.add(this);
        meters.connections().incrementAndGet();
        send(messages.welcome(id, settings.heartbeatMs(), address));
    }

    /** The connection is gone (either side closed it): leave the shard. Idempotent. */
    public void onClosed() {
        if (closed) {
            return;
        }
        closed = true;
        if (replay != null) {
            replay.cancel();
            replay = null;
        }
        if (ahead != null) {
            shard.cancelAwait(aheadReached);
            ahead = null;
        }
        shard.remove(this);
        meters.connections().decrementAndGet();
        meters.subscriptions().addAndGet(-subscriptions.size());
        outbox.clear();
    }

    /** Handles one complete, valid-UTF-8 text message from the client. */
    public void onText(String text) {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        liveness.heard(now);
        ClientRateLimiter.Verdict verdict = limiter.onMessage(now);
        if (verdict == ClientRateLimiter.Verdict.CLOSE) {
            close(CloseReason.POLICY_VIOLATION);
            return;
        }
        if (verdict == ClientRateLimiter.Verdict.REFUSE) {
            error(ErrorCode.RATE_LIMITED, "more than " + (long) settings.clientMessagesPerSec()
                    + " messages per second; slow down or be disconnected", null);
            return;
        }
        if (replay != null || ahead != null) {
            deferred.add(text);
            return;
        }
        handle(text);
    }

    private void handle(String text) {
        try {
            ClientCommand command = parser.parse(text);
            if (command instanceof ClientCommand.Subscribe s) {
                subscribe(s);
            } else if (command instanceof ClientCommand.Unsubscribe u) {
                unsubscribe(u);
            } else {
                send(messages.pong(command.id()));
            }
        } catch (ProtocolException e) {
            error(e.code(), e.getMessage(), e.id());
        }
    }

    private void subscribe(ClientCommand.Subscribe cmd) {
        Subscriptions.Check check = subscriptions.check(cmd.topics());
        if (check instanceof Subscriptions.Refused refused) {
            error(refused.code(), refused.message(), cmd.id());
            return;
        }
        List<TopicPattern> added = ((Subscriptions.Fits) check).added();
        if (cmd.from() != null && cmd.from() > shard.position()) {
            awaitFeed(cmd);
            return;
        }
        List<TopicPattern> before = subscriptions.patterns();
        List<EncodedMessage> snapshots = shard.subscribe(this, added);
        outcome(throttles.releaseAll());
        subscriptions.add(added, cmd.maxRate());
        meters.subscriptions().addAndGet(added.size());
        send(messages.subscribed("subscribed", cmd.id(), cmd.topics()));
        if (closed) {
            return;   // the answer itself tripped the backlog limit
        }
        if (cmd.from() != null) {
            startReplay(cmd, List.copyOf(added), before, snapshots);
        } else if (cmd.snapshot() && !snapshots.isEmpty()) {
            outcome(outbox.sendSnapshots(snapshots));
        }
    }

    private void unsubscribe(ClientCommand.Unsubscribe cmd) {
        int removed = subscriptions.remove(cmd.topics());
        if (removed > 0) {
            outcome(throttles.releaseAll());
            shard.unsubscribe(this);
            outbox.retainTopics(this::covers);
            meters.subscriptions().addAndGet(-removed);
        }
        send(messages.subscribed("unsubscribed", cmd.id(), cmd.topics()));
    }

    @Override
    public boolean covers(String topic) {
        return subscriptions.covers(topic);
    }

    @Override
    public boolean deliver(EncodedMessage message) {
        if (!subscriptions.anyMaxRate()) {
            return outbox.add(message);   // no maxRate: no throttle, no clock read
        }
        return throttles.offer(message, System.nanoTime()) == TopicThrottles.Offer.FIRST_OF_BATCH;
    }

    /** A release timer of the throttles is due. */
    private void releaseDue() {
        if (!closed) {
            outcome(throttles.releaseDue(System.nanoTime()));
        }
    }

    @Override
    public void endOfBatch() {
        if (!closed) {
            outcome(outbox.endOfBatch());
        }
    }

    @Override
    public void fail(RuntimeException cause) {
        if (!closed) {
            transport.close(CloseReason.INTERNAL_ERROR);
            onClosed();
        }
    }

    /** The socket's write queue drained: write what waits. */
    public void onDrain() {
        if (closed) {
            return;
        }
        outbox.onDrain();
        if (replay != null && replayAwaitsDrain && !transport.writeQueueFull()) {
            replayAwaitsDrain = false;
            replay.next();
        }
    }

    /**
     * A resume from a seq the feed has not reached here (a mistyped seq, or a server a little behind
     * the one the client comes from): nothing is subscribed until the shard's position reaches it,
     * for up to the resume-ahead wait; then {@code resume_ahead}.
     */
    private void awaitFeed(ClientCommand.Subscribe cmd) {
        ahead = cmd;
        scheduler.schedule(Math.max(1, settings.resumeAheadWaitMs()), () -> {
            if (ahead == cmd) {
                aheadTimedOut();
            }
        });
        shard.awaitPosition(cmd.from(), aheadReached);
    }

    private void onAheadReached() {
        if (closed || ahead == null) {
            return;
        }
        ClientCommand.Subscribe cmd = ahead;
        ahead = null;
        subscribe(cmd);
        handleDeferred();
    }

    private void aheadTimedOut() {
        if (closed) {
            return;
        }
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

    /**
     * Resume: live messages of every topic are held back while the queue is read again for the
     * requested topics from {@code from} up to the shard's position, which is exactly where the
     * live stream of the new subscription starts: no gap, no duplicate. With {@code snapshot}, each
     * newly covered topic's latest message at or before {@code from} goes first: the shard's latest
     * when it is that old, else looked up in the queue by the replay.
     */
    private void startReplay(ClientCommand.Subscribe cmd, List<TopicPattern> added, List<TopicPattern> before,
                             List<EncodedMessage> snapshots) {
        long upTo = shard.position();
        Predicate<String> topics = topic -> matchesAny(added, topic) && !matchesAny(before, topic);
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
        replay = replayer.start(cmd.from(), upTo, topics, lookUp, loop, this);
    }

    @Override
    public void snapshotsAt(List<EncodedMessage> found) {
        if (closed || replay == null || snapshotsAtFrom == null) {
            return;
        }
        List<EncodedMessage> all = new ArrayList<>(snapshotsAtFrom);
        all.addAll(found);
        snapshotsAtFrom = null;
        replayedUpTo = Math.max(replayedUpTo, replayFrom);   // every topic's value at from is sent now
        all.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        if (!all.isEmpty()) {
            outcome(outbox.sendSnapshots(all));
        }
    }

    private static boolean matchesAny(List<TopicPattern> patterns, String topic) {
        for (TopicPattern p : patterns) {
            if (p.matches(topic)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void replayUnavailable(long firstSeq) {
        if (closed || replay == null) {
            return;
        }
        meters.resumes("unavailable").increment();
        error(ErrorCode.RESUME_UNAVAILABLE, firstSeq >= 0
                ? "the queue starts at seq " + firstSeq + "; sending snapshots"
                : "cannot replay from the queue; sending snapshots", replayId);
        // after a replay that failed part way, only snapshots newer than what it sent: a topic's
        // replayed message must not be followed by the same or an older one
        List<EncodedMessage> snapshots = new ArrayList<>();
        for (EncodedMessage m : replaySnapshots) {
            if (m.seq() > replayedUpTo) {
                snapshots.add(m);
            }
        }
        if (!snapshots.isEmpty()) {
            outcome(outbox.sendSnapshots(snapshots));
        }
        endReplay();
    }

    @Override
    public void replayed(List<EncodedMessage> chunk, boolean last) {
        if (closed || replay == null) {
            return;
        }
        meters.replayedMessages().increment(chunk.size());
        if (!chunk.isEmpty()) {
            replayedUpTo = chunk.get(chunk.size() - 1).seq();
            outcome(outbox.sendReplayed(chunk));
        }
        if (closed) {
            return;
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

    /** The replay is written: the held live messages follow, then the client's waiting messages. */
    private void endReplay() {
        replay = null;
        replaySnapshots = null;
        snapshotsAtFrom = null;
        replayAwaitsDrain = false;
        outcome(outbox.release());
        handleDeferred();
    }

    /** Handles the client messages that waited for a replay or a resume-ahead wait, until another begins. */
    private void handleDeferred() {
        List<String> waiting = new ArrayList<>(deferred);
        deferred.clear();
        for (int i = 0; i < waiting.size() && !closed; i++) {
            if (replay != null || ahead != null) {
                deferred.addAll(waiting.subList(i, waiting.size()));
                return;
            }
            handle(waiting.get(i));
        }
    }

    /**
     * Periodic work: a heartbeat when nothing has been written for the heartbeat interval, and the
     * slow-consumer check.
     */
    public void tick(long nowNanos) {
        if (closed) {
            return;
        }
        Liveness.Action client = liveness.checkClient(nowNanos, System.currentTimeMillis());
        if (client.closeReason() != null) {
            close(client.closeReason());
            return;
        }
        if (client == Liveness.Action.PING) {
            transport.ping();
        }
        if (outbox.backlogBytes() > 0 && !transport.writeQueueFull()) {
            outbox.onDrain();
        }
        boolean writable = outbox.backlogBytes() == 0 && !transport.writeQueueFull();
        if (liveness.checkServer(nowNanos, outbox.lastWriteNanos(), writable) == Liveness.Action.HEARTBEAT) {
            send(messages.heartbeat());
        }
        outcome(outbox.check(nowNanos));
    }

    public String id() {
        return id;
    }

    /** Bytes waiting in the connection's backlog beyond its socket. */
    public long backlogBytes() {
        return outbox.backlogBytes();
    }

    /** The server is stopping: closes the connection with {@code 1001} going away. */
    public void goAway() {
        if (!closed) {
            transport.close(CloseReason.GOING_AWAY);
            onClosed();
        }
    }

    /**
     * The server is stopping and this connection is still open after its drain: ends it at once
     * (TCP reset), whether or not its {@code 1001} was sent. Any state.
     */
    public void abort() {
        transport.abort();
        onClosed();
    }

    /** The client sent something other than a message (a pong): it is alive. */
    public void onHeard() {
        liveness.heard(System.nanoTime());
    }


    private void error(String code, String message, String requestId) {
        meters.clientError(code);
        send(messages.error(code, message, requestId));
    }

    private void send(byte[] json) {
        if (!closed) {
            outcome(outbox.send(json, null));
        }
    }

    private void outcome(Outbox.Outcome outcome) {
        if (outcome == Outbox.Outcome.SLOW_CONSUMER && !closed) {
            meters.slowConsumerDisconnects().increment();
            transport.close(CloseReason.SLOW_CONSUMER);
            onClosed();
        }
    }

    private void close(CloseReason why) {
        transport.close(why);
        onClosed();
    }
}
