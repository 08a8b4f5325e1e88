package io.tickstream.auth;

/**
 * A token was refused. The message says why in words safe to show the client and to log: it never
 * contains the token or any part of it.
 */
public final class InvalidTokenException extends Exception {

    public InvalidTokenException(String reason) {
        super(reason, null, false, false);
    }
}
