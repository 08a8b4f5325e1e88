package io.tickstream.session;

/**
 * Every WebSocket close code the server sends, with its reason: the one list of them (the
 * protocol's close codes and this server's 4xxx ones, see docs/protocol.md). Where the reason
 * says more than the default (which limit, which frame), the caller passes its own text.
 */
public enum CloseReason {

    /** The server is stopping (after its drain). */
    GOING_AWAY(1001, "going away"),
    /** A frame the WebSocket rules forbid (an unmasked frame, a bad continuation, ...). */
    PROTOCOL_ERROR(1002, "protocol error"),
    /** A binary frame: the protocol is JSON text. */
    UNSUPPORTED_DATA(1003, "binary frames are not supported; send JSON text"),
    /** Invalid UTF-8 in a text message. */
    INVALID_PAYLOAD(1007, "invalid UTF-8 in a text message"),
    /** A client that keeps sending over its message rate. */
    POLICY_VIOLATION(1008, "rate limit exceeded"),
    /** A frame or message over the size limit. */
    TOO_BIG(1009, "message too big"),
    /** A failure of the server's own, for this connection alone. */
    INTERNAL_ERROR(1011, "internal error"),
    /** A connection that cannot keep up: backlog over its limit past the grace, or a stalled socket. */
    SLOW_CONSUMER(4001, "slow consumer"),
    /** A client that sent nothing, not even a pong, for the idle timeout. */
    IDLE(4002, "idle timeout"),
    /** A connection whose access token expired. */
    TOKEN_EXPIRED(4003, "token expired");

    private final short code;
    private final String reason;

    CloseReason(int code, String reason) {
        this.code = (short) code;
        this.reason = reason;
    }

    /** The WebSocket close code. */
    public short code() {
        return code;
    }

    /** The reason sent with the code unless the caller gives a more precise one. */
    public String reason() {
        return reason;
    }
}
