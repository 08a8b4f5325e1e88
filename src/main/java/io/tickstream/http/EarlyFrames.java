package io.tickstream.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Holds the WebSocket frames a client sends before the upgrade is complete, and hands them to the
 * WebSocket once its handlers are set, so that they are read like any later frame.
 *
 * <p>Why: a client may write its first frames together with the upgrade request, without waiting
 * for the {@code 101} (RFC 6455 4.1 asks it to wait; some do not). Netty's HTTP decoder then holds
 * those bytes and, when the handshake swaps it for the WebSocket decoder, forwards them as frames
 * at once, while Vert.x 5.2 is still writing the {@code 101}. Vert.x drops every frame that arrives
 * in that window and then closes the connection without a close frame ({@code toWebSocket()} fails
 * with "Connection was closed"): the client sees its upgrade accepted and the connection end. A
 * frame Netty's decoder refuses (unmasked, say) fails the HTTP connection even before the
 * {@code 101}. Vert.x's public API has no hook before the WebSocket exists, so this handler sits
 * in the connection's Netty pipeline, just before Vert.x's connection handler, from the upgrade
 * request until {@link #release}: frames and the decoder's refusals wait here, everything else
 * (the end of the HTTP request) passes.
 *
 * <p>Relies on Vert.x internals (the connection's {@code HttpServerConnection#channelHandlerContext},
 * looked up by {@link WebSocketAcceptor});
 * {@code FramesWithUpgradeTest} fails if a Vert.x upgrade changes them.
 *
 * <p>Threading: the connection's event loop.
 */
final class EarlyFrames extends ChannelInboundHandlerAdapter {

    private static final String NAME = "tickstream-early-frames";

    /**
     * Frames ({@link WebSocketFrame}) and refusals ({@link CorruptedWebSocketFrameException}), in arrival
     * order. Most connections send nothing before their session starts: sized for none, it grows on the first.
     */
    private final ArrayDeque<Object> held = new ArrayDeque<>(0);
    private ChannelHandlerContext ctx;

    private EarlyFrames() {
    }

    /**
     * Starts holding the frames of a connection, just before Vert.x's handler of it; call in the
     * request handler, before {@code toWebSocket()}. Returns a holder that does nothing when
     * {@code vertxHandler} is null (a connection that is not a Vert.x HTTP/1.1 one).
     *
     * @param vertxHandler the context of Vert.x's handler in the connection's pipeline
     */
    static EarlyFrames install(ChannelHandlerContext vertxHandler) {
        EarlyFrames holder = new EarlyFrames();
        if (vertxHandler != null && !vertxHandler.isRemoved() && vertxHandler.pipeline().get(NAME) == null) {
            vertxHandler.pipeline().addBefore(vertxHandler.name(), NAME, holder);
        }
        return holder;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!hold(msg)) {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!hold(cause)) {
            ctx.fireExceptionCaught(cause);
        }
    }

    /** Holds {@code event} if it is a frame or a refusal of one, and says whether it did: false, it passes on. */
    private boolean hold(Object event) {
        boolean early = event instanceof WebSocketFrame || event instanceof CorruptedWebSocketFrameException;
        if (early) {
            held.add(event);
        }
        return early;
    }

    /**
     * Hands the held frames and refusals, in order, to the WebSocket (its handlers must be set) and
     * leaves the pipeline. From then on frames go straight to the WebSocket.
     */
    void release() {
        if (ctx == null || ctx.isRemoved()) {
            return;
        }
        while (!held.isEmpty()) {
            Object next = held.poll();
            if (next instanceof Throwable refusal) {
                ctx.fireExceptionCaught(refusal);
            } else {
                ctx.fireChannelRead(next);
            }
        }
        ctx.pipeline().remove(this);
    }

    /** Drops the held frames and leaves the pipeline: the upgrade failed. */
    void discard() {
        if (ctx != null && !ctx.isRemoved()) {
            ctx.pipeline().remove(this);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        held.forEach(ReferenceCountUtil::release);
        held.clear();
    }
}
