package io.tickstream.feed;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A feed message in its wire form: encoded once, then written to every subscriber as is.
 *
 * <p>Immutable by contract: nobody writes into {@link #json()} after construction, so one
 * instance is shared by every event loop and every subscriber.
 *
 * @param topic       the message's topic
 * @param seq         the message's place in the feed
 * @param ts          write time, microseconds since the epoch
 * @param kind        tick or score
 * @param conflatable whether a newer message of the topic may replace it (see {@link FeedMessage#conflatable()})
 * @param json        the protocol JSON object, UTF-8
 * @param conflated   how many earlier updates of the topic this one stands for (0 for a plain message);
 *                    written as {@code "conflated": N} by {@link #wireJson()}
 * @param readMicros  when this server read it from the queue (microseconds since the epoch), -1 when not
 *                    known: a traced subscription's {@code trace.read}
 */
public record EncodedMessage(String topic, long seq, long ts, FeedMessage.Kind kind, boolean conflatable,
                             byte[] json, int conflated, long readMicros) {

    /** A message whose read time is not known. */
    public EncodedMessage(String topic, long seq, long ts, FeedMessage.Kind kind, boolean conflatable, byte[] json,
                          int conflated) {
        this(topic, seq, ts, kind, conflatable, json, conflated, -1);
    }

    private static final byte[] SNAPSHOT_FLAG = ",\"snapshot\":true}".getBytes(StandardCharsets.US_ASCII);

    /** Encodes {@code message} with {@code codec}; its read time is not known. */
    public static EncodedMessage of(long seq, FeedMessage message, JsonCodec codec) {
        return of(seq, message, codec, -1);
    }

    /** Encodes {@code message}, read from the queue at {@code readMicros}, with {@code codec}. */
    public static EncodedMessage of(long seq, FeedMessage message, JsonCodec codec, long readMicros) {
        return new EncodedMessage(message.topic(), seq, message.ts(), message.kind(), message.conflatable(),
                codec.encode(seq, message), 0, readMicros);
    }

    /** The same message standing for {@code n} more replaced updates (no bytes copied). */
    public EncodedMessage plusConflated(int n) {
        return new EncodedMessage(topic, seq, ts, kind, conflatable, json, conflated + n, readMicros);
    }

    /** The bytes to write: {@link #json()}, with {@code "conflated": N} added when N > 0. */
    public byte[] wireJson() {
        return withConflated(json, conflated);
    }

    /** {@code json} (an object) with {@code "conflated": n} added, or as is when n is 0. */
    public static byte[] withConflated(byte[] json, int conflated) {
        if (conflated == 0) {
            return json;
        }
        return withSuffix(json, (",\"conflated\":" + conflated + "}").getBytes(StandardCharsets.US_ASCII));
    }

    /** {@code json} (an object) with {@code "key": value} added at its end. */
    public static byte[] withField(byte[] json, String key, long value) {
        return withSuffix(json, (",\"" + key + "\":" + value + "}").getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * {@code json} (an object) with the latency provenance added: {@code "trace":{"read":R,"sent":W}},
     * when this server read it and when it hands it to the socket (microseconds since the epoch).
     */
    public static byte[] withTrace(byte[] json, long readMicros, long sentMicros) {
        return withSuffix(json, (",\"trace\":{\"read\":" + readMicros + ",\"sent\":" + sentMicros + "}}")
                .getBytes(StandardCharsets.US_ASCII));
    }

    /** The same JSON object with {@code "snapshot":true} added, for the snapshot on subscribe. */
    public byte[] snapshotJson() {
        return withSuffix(json, SNAPSHOT_FLAG);
    }

    /**
     * {@code json} (an object) with {@code suffix} in place of its closing brace: {@code suffix} is
     * more fields ({@code ,"key":value}) and the closing brace.
     */
    public static byte[] withSuffix(byte[] json, byte[] suffix) {
        byte[] out = Arrays.copyOf(json, json.length - 1 + suffix.length);
        System.arraycopy(suffix, 0, out, json.length - 1, suffix.length);
        return out;
    }

    @Override
    public String toString() {
        return new String(json, StandardCharsets.UTF_8);
    }
}
