package io.tickstream.session;

import io.tickstream.fanout.Shard;
import io.tickstream.fanout.Subscriber;
import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.TopicPattern;
import io.tickstream.metrics.Meters;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One client connection: its subscriptions, the messages owed to it in the current batch, and the
 * protocol conversation (commands in, answers and data out).
 *
 * <p>Threading: owned by one event loop, the same as its {@link Shard}; every method runs there.
 * Not thread-safe.
 */
public final class Session implements Subscriber {

    /** WebSocket close code for a client that keeps sending over its message rate. */
    public static final short CLOSE_POLICY_VIOLATION = 1008;

    private final String id;
    private final Transport transport;
    private final Shard shard;
    private final ServerMessages messages;
    private final CommandParser parser;
    private final SessionSettings settings;
    private final Meters meters;

    private final Map<String, TopicPattern> subscriptions = new LinkedHashMap<>();
    private final Set<String> literalTopics = new HashSet<>();
    private final List<TopicPattern> wildcards = new ArrayList<>();
    private final Outbox outbox;
    private double tokens;
    private long tokensAtNanos = System.nanoTime();
    private int strikes;
    private boolean closed;

    public Session(String id, Transport transport, Shard shard, ServerMessages messages, CommandParser parser,
                   SessionSettings settings, Meters meters) {
        this.id = id;
        this.transport = transport;
        this.shard = shard;
        this.messages = messages;
        this.parser = parser;
        this.settings = settings;
        this.meters = meters;
        this.tokens = settings.clientBurst();
        this.outbox = new Outbox(transport, meters, settings.maxFrameBytes(), settings.maxBacklogBytes(),
                settings.slowConsumerGraceMs());
    }

    /** Joins the shard and greets the client. */
    public void open() {
        shard.add(this);
        meters.connections().incrementAndGet();
        send(messages.welcome(id, settings.heartbeatMs()));
    }

    /** The connection is gone (either side closed it): leave the shard. Idempotent. */
    public void onClosed() {
        if (closed) {
            return;
        }
        closed = true;
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
        if (!takeToken()) {
            if (++strikes >= settings.rateLimitStrikes()) {
                transport.close(CLOSE_POLICY_VIOLATION, "rate limit exceeded");
                onClosed();
            } else {
                error(ErrorCode.RATE_LIMITED, "more than " + (long) settings.clientMessagesPerSec()
                        + " messages per second; slow down or be disconnected", null);
            }
            return;
        }
        strikes = 0;
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
        List<TopicPattern> added = new ArrayList<>();
        for (TopicPattern p : cmd.topics()) {
            if (!subscriptions.containsKey(p.text())) {
                added.add(p);
            }
        }
        if (subscriptions.size() + added.size() > settings.maxSubscriptions()) {
            error(ErrorCode.TOO_MANY_SUBSCRIPTIONS, "at most " + settings.maxSubscriptions()
                    + " subscriptions per connection (this one has " + subscriptions.size() + ")", cmd.id());
            return;
        }
        List<EncodedMessage> snapshots = shard.subscribe(this, added);
        for (TopicPattern p : added) {
            subscriptions.put(p.text(), p);
            if (p.isLiteral()) {
                literalTopics.add(p.text());
            } else {
                wildcards.add(p);
            }
        }
        meters.subscriptions().addAndGet(added.size());
        send(messages.subscribed("subscribed", cmd.id(), cmd.topics()));
        if (cmd.from() != null) {
            // Resume from the durable queue is not served by this version: the protocol's answer for
            // a position it cannot replay from is resume_unavailable followed by snapshots.
            error(ErrorCode.RESUME_UNAVAILABLE, "cannot resume from seq " + cmd.from() + "; sending snapshots",
                    cmd.id());
        }
        if ((cmd.snapshot() || cmd.from() != null) && !snapshots.isEmpty() && !closed) {
            outcome(outbox.sendSnapshots(snapshots));
        }
    }

    private void unsubscribe(ClientCommand.Unsubscribe cmd) {
        int removed = 0;
        for (TopicPattern p : cmd.topics()) {
            if (subscriptions.remove(p.text()) != null) {
                removed++;
                if (p.isLiteral()) {
                    literalTopics.remove(p.text());
                } else {
                    wildcards.remove(p);
                }
            }
        }
        if (removed > 0) {
            shard.unsubscribe(this);
            outbox.retainTopics(this::covers);
            meters.subscriptions().addAndGet(-removed);
        }
        send(messages.subscribed("unsubscribed", cmd.id(), cmd.topics()));
    }

    @Override
    public boolean covers(String topic) {
        if (literalTopics.contains(topic)) {
            return true;
        }
        for (int i = 0; i < wildcards.size(); i++) {
            if (wildcards.get(i).matches(topic)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean deliver(EncodedMessage message) {
        return outbox.add(message);
    }

    @Override
    public void endOfBatch() {
        if (!closed) {
            outcome(outbox.endOfBatch());
        }
    }

    /** The socket's write queue drained: write what waits. */
    public void onDrain() {
        if (!closed) {
            outbox.onDrain();
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
        if (outbox.backlogBytes() > 0 && !transport.writeQueueFull()) {
            outbox.onDrain();
        }
        if (nowNanos - outbox.lastWriteNanos() >= settings.heartbeatMs() * 1_000_000L) {
            send(messages.heartbeat());
        }
        outcome(outbox.check(nowNanos));
    }

    public String id() {
        return id;
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
            transport.close(Outbox.CLOSE_SLOW_CONSUMER, "slow consumer");
            onClosed();
        }
    }

    private boolean takeToken() {
        long now = System.nanoTime();
        tokens = Math.min(settings.clientBurst(),
                tokens + (now - tokensAtNanos) / 1e9 * settings.clientMessagesPerSec());
        tokensAtNanos = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
