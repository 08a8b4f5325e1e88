package io.tickstream.metrics;

import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedMessage;
import io.tickstream.feed.MicroClock;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * The delivery meters of one event loop, counted locally and handed to the shared Micrometer
 * meters once per delivery batch (and on every periodic tick), not once per message per
 * connection: at a million deliveries a second, a shared counter and a histogram record per
 * delivery cost more than the delivery itself.
 *
 * <p>Delivery latency ({@code tickstream_delivery_latency_seconds}) is observed
 * <ul>
 *   <li>for a message written at once to the connections that keep up (the fast path): once per
 *       message per event loop, at the end of the batch, when the loop has written it to every such
 *       connection of the batch, so the observation is the latest of those writes;</li>
 *   <li>for a message written later from a connection's backlog: once per delivery, when written.</li>
 * </ul>
 *
 * <p>Threading: owned by one event loop; {@link #flush()} runs on it too.
 */
public final class DeliveryMeters {

    private static final FeedMessage.Kind[] KINDS = FeedMessage.Kind.values();

    private final Meters meters;
    private final long[] sent = new long[KINDS.length];
    private long frames;
    private long bytes;
    /** Messages written live since the last flush, each once (connections take different subsets). */
    private final Set<EncodedMessage> written = Collections.newSetFromMap(new IdentityHashMap<>());

    public DeliveryMeters(Meters meters) {
        this.meters = meters;
    }

    /** {@code count} messages of {@code kind} were written to one connection. */
    public void sent(FeedMessage.Kind kind, int count) {
        sent[kind.ordinal()] += count;
    }

    /** A frame of {@code length} bytes was written. */
    public void frame(int length) {
        frames++;
        bytes += length;
    }

    /**
     * A live message was written on the fast path; its latency is observed once, at the next
     * {@link #flush()}, however many connections it went to (the tailer makes one
     * {@link EncodedMessage} per queue record, so identity tells repeats apart).
     */
    public void writtenLive(EncodedMessage m) {
        written.add(m);
    }

    /**
     * A message written from a backlog, {@code micros} after its {@code ts} and {@code sinceRead} after this
     * server read it (negative when not known): observed now.
     */
    public void writtenLate(long micros, long sinceRead) {
        meters.recordDeliveryLatencyMicros(micros);
        if (sinceRead >= 0) {
            meters.recordServerLatencyMicros(sinceRead);
        }
    }

    /** Hands everything counted since the last call to the shared meters. */
    public void flush() {
        if (!written.isEmpty()) {
            long now = MicroClock.nowMicros();
            for (EncodedMessage m : written) {
                meters.recordDeliveryLatencyMicros(now - m.ts());
                if (m.readMicros() >= 0) {
                    meters.recordServerLatencyMicros(now - m.readMicros());
                }
            }
            written.clear();
        }
        for (int i = 0; i < sent.length; i++) {
            if (sent[i] > 0) {
                meters.messagesSent(KINDS[i]).increment(sent[i]);
                sent[i] = 0;
            }
        }
        if (frames > 0) {
            meters.framesSent().increment(frames);
            meters.bytesSent().increment(bytes);
            frames = 0;
            bytes = 0;
        }
    }
}
