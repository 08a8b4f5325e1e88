package io.tickstream.session;

import io.tickstream.fanout.Shard;
import io.tickstream.fanout.Subscriber;
import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedMessage;
import io.tickstream.feed.MicroClock;
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
    private final List<EncodedMessage> pending = new ArrayList<>();
    private long lastWriteNanos = System.nanoTime();
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
        pending.clear();
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
        if (cmd.snapshot() || cmd.from() != null) {
            List<byte[]> frames = new ArrayList<>(snapshots.size());
            for (EncodedMessage m : snapshots) {
                frames.add(m.snapshotJson());
                meters.messagesSent(m.kind()).increment();
            }
            writePacked(frames);
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
            pending.removeIf(m -> !covers(m.topic()));
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
        pending.add(message);
        return pending.size() == 1;
    }

    @Override
    public void endOfBatch() {
        if (pending.isEmpty() || closed) {
            pending.clear();
            return;
        }
        long nowMicros = MicroClock.nowMicros();
        long ticks = 0;
        long scores = 0;
        List<byte[]> parts = new ArrayList<>(pending.size());
        for (EncodedMessage m : pending) {
            parts.add(m.json());
            if (m.kind() == FeedMessage.Kind.TICK) {
                ticks++;
            } else {
                scores++;
            }
            meters.recordDeliveryLatencyMicros(nowMicros - m.ts());
        }
        pending.clear();
        writePacked(parts);
        if (ticks > 0) {
            meters.messagesSent(FeedMessage.Kind.TICK).increment(ticks);
        }
        if (scores > 0) {
            meters.messagesSent(FeedMessage.Kind.SCORE).increment(scores);
        }
    }

    /** Sends a heartbeat when nothing has been written for the heartbeat interval. */
    public void heartbeatIfQuiet(long nowNanos) {
        if (!closed && nowNanos - lastWriteNanos >= settings.heartbeatMs() * 1_000_000L) {
            send(messages.heartbeat());
        }
    }

    public String id() {
        return id;
    }

    private void error(String code, String message, String requestId) {
        meters.clientError(code);
        send(messages.error(code, message, requestId));
    }

    private void send(byte[] json) {
        if (closed) {
            return;
        }
        transport.writeText(json);
        lastWriteNanos = System.nanoTime();
        meters.framesSent().increment();
        meters.bytesSent().increment(json.length);
    }

    /**
     * Writes messages as few frames as possible: one message alone, several as a JSON array, each
     * frame at most about {@code maxFrameBytes} (a single larger message still goes whole).
     */
    private void writePacked(List<byte[]> parts) {
        int i = 0;
        while (i < parts.size()) {
            int size = 1;
            int j = i;
            while (j < parts.size() && (j == i || size + parts.get(j).length + 1 <= settings.maxFrameBytes())) {
                size += parts.get(j).length + 1;
                j++;
            }
            if (j - i == 1) {
                send(parts.get(i));
            } else {
                byte[] frame = new byte[size];
                int pos = 0;
                frame[pos++] = '[';
                for (int k = i; k < j; k++) {
                    if (k > i) {
                        frame[pos++] = ',';
                    }
                    byte[] p = parts.get(k);
                    System.arraycopy(p, 0, frame, pos, p.length);
                    pos += p.length;
                }
                frame[pos] = ']';
                send(frame);
            }
            i = j;
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
