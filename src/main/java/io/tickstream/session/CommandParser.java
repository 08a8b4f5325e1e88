package io.tickstream.session;

import io.tickstream.feed.TopicPattern;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
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
            case "snapshot" -> new ClientCommand.Snapshot(id, topics(json, id), seq(json, "at", id));
            case "replay" -> replay(json, id);
            case "cancel" -> new ClientCommand.Cancel(required(id, "cancel"));
            default -> throw new ProtocolException(ErrorCode.UNKNOWN_OP, "unknown op '" + truncate(name)
                    + "' (subscribe, unsubscribe, ping, snapshot, replay, cancel)", id);
        };
    }

    /** A replay needs an {@code id}: its messages carry it, and {@code cancel} names it. */
    private ClientCommand.Replay replay(JsonObject json, String id) throws ProtocolException {
        required(id, "replay");
        List<TopicPattern> topics = topics(json, id);
        Long from = time(json, "fromTime", id);
        if (from == null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "'fromTime' is required", id);
        }
        Long to = time(json, "toTime", id);
        if (to != null && to < from) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "'toTime' is before 'fromTime'", id);
        }
        Object rawSpeed = json.getValue("speed");
        double speed = 1;
        if (rawSpeed != null) {
            if (!(rawSpeed instanceof Number n) || !(n.doubleValue() >= 0) || Double.isInfinite(n.doubleValue())) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST,
                        "'speed' must be a number >= 0 (1 as written, 10 ten times faster, 0 as fast as possible)", id);
            }
            speed = n.doubleValue();
        }
        return new ClientCommand.Replay(id, topics, from, to, speed);
    }

    private static String required(String id, String op) throws ProtocolException {
        if (id == null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "'id' is required for " + op, null);
        }
        return id;
    }

    /** A time: microseconds since the epoch, or an ISO-8601 string ({@code 2026-12-02T10:31:07Z}). */
    private static Long time(JsonObject json, String key, String id) throws ProtocolException {
        Object raw = json.getValue(key);
        if (raw == null) {
            return null;
        }
        String what = "'" + key + "' must be microseconds since the epoch or an ISO-8601 time";
        if (raw instanceof Number n) {
            if (n.longValue() < 0 || n.doubleValue() != n.longValue()) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, what, id);
            }
            return n.longValue();
        }
        if (raw instanceof String s) {
            try {
                Instant t = OffsetDateTime.parse(s).toInstant();
                return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, what + " (" + truncate(s) + ")", id);
            }
        }
        throw new ProtocolException(ErrorCode.BAD_REQUEST, what, id);
    }

    /** With {@code from}, {@code snapshot} defaults to false (the contract's Resume); without, to true. */
    private ClientCommand.Subscribe subscribe(JsonObject json, String id) throws ProtocolException {
        List<TopicPattern> topics = topics(json, id);
        Long from = seq(json, "from", id);
        boolean snapshot = optional(json, "snapshot", Boolean.class, "a boolean", id, from == null);
        boolean trace = optional(json, "trace", Boolean.class, "a boolean", id, false);
        return new ClientCommand.Subscribe(id, topics, snapshot, from, maxRate(json, id), staleness(json, id), trace);
    }

    private static Long staleness(JsonObject json, String id) throws ProtocolException {
        Object raw = json.getValue("maxStalenessMs");
        if (raw == null) {
            return null;
        }
        if (!(raw instanceof Number n) || n.longValue() < 1 || n.doubleValue() != n.longValue()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "'maxStalenessMs' must be a positive integer", id);
        }
        return n.longValue();
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

    private static Long seq(JsonObject json, String key, String id) throws ProtocolException {
        Object raw = json.getValue(key);
        if (raw == null) {
            return null;
        }
        if (!(raw instanceof Number n) || n.longValue() < 0 || n.doubleValue() != n.longValue()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "'" + key + "' must be a non-negative integer seq", id);
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
