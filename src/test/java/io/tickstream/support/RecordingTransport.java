package io.tickstream.support;

import io.tickstream.session.CloseReason;
import io.tickstream.session.Transport;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A {@link Transport} without a socket, for tests of one connection's outbound path: it keeps every
 * frame written, in order, and can hand each message on as it is written (array frames unpacked).
 * Its write queue is full when the test says so, or once {@link #room} frames more have been
 * written. Closing it fails the test unless the test said it may ({@link #allowClose}); ping and
 * abort do nothing.
 * Owned by the test thread, like the session or outbox writing to it.
 */
public final class RecordingTransport implements Transport {

    private final Consumer<JsonObject> onMessage;
    private final List<byte[]> raw = new ArrayList<>();
    private boolean full;
    private int room = Integer.MAX_VALUE;
    private boolean closeAllowed;
    private CloseReason closedWith;

    /** Keeps the frames written; see {@link #frames()} and {@link #raw()}. */
    public RecordingTransport() {
        this(null);
    }

    /** Keeps the frames written and hands each message in them (JSON) to {@code onMessage}, in order. */
    public RecordingTransport(Consumer<JsonObject> onMessage) {
        this.onMessage = onMessage;
    }

    @Override
    public void writeText(byte[] utf8) {
        raw.add(utf8);
        if (--room <= 0) {
            full = true;
        }
        if (onMessage == null) {
            return;
        }
        Object frame = Json.decodeValue(new String(utf8, StandardCharsets.UTF_8));
        if (frame instanceof JsonArray array) {
            array.forEach(m -> onMessage.accept((JsonObject) m));
        } else {
            onMessage.accept((JsonObject) frame);
        }
    }

    @Override
    public boolean writeQueueFull() {
        return full;
    }

    @Override
    public void ping() {
    }

    @Override
    public void close(CloseReason why, String reason) {
        if (!closeAllowed) {
            throw new AssertionError("closed: " + why + " (" + reason + ")");
        }
        closedWith = why;
    }

    @Override
    public void abort() {
    }

    /** Lets the writer close it, from now on: the reason is kept ({@link #closedWith()}) instead of failing. */
    public void allowClose() {
        this.closeAllowed = true;
    }

    /** Why it was closed, or {@code null} while it is open. */
    public CloseReason closedWith() {
        return closedWith;
    }

    /** Makes the write queue full (over its high-water mark) or not, from now on. */
    public void full(boolean full) {
        this.full = full;
    }

    /** Lets {@code frames} more frames be written before the write queue turns full; no limit by default. */
    public void room(int frames) {
        this.room = frames;
    }

    /** The frames written, in order, as the very arrays the writer passed. */
    public List<byte[]> raw() {
        return raw;
    }

    /** The frames written, in order, as text. */
    public List<String> frames() {
        return raw.stream().map(f -> new String(f, StandardCharsets.UTF_8)).toList();
    }
}
