package io.tickstream.http;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/**
 * The inbound side of a server WebSocket: data frames go through a {@link MessageAssembler}, whole
 * messages to a {@link Listener}, and a message or frame that breaks the rules closes the
 * connection with its code and reason. Shared by the server and the conformance echo endpoint
 * (tests), so that the Autobahn fuzzing client exercises exactly the production rules.
 *
 * <p>Frames Netty's decoder refuses (malformed: {@code 1002}; over the frame size limit:
 * {@code 1009}) reach Vert.x's exception handler as a {@link CorruptedWebSocketFrameException};
 * Vert.x would drop the connection without saying why, so they are answered with a close frame
 * carrying the decoder's code.
 *
 * <p>Threading: the socket's event loop.
 */
final class InboundFrames {

    /** Where the messages of one connection go. Called on the socket's event loop. */
    interface Listener {
        void onText(String text);

        /** A binary message; only with an assembler that allows them (the protocol's does not). */
        default void onBinary(Buffer data) {
            throw new IllegalStateException("binary message from a text-only assembler");
        }

        /** The connection is being closed for a bad frame or message (close frame already sent). */
        void onRefused();

        /** Any other error of the socket (reset, I/O); the socket's own close handler follows. */
        void onError(Throwable e);
    }

    private InboundFrames() {
    }

    /** Installs the frame and exception handlers on {@code ws}; call before the socket is read. */
    static void attach(ServerWebSocket ws, MessageAssembler assembler, Listener listener) {
        ws.frameHandler(frame -> {
            MessageAssembler.Result r = assembler.accept(frame);
            if (r.close() != null) {
                refuse(ws, r.close().code(), r.close().reason(), listener);
            } else if (r.text() != null) {
                listener.onText(r.text());
            } else if (r.binary() != null) {
                listener.onBinary(r.binary());
            }
        });
        ws.exceptionHandler(e -> {
            if (e instanceof CorruptedWebSocketFrameException bad) {
                refuse(ws, (short) bad.closeStatus().code(), bad.closeStatus().reasonText(), listener);
            } else {
                listener.onError(e);
            }
        });
    }

    private static void refuse(ServerWebSocket ws, short code, String reason, Listener listener) {
        if (!ws.isClosed()) {
            ws.close(code, reason);
        }
        listener.onRefused();
    }
}
