package io.tickstream.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.tickstream.session.CloseReason;
import io.tickstream.session.Transport;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.websocket.WebSocketFrameImpl;

/**
 * {@link Transport} over a Vert.x {@link ServerWebSocket}.
 *
 * <p>Text frames are written from the already-encoded UTF-8 bytes. Vert.x's public API only makes
 * text frames from a {@code String}, which would decode and re-encode every message for every
 * subscriber; its frame implementation takes bytes, wrapped here without a copy (each write gets
 * its own wrapper, so the shared array is never consumed or released by Netty).
 *
 * <p>Threading: the socket's event loop only.
 */
final class WebSocketTransport implements Transport {

    private final ServerWebSocket ws;
    /** The socket's TCP connection, for {@link #abort()}. */
    private final Channel channel;

    WebSocketTransport(ServerWebSocket ws, Channel channel) {
        this.ws = ws;
        this.channel = channel;
    }

    @Override
    public void writeText(byte[] utf8) {
        write(WebSocketFrameType.TEXT, utf8);
    }

    /** Writes one complete binary frame. The protocol sends none; the conformance echo endpoint does. */
    void writeBinary(Buffer data) {
        write(WebSocketFrameType.BINARY, data.getBytes());
    }

    private void write(WebSocketFrameType type, byte[] payload) {
        if (!ws.isClosed()) {
            ws.writeFrame(new WebSocketFrameImpl(type, Unpooled.wrappedBuffer(payload), true));
        }
    }

    @Override
    public void ping() {
        if (!ws.isClosed()) {
            ws.writePing(Buffer.buffer("tickstream"));
        }
    }

    /** A closed socket is never full: writes to it are dropped, and its close handler is on its way. */
    @Override
    public boolean writeQueueFull() {
        return !ws.isClosed() && ws.writeQueueFull();
    }

    @Override
    public void close(CloseReason why, String reason) {
        if (!ws.isClosed()) {
            ws.close(why.code(), reason);
        }
    }

    /**
     * Vert.x has no call for this: once a close frame is queued, every close of the connection (the
     * socket's, the HTTP server's, Vert.x's own at shutdown) passes through Vert.x's handler, which
     * waits for that frame to be written, and it never is while the client does not read. So the
     * close starts below every handler of the channel's pipeline, with {@code SO_LINGER} 0 so that
     * the kernel drops the unsent bytes and sends a reset. Vert.x sees the channel go inactive and
     * runs the socket's close handler as for any other lost connection.
     */
    @Override
    public void abort() {
        if (channel == null) {
            close(CloseReason.GOING_AWAY);   // not an HTTP/1.1 connection of Vert.x's: the best there is
        } else if (channel.isOpen()) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.pipeline().firstContext().close();
        }
    }
}
