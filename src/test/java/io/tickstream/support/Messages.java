package io.tickstream.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Well-formed client messages of the wire protocol (docs/protocol.md), as tests send them. A test
 * that sends a malformed or odd message on purpose writes it out by hand instead.
 */
public final class Messages {

    private Messages() {
    }

    /** A {@code subscribe} with {@code id} to {@code topics} (topics or patterns), no options yet. */
    public static Subscribe subscribe(String id, String... topics) {
        return subscribe(id, List.of(topics));
    }

    /** A {@code subscribe} with {@code id} to {@code topics} (topics or patterns), no options yet. */
    public static Subscribe subscribe(String id, List<String> topics) {
        return new Subscribe(id, topics);
    }

    /** A {@code subscribe} with {@code id} to every topic of the feed: {@code stocks.*} and {@code sports.>}. */
    public static Subscribe subscribeAll(String id) {
        return subscribe(id, "stocks.*", "sports.>");
    }

    /**
     * A {@code subscribe} being built: {@code op}, {@code id} and {@code topics}, then each option
     * in the order it is set; an option left unset is not sent, so the server's default applies.
     * Owned by the test thread that builds it.
     */
    public static final class Subscribe {

        private final JsonObject json;

        private Subscribe(String id, List<String> topics) {
            json = new JsonObject().put("op", "subscribe").put("id", id).put("topics", new JsonArray(topics));
        }

        /** Whether to send each matching topic's latest message first (the server's default: true, false with from). */
        public Subscribe snapshot(boolean snapshot) {
            json.put("snapshot", snapshot);
            return this;
        }

        /** Resume: replay every message of the topics with a {@code seq} above {@code seq}, then go on live. */
        public Subscribe from(long seq) {
            json.put("from", seq);
            return this;
        }

        /** Throttle: at most {@code messagesPerSecond} messages per topic per second, the rest conflated. */
        public Subscribe maxRate(int messagesPerSecond) {
            json.put("maxRate", messagesPerSecond);
            return this;
        }

        /** The message, as a new object each call. */
        public JsonObject json() {
            return json.copy();
        }
    }
}
