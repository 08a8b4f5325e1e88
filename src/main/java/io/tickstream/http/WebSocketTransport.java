package io.tickstream.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.tickstream.session.CloseReason;
import io.tickstream.session.Transport;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.websocket.WebSocketFrameImpl;

/**
 * {@link Transport} over a Vert.x {@link ServerWebSocket}.
 *
 * <p>Text frames are written from the already-encoded UTF-8 bytes, as the loop's {@link WireFrames}
 * made them: straight to the connection's channel, below Vert.x's WebSocket, with no promise. Vert.x's
 * public API only makes text frames from a {@code String} (a decode and an encode per subscriber),
 * and its frame path makes seven objects per write. Since these writes do not pass through Vert.x's
 * write queue, whether the socket is full is the channel's writability (its water marks are the ones
 * {@code setWriteQueueMaxSize} set), and the loop's {@link WritabilityListener} says when it drains.
 * Control frames (ping, close) still go through Vert.x, which owns the closing handshake.
 *
 * <p>Threading: the socket's event loop only.
 */
final class WebSocketTransport implements Transport {

    private final ServerWebSocket ws;
    /** The socket's TCP connection: where frames are written, and {@link #abort()}. */
    private final Channel channel;
    private final WireFrames frames;
    /**
     * For the frames written below Vert.x: no promise object, and a failed write fires no exception
     * down the pipeline (the channel's own void promise would, once per queued frame at a reset);
     * the close handler tells the session the connection is gone.
     */
    private final ChannelPromise noPromise;

    /** @param channel the socket's channel, or {@code null} when it is not Vert.x's HTTP/1.1 one */
    WebSocketTransport(ServerWebSocket ws, Channel channel, WireFrames frames) {
        this.ws = ws;
        this.channel = channel;
        this.frames = frames;
        this.noPromise = channel == null ? null : new VoidChannelPromise(channel, false);
    }

    @Override
    public void writeText(byte[] utf8) {
        write(WebSocketFrameType.TEXT, utf8);
    }

    /** Writes one complete binary frame. The protocol sends none; the conformance echo endpoint does. */
    void writeBinary(Buffer data) {
        write(WebSocketFrameType.BINARY, data.getBytes());
    }

    /** A text frame comes from the loop's {@link WireFrames}; a binary one (the echo's) is built for its write. */
    private void write(WebSocketFrameType type, byte[] payload) {
        if (ws.isClosed()) {
            return;
        }
        if (channel == null) {
            ws.writeFrame(new WebSocketFrameImpl(type, Unpooled.wrappedBuffer(payload), true));
        } else {
            channel.writeAndFlush(type == WebSocketFrameType.TEXT ? frames.text(payload)
                    : WireFrames.frame(channel.alloc(), WireFrames.BINARY, payload), noPromise);
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
        return !ws.isClosed() && (ws.writeQueueFull() || channel != null && !channel.isWritable());
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
