package io.tickstream.session;

/** The protocol's error codes (docs/protocol.md, Errors). */
public final class ErrorCode {

    public static final String BAD_JSON = "bad_json";
    public static final String BAD_REQUEST = "bad_request";
    public static final String UNKNOWN_OP = "unknown_op";
    public static final String INVALID_TOPIC = "invalid_topic";
    public static final String TOO_MANY_SUBSCRIPTIONS = "too_many_subscriptions";
    public static final String RATE_LIMITED = "rate_limited";
    public static final String RESUME_UNAVAILABLE = "resume_unavailable";
    public static final String RESUME_AHEAD = "resume_ahead";
    public static final String REPLAY_UNAVAILABLE = "replay_unavailable";
    public static final String TOO_MANY_REPLAYS = "too_many_replays";
    public static final String FORBIDDEN = "forbidden";

    private ErrorCode() {
    }
}
