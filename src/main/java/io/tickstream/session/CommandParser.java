package io.tickstream.session;

import io.tickstream.feed.TopicPattern;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a client's text message into a {@link ClientCommand}, or the protocol error that answers
 * it. Stateless and thread-safe.
 */
public final class CommandParser {

    private final int maxTopicsPerMessage;

    /** @param maxTopicsPerMessage most entries in one {@code topics} array */
    public CommandParser(int maxTopicsPerMessage) {
        this.maxTopicsPerMessage = maxTopicsPerMessage;
    }

    public ClientCommand parse(String text) throws ProtocolException {
        JsonObject json;
        try {
            Object value = Json.decodeValue(text);
            if (!(value instanceof JsonObject object)) {
                throw new ProtocolException(ErrorCode.BAD_JSON, "a message must be a JSON object", null);
            }
            json = object;
        } catch (DecodeException e) {
            throw new ProtocolException(ErrorCode.BAD_JSON, "not valid JSON", null);
        }
        Object rawId = json.getValue("id");
        if (rawId != null && !(rawId instanceof String)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "'id' must be a string", null);
        }
        String id = (String) rawId;
        Object op = json.getValue("op");
        if (op == null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "'op' is required", id);
        }
        if (!(op instanceof String name)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "'op' must be a string", id);
        }
        return switch (name) {
            case "subscribe" -> subscribe(json, id);
            case "unsubscribe" -> new ClientCommand.Unsubscribe(id, topics(json, id));
            case "ping" -> new ClientCommand.Ping(id);
            default -> throw new ProtocolException(ErrorCode.UNKNOWN_OP,
                    "unknown op '" + truncate(name) + "' (subscribe, unsubscribe, ping)", id);
        };
    }

    /** With {@code from}, {@code snapshot} defaults to false (the contract's Resume); without, to true. */
    private ClientCommand.Subscribe subscribe(JsonObject json, String id) throws ProtocolException {
        List<TopicPattern> topics = topics(json, id);
        Long from = from(json, id);
        boolean snapshot = optional(json, "snapshot", Boolean.class, "a boolean", id, from == null);
        return new ClientCommand.Subscribe(id, topics, snapshot, from, maxRate(json, id));
    }

    private List<TopicPattern> topics(JsonObject json, String id) throws ProtocolException {
        Object raw = json.getValue("topics");
        if (raw == null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "'topics' is required", id);
        }
        if (!(raw instanceof JsonArray array) || array.isEmpty()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "'topics' must be a non-empty array of strings", id);
        }
        if (array.size() > maxTopicsPerMessage) {
            throw new ProtocolException(ErrorCode.TOO_MANY_SUBSCRIPTIONS,
                    "at most " + maxTopicsPerMessage + " topics in one message", id);
        }
        Set<TopicPattern> topics = new LinkedHashSet<>();
        for (Object t : array) {
            if (!(t instanceof String s)) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "'topics' must be a non-empty array of strings", id);
            }
            try {
                topics.add(TopicPattern.parse(s));
            } catch (IllegalArgumentException e) {
                throw new ProtocolException(ErrorCode.INVALID_TOPIC, truncate(e.getMessage()), id);
            }
        }
        return new ArrayList<>(topics);
    }

    private static Long from(JsonObject json, String id) throws ProtocolException {
        Object raw = json.getValue("from");
        if (raw == null) {
            return null;
        }
        if (!(raw instanceof Number n) || n.longValue() < 0 || n.doubleValue() != n.longValue()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "'from' must be a non-negative integer seq", id);
        }
        return n.longValue();
    }

    private static Double maxRate(JsonObject json, String id) throws ProtocolException {
        Object raw = json.getValue("maxRate");
        if (raw == null) {
            return null;
        }
        if (!(raw instanceof Number n) || !(n.doubleValue() > 0) || Double.isInfinite(n.doubleValue())) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "'maxRate' must be a positive number", id);
        }
        return n.doubleValue();
    }

    private static <T> T optional(JsonObject json, String key, Class<T> type, String what, String id, T dflt)
            throws ProtocolException {
        Object raw = json.getValue(key);
        if (raw == null) {
            return dflt;
        }
        if (!type.isInstance(raw)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "'" + key + "' must be " + what, id);
        }
        return type.cast(raw);
    }

    private static String truncate(String s) {
        return s.length() <= 160 ? s : s.substring(0, 160) + "...";
    }
}
