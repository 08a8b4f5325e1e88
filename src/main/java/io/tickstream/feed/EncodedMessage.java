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
 */
public record EncodedMessage(String topic, long seq, long ts, FeedMessage.Kind kind, boolean conflatable,
                             byte[] json) {

    private static final byte[] SNAPSHOT_FLAG = ",\"snapshot\":true}".getBytes(StandardCharsets.US_ASCII);

    /** Encodes {@code message} with {@code codec}. */
    public static EncodedMessage of(long seq, FeedMessage message, JsonCodec codec) {
        return new EncodedMessage(message.topic(), seq, message.ts(), message.kind(), message.conflatable(),
                codec.encode(seq, message));
    }

    /** The same JSON object with {@code "snapshot":true} added, for the snapshot on subscribe. */
    public byte[] snapshotJson() {
        byte[] out = Arrays.copyOf(json, json.length - 1 + SNAPSHOT_FLAG.length);
        System.arraycopy(SNAPSHOT_FLAG, 0, out, json.length - 1, SNAPSHOT_FLAG.length);
        return out;
    }

    @Override
    public String toString() {
        return new String(json, StandardCharsets.UTF_8);
    }
}
