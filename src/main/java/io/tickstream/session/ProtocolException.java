package io.tickstream.session;

/**
 * A client message the server answers with an {@code error} (see the protocol's error table).
 * The connection stays open.
 */
public final class ProtocolException extends Exception {

    private final String code;
    private final String id;

    /**
     * @param code    the protocol error code, e.g. {@code bad_request}
     * @param message a sentence for the client
     * @param id      the client message's {@code id}, or {@code null}
     */
    public ProtocolException(String code, String message, String id) {
        super(message, null, false, false);
        this.code = code;
        this.id = id;
    }

    public String code() {
        return code;
    }

    public String id() {
        return id;
    }
}
