package io.tickstream.session;

import io.tickstream.feed.JsonWriter;
import io.tickstream.feed.MicroClock;
import io.tickstream.feed.TopicPattern;
import java.util.List;

/**
 * Encodes the server's control messages ({@code welcome}, {@code subscribed}, {@code error}, ...).
 *
 * <p>Not thread-safe: reuses one writer; one instance per event loop, shared by its sessions.
 */
public final class ServerMessages {

    public static final int PROTOCOL_VERSION = 1;
    private final JsonWriter w = new JsonWriter(256);

    /** @param address the client's address as the server sees it (through trusted proxies) */
    public byte[] welcome(String session, long heartbeatMs, String address) {
        w.reset().beginObject().field("type", "welcome").field("session", session)
                .field("protocol", PROTOCOL_VERSION).field("heartbeatMs", heartbeatMs);
        if (address != null) {
            w.field("address", address);
        }
        return w.endObject().toBytes();
    }

    public byte[] subscribed(String type, String id, List<TopicPattern> topics) {
        w.reset().beginObject().field("type", type);
        if (id != null) {
            w.field("id", id);
        }
        w.key("topics").beginArray();
        for (TopicPattern t : topics) {
            w.value(t.text());
        }
        return w.endArray().endObject().toBytes();
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
