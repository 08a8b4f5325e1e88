package io.tickstream.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Puts a client's data frames back into whole text messages and enforces the protocol's rules on
 * them: text only (binary is closed {@code 1003}), at most {@code maxMessageBytes} (else
 * {@code 1009}), valid UTF-8 (else {@code 1007}).
 *
 * <p>Not thread-safe: one per connection, on its event loop.
 */
final class MessageAssembler {

    static final short CLOSE_PROTOCOL_ERROR = 1002;
    static final short CLOSE_UNSUPPORTED_DATA = 1003;
    static final short CLOSE_INVALID_PAYLOAD = 1007;
    static final short CLOSE_TOO_BIG = 1009;

    /** Why a connection must be closed: a WebSocket close code and reason. */
    record Close(short code, String reason) {
    }

    /** The outcome of one frame: a complete message, a close, or neither yet. */
    record Result(String text, Close close) {
        static final Result MORE = new Result(null, null);
    }

    private final int maxMessageBytes;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private Buffer partial;

    MessageAssembler(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    Result accept(WebSocketFrame frame) {
        if (frame.isBinary()) {
            return close(CLOSE_UNSUPPORTED_DATA, "binary frames are not supported; send JSON text");
        }
        if (frame.isText()) {
            partial = Buffer.buffer();
        } else if (!frame.isContinuation()) {
            return Result.MORE; // ping, pong and close are Vert.x's
        } else if (partial == null) {
            return close(CLOSE_PROTOCOL_ERROR, "continuation frame with no message to continue");
        }
        Buffer data = frame.binaryData();
        if (partial.length() + data.length() > maxMessageBytes) {
            partial = null;
            return close(CLOSE_TOO_BIG, "message over " + maxMessageBytes + " bytes");
        }
        partial.appendBuffer(data);
        if (!frame.isFinal()) {
            return Result.MORE;
        }
        Buffer whole = partial;
        partial = null;
        try {
            return new Result(utf8.decode(ByteBuffer.wrap(whole.getBytes())).toString(), null);
        } catch (CharacterCodingException e) {
            return close(CLOSE_INVALID_PAYLOAD, "invalid UTF-8 in a text message");
        }
    }

    private Result close(short code, String reason) {
        partial = null;
        return new Result(null, new Close(code, reason));
    }
}
