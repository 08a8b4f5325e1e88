package io.tickstream.session;

import io.tickstream.auth.Grant;
import io.tickstream.fanout.Shard;
import io.tickstream.fanout.Subscriber;
import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.TopicPattern;
import java.util.List;
import java.util.function.Predicate;

/**
 * One client connection's conversation: commands in, answers and data out. What each command and
 * each tick decides is up to the connection's policies, each owning its state: {@link Subscriptions}
 * (what it covers), {@link ClientRateLimiter}, {@link TopicThrottles} ({@code maxRate}),
 * {@link Resume} ({@code from}), {@link Liveness}, and the {@link Outbox} in front of the socket.
 *
 * <p>Threading: owned by one event loop, the same as its {@link Shard}; every method runs there.
 * Not thread-safe.
 */
public final class Session implements Subscriber {

    private final String id;
    private final Transport transport;
    /** The loop's shard, messages, parser and meters, shared with every connection of the loop. */
    private final LoopContext loop;
    private final String address;
    private final Subscriptions subscriptions;
    private final ClientRateLimiter limiter;
    private final Liveness liveness;
    private final Outbox outbox;
    private final TopicThrottles throttles;
    private final Resume resume;
    private final WindowReplays replays;
    private boolean closed;

    /**
     * @param loop    what every connection of this event loop is served with
     * @param address the client's address, as the welcome tells it
     * @param grant   what the connection's token allows, or {@code null} when auth is off
     */
    public Session(String id, Transport transport, LoopContext loop, String address, Grant grant) {
        this.id = id;
        this.transport = transport;
        this.loop = loop;
        this.address = address;
        long now = System.nanoTime();
        this.subscriptions = Subscriptions.of(loop, grant);
        this.limiter = ClientRateLimiter.of(loop.config(), now);
        this.liveness = Liveness.of(loop.config(), grant, now);
        this.outbox = Outbox.of(transport, loop, subscriptions::stalenessMicros, subscriptions::traced);
        this.throttles = new TopicThrottles(outbox, subscriptions, loop.meters(), loop.scheduler(), this::outcome);
        this.resume = Resume.of(loop, outbox, transport, new Resume.Conversation(this::handle, this::subscribe,
                this::outcome));
        this.replays = WindowReplays.of(loop, outbox, this::error, this::outcome);
    }

    /** Joins the loop (its shard and the count of open connections) and greets the client. */
    public void open() {
        loop.join(this);
        send(loop.messages().welcome(id, liveness.heartbeatMs(), address));
    }

    /** The connection is gone (either side closed it): leave the loop. Idempotent. */
    public void onClosed() {
        if (closed) {
            return;
        }
        closed = true;
        resume.close();
        replays.close();
        throttles.close();
        loop.leave(this);
        subscriptions.clear();
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
        } else if (verdict == ClientRateLimiter.Verdict.REFUSE) {
            error(ErrorCode.RATE_LIMITED, limiter.refusal(), null);
        } else if (!resume.holds(text)) {
            handle(text);
        }
    }

    private void handle(String text) {
        try {
            ClientCommand command = loop.parser().parse(text);
            if (command instanceof ClientCommand.Subscribe s) {
                subscribe(s);
            } else if (command instanceof ClientCommand.Unsubscribe u) {
                unsubscribe(u);
            } else if (command instanceof ClientCommand.Snapshot s) {
                snapshot(s);
            } else if (command instanceof ClientCommand.Replay r) {
                if (allowed(r.topics(), r.id())) {
                    replays.start(r);
                }
            } else if (command instanceof ClientCommand.Cancel c) {
                replays.cancel(c.id());
            } else {
                send(loop.messages().pong(command.id()));
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
        if (resume.awaitsFeed(cmd)) {
            return;
        }
        List<TopicPattern> added = ((Subscriptions.Fits) check).added();
        List<TopicPattern> before = subscriptions.patterns();
        long cut = loop.shard().position();   // the snapshots' seq: the shard's, on this thread, with them
        List<EncodedMessage> snapshots = loop.shard().subscribe(this, added);
        outcome(throttles.releaseAll());
        if (closed) {
            return;   // writing the held maxRate messages tripped the backlog limit: nothing to count
        }
        subscriptions.add(added, cmd.maxRate(), cmd.maxStalenessMs(), cmd.trace());
        send(loop.messages().subscribed(cmd.id(), cmd.topics(), cmd.from() != null ? cmd.from() : cut));
        if (closed) {
            return;   // the answer itself tripped the backlog limit
        }
        if (cmd.from() != null) {
            resume.start(cmd, List.copyOf(added), before, snapshots);
        } else if (cmd.snapshot() && !snapshots.isEmpty()) {
            outcome(outbox.sendSnapshots(snapshots));
        }
    }

    private void unsubscribe(ClientCommand.Unsubscribe cmd) {
        if (subscriptions.remove(cmd.topics()) > 0) {
            outcome(throttles.releaseAll());
            loop.shard().unsubscribe(this);
            outbox.retainTopics(this::covers);
        }
        send(loop.messages().unsubscribed(cmd.id(), cmd.topics()));
    }

    /**
     * The {@code snapshot} op: the state of the topics as of {@code at}, from the shard when that is
     * its position (or {@code at} is not given), else read from the queue on the replayer's thread.
     */
    private void snapshot(ClientCommand.Snapshot cmd) {
        if (!allowed(cmd.topics(), cmd.id())) {
            return;
        }
        List<TopicPattern> patterns = List.copyOf(cmd.topics());
        Predicate<String> topics = topic -> TopicPattern.anyMatches(patterns, topic);
        Shard shard = loop.shard();
        long head = shard.position();
        if (cmd.at() == null || cmd.at() == head) {
            send(loop.messages().snapshot(cmd.id(), head, shard.latest(topics)));
        } else if (cmd.at() > head) {
            loop.meters().clientError(ErrorCode.RESUME_AHEAD);
            send(loop.messages().resumeAhead(cmd.id(), "seq " + cmd.at() + " is beyond the newest this server holds ("
                    + head + ")", head));
        } else {
            long at = cmd.at();
            shard.snapshotAt(at, topics, found -> {
                if (found == null) {
                    error(ErrorCode.RESUME_UNAVAILABLE, "seq " + at + " is older than the queue holds", cmd.id());
                } else {
                    send(loop.messages().snapshot(cmd.id(), at, found));
                }
            });
        }
    }

    /** Whether the token allows every one of {@code topics}; if not, answers {@code forbidden}. */
    private boolean allowed(List<TopicPattern> topics, String requestId) {
        Subscriptions.Refused refused = subscriptions.forbidden(topics);
        if (refused != null) {
            error(refused.code(), refused.message(), requestId);
            return false;
        }
        return true;
    }

    @Override
    public boolean covers(String topic) {
        return subscriptions.covers(topic);
    }

    @Override
    public boolean deliver(EncodedMessage message) {
        return throttles.deliver(message);
    }

    @Override
    public void endOfBatch() {
        if (!closed) {
            outcome(outbox.endOfBatch());
        }
    }

    @Override
    public void fail(RuntimeException cause) {
        close(CloseReason.INTERNAL_ERROR);
    }

    /** The socket's write queue drained: write what waits. */
    public void onDrain() {
        if (!closed) {
            outbox.onDrain();
            resume.onDrain();
            replays.writeOn();
        }
    }

    /**
     * Periodic work: the liveness checks (token expiry, idle, ping; a heartbeat when nothing has
     * been written for the heartbeat interval), writing a backlog the socket can take, and the
     * slow-consumer check.
     */
    public void tick(long nowNanos) {
        if (closed) {
            return;
        }
        Liveness.Action client = liveness.checkClient(nowNanos);
        if (client.closeReason() != null) {
            close(client.closeReason());
            return;
        }
        if (client == Liveness.Action.PING) {
            transport.ping();
        }
        outcome(outbox.tick(nowNanos));
        if (closed) {
            return;
        }
        replays.writeOn();   // in case a drain went unseen
        if (liveness.checkServer(nowNanos, outbox.lastWriteNanos(), outbox.idle()) == Liveness.Action.HEARTBEAT) {
            send(loop.messages().heartbeat());
        }
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
        close(CloseReason.GOING_AWAY);
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
        if (closed) {
            return;
        }
        loop.meters().clientError(code);
        send(loop.messages().error(code, message, requestId));
    }

    private void send(byte[] json) {
        if (!closed) {
            outcome(outbox.send(json, null));
        }
    }

    private void outcome(Outbox.Outcome outcome) {
        if (outcome == Outbox.Outcome.SLOW_CONSUMER && !closed) {
            loop.meters().slowConsumerDisconnects().increment();
            close(CloseReason.SLOW_CONSUMER);
        }
    }

    /** Closes the connection with {@code why}, unless it is closed already. */
    private void close(CloseReason why) {
        if (!closed) {
            transport.close(why);
            onClosed();
        }
    }
}
