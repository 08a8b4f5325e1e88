package io.tickstream.http;

import io.tickstream.session.CloseReason;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.nio.charset.StandardCharsets;

/**
 * Puts a client's data frames back into whole messages and enforces the protocol's rules on them:
 * text only (binary is closed {@code 1003}), at most {@code maxMessageBytes} over all the fragments
 * of a message (else {@code 1009}), valid UTF-8 (else {@code 1007}, as soon as a frame makes the
 * text invalid, not only at the end of the message), a continuation only after an unfinished
 * message (else {@code 1002}).
 *
 * <p>Once it has answered a close, it ignores every later frame (the connection is closing; a
 * client that goes on sending gets nothing more, and costs nothing more).
 *
 * <p>Memory: at most {@code maxMessageBytes} held per connection, whatever the number of fragments.
 *
 * <p>Not thread-safe: one per connection, on its event loop.
 */
final class MessageAssembler {

    /** Why a connection must be closed: a WebSocket close code and the reason sent with it. */
    record Close(CloseReason why, String reason) {

        /** The WebSocket close code. */
        short code() {
            return why.code();
        }
    }

    /** The outcome of one frame: a complete text or binary message, a close, or none of them yet. */
    record Result(String text, Buffer binary, Close close) {
        static final Result MORE = new Result(null, null, null);
    }

    private final int maxMessageBytes;
    private final boolean binaryAllowed;
    private final Utf8Validator utf8 = new Utf8Validator();
    /** The message being assembled, or null between messages. */
    private Buffer partial;
    private boolean partialIsText;
    private boolean refused;

    /** The protocol's assembler: text messages only. */
    MessageAssembler(int maxMessageBytes) {
        this(maxMessageBytes, false);
    }

    /**
     * @param binaryAllowed whether binary messages are assembled and delivered (with the same size
     *                      limit) instead of closing {@code 1003}; the protocol never allows them, the
     *                      conformance echo endpoint does, so that binary framing is tested too
     */
    MessageAssembler(int maxMessageBytes, boolean binaryAllowed) {
        this.maxMessageBytes = maxMessageBytes;
        this.binaryAllowed = binaryAllowed;
    }

    Result accept(WebSocketFrame frame) {
        if (refused) {
            return Result.MORE;
        }
        if (frame.isText() || frame.isBinary()) {
            if (partial != null) {
                return close(CloseReason.PROTOCOL_ERROR, "a new message before the previous one was finished");
            }
            if (frame.isBinary() && !binaryAllowed) {
                return close(CloseReason.UNSUPPORTED_DATA, CloseReason.UNSUPPORTED_DATA.reason());
            }
            partial = Buffer.buffer();
            partialIsText = frame.isText();
            utf8.reset();
        } else if (!frame.isContinuation()) {
            return Result.MORE; // ping, pong and close are Vert.x's
        } else if (partial == null) {
            return close(CloseReason.PROTOCOL_ERROR, "continuation frame with no message to continue");
        }
        Buffer data = frame.binaryData();
        if (partial.length() + data.length() > maxMessageBytes) {
            return close(CloseReason.TOO_BIG, "message over " + maxMessageBytes + " bytes");
        }
        if (partialIsText && !utf8.feed(data)) {
            return close(CloseReason.INVALID_PAYLOAD, CloseReason.INVALID_PAYLOAD.reason());
        }
        partial.appendBuffer(data);
        if (!frame.isFinal()) {
            return Result.MORE;
        }
        Buffer whole = partial;
        partial = null;
        if (!partialIsText) {
            return new Result(null, whole, null);
        }
        if (!utf8.complete()) {
            return close(CloseReason.INVALID_PAYLOAD, CloseReason.INVALID_PAYLOAD.reason());
        }
        return new Result(whole.toString(StandardCharsets.UTF_8), null, null);
    }

    private Result close(CloseReason why, String reason) {
        partial = null;
        refused = true;
        return new Result(null, null, new Close(why, reason));
    }

    /**
     * Validates UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) a chunk at
     * a time, so a sequence may be split across frames and an invalid byte is caught in the frame
     * that carries it.
     */
    static final class Utf8Validator {
        private int pending;
        private int lower = 0x80;
        private int upper = 0xBF;

        void reset() {
            pending = 0;
            lower = 0x80;
            upper = 0xBF;
        }

        /** Feeds the next bytes; false as soon as they cannot be part of valid UTF-8. */
        boolean feed(Buffer data) {
            for (int i = 0, n = data.length(); i < n; i++) {
                int b = data.getByte(i) & 0xFF;
                if (pending > 0) {
                    if (b < lower || b > upper) {
                        return false;
                    }
                    pending--;
                    lower = 0x80;
                    upper = 0xBF;
                } else if (b >= 0x80 && !lead(b)) {
                    return false;
                }
            }
            return true;
        }

        /** Whether the bytes fed so far end on a whole character. */
        boolean complete() {
            return pending == 0;
        }

        private boolean lead(int b) {
            if (b >= 0xC2 && b <= 0xDF) {
                pending = 1;
            } else if (b == 0xE0) {
                pending = 2;
                lower = 0xA0; // no overlong 3-byte forms
            } else if (b == 0xED) {
                pending = 2;
                upper = 0x9F; // no surrogates
            } else if (b >= 0xE1 && b <= 0xEF) {
                pending = 2;
            } else if (b == 0xF0) {
                pending = 3;
                lower = 0x90; // no overlong 4-byte forms
            } else if (b >= 0xF1 && b <= 0xF3) {
                pending = 3;
            } else if (b == 0xF4) {
                pending = 3;
                upper = 0x8F; // nothing above U+10FFFF
            } else {
                return false;
            }
            return true;
        }
    }
}
