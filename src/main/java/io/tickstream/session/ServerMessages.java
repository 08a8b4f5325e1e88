package io.tickstream.session;

import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.JsonWriter;
import io.tickstream.feed.MicroClock;
import io.tickstream.feed.TopicPattern;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes the server's control messages ({@code welcome}, {@code subscribed}, {@code error}, ...).
 *
 * <p>Not thread-safe: reuses one writer; one instance per event loop, shared by its sessions.
 */
public final class ServerMessages {

    public static final int PROTOCOL_VERSION = 1;
    /** The 1.1 additions this server implements, announced in {@code welcome}. */
    public static final List<String> FEATURES = List.of("replay", "snapshotAt", "staleness", "trace", "corrections");
    private final JsonWriter w = new JsonWriter(256);

    /** @param address the client's address as the server sees it (through trusted proxies) */
    public byte[] welcome(String session, long heartbeatMs, String address) {
        w.reset().beginObject().field("type", "welcome").field("session", session)
                .field("protocol", PROTOCOL_VERSION).field("heartbeatMs", heartbeatMs);
        if (address != null) {
            w.field("address", address);
        }
        w.key("features").beginArray();
        for (String f : FEATURES) {
            w.value(f);
        }
        return w.endArray().endObject().toBytes();
    }

    /**
     * @param snapshotSeq the seq as of which every snapshot that follows is its topic's latest message;
     *                    the live messages that follow are after it
     */
    public byte[] subscribed(String id, List<TopicPattern> topics, long snapshotSeq) {
        return topics("subscribed", id, topics).field("snapshotSeq", snapshotSeq).endObject().toBytes();
    }

    public byte[] unsubscribed(String id, List<TopicPattern> topics) {
        return topics("unsubscribed", id, topics).endObject().toBytes();
    }

    /** The common fields of {@code subscribed} and {@code unsubscribed}, the object left open. */
    private JsonWriter topics(String type, String id, List<TopicPattern> topics) {
        w.reset().beginObject().field("type", type);
        if (id != null) {
            w.field("id", id);
        }
        w.key("topics").beginArray();
        for (TopicPattern t : topics) {
            w.value(t.text());
        }
        return w.endArray();
    }

    /** The answer to the {@code snapshot} op: each message as it was written to the feed. */
    public byte[] snapshot(String id, long at, List<EncodedMessage> messages) {
        w.reset().beginObject().field("type", "snapshot");
        if (id != null) {
            w.field("id", id);
        }
        byte[] head = w.field("at", at).endObject().toBytes();
        int size = head.length + 16;
        for (EncodedMessage m : messages) {
            size += m.json().length + 1;
        }
        byte[] out = new byte[size];
        int n = head.length - 1;   // without its closing brace
        System.arraycopy(head, 0, out, 0, n);
        n = put(out, n, ",\"messages\":[");
        for (int i = 0; i < messages.size(); i++) {
            if (i > 0) {
                out[n++] = ',';
            }
            byte[] json = messages.get(i).json();
            System.arraycopy(json, 0, out, n, json.length);
            n += json.length;
        }
        n = put(out, n, "]}");
        return Arrays.copyOf(out, n);
    }

    private static int put(byte[] out, int at, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            out[at++] = (byte) ascii.charAt(i);
        }
        return at;
    }

    /** A replay begins: the window lies from {@code fromSeq} to {@code toSeq}, {@code count} messages follow. */
    public byte[] replaying(String id, long fromSeq, long toSeq, long count) {
        return w.reset().beginObject().field("type", "replaying").field("id", id).field("fromSeq", fromSeq)
                .field("toSeq", toSeq).field("count", count).endObject().toBytes();
    }

    /** A replay ended after {@code count} messages, complete or ({@code "cancelled": true}) cancelled. */
    public byte[] replayed(String id, long count, boolean cancelled) {
        w.reset().beginObject().field("type", "replayed").field("id", id).field("count", count);
        if (cancelled) {
            w.field("cancelled", true);
        }
        return w.endObject().toBytes();
    }

    /**
     * {@code replay_unavailable}, with the queue's first record ({@code firstSeq}, {@code firstTime} in
     * µs) when it has one, so that a client can pick a window it holds.
     */
    public byte[] replayUnavailable(String id, String message, long firstSeq, long firstTime) {
        JsonWriter e = beginError(ErrorCode.REPLAY_UNAVAILABLE, message, id);
        if (firstSeq >= 0) {
            e.field("firstSeq", firstSeq).field("firstTime", firstTime);
        }
        return e.endObject().toBytes();
    }

    /** What replay {@code id} adds to each of its messages: {@code ,"replay":"<id>"} and the closing brace. */
    public byte[] replaySuffix(String id) {
        byte[] field = w.reset().beginObject().field("replay", id).endObject().toBytes();
        byte[] out = new byte[field.length];
        out[0] = ',';
        System.arraycopy(field, 1, out, 1, field.length - 1);
        return out;
    }

    public byte[] pong(String id) {
        w.reset().beginObject().field("type", "pong");
        if (id != null) {
            w.field("id", id);
        }
        return w.field("ts", MicroClock.nowMicros()).endObject().toBytes();
    }

    public byte[] heartbeat() {
        return w.reset().beginObject().field("type", "heartbeat").field("ts", MicroClock.nowMicros()).endObject()
                .toBytes();
    }

    /** {@code resume_ahead}, with {@code head}: the newest seq this server holds. */
    public byte[] resumeAhead(String id, String message, long head) {
        return beginError(ErrorCode.RESUME_AHEAD, message, id).field("head", head).endObject().toBytes();
    }

    public byte[] error(String code, String message, String id) {
        return beginError(code, message, id).endObject().toBytes();
    }

    /** An {@code error} object's common fields, the object left open for more. */
    private JsonWriter beginError(String code, String message, String id) {
        w.reset().beginObject().field("type", "error").field("code", code).field("message", message);
        if (id != null) {
            w.field("id", id);
        }
        return w;
    }
}
