package io.tickstream.session;

/**
 * The wire under a {@link Session}: write a text frame, ping, close. Nothing else.
 *
 * <p>Threading: called only on the event loop that owns the session.
 */
public interface Transport {

    /** Writes one complete text frame; {@code utf8} is not modified afterwards by the caller. */
    void writeText(byte[] utf8);

    /** True while the socket's write queue is over its high-water mark. */
    boolean writeQueueFull();

    /** Sends a WebSocket ping (a live client answers with a pong: {@link Session#onHeard}). */
    void ping();

    /** Closes the connection with a WebSocket close code and its reason. */
    default void close(CloseReason why) {
        close(why, why.reason());
    }

    /** Closes the connection with a WebSocket close code and a reason more precise than its own. */
    void close(CloseReason why, String reason);

    /**
     * Ends the TCP connection at once with a reset, dropping whatever waits to be written (a close
     * frame included): for a connection that could not take its close frame in time.
     */
    void abort();
}
