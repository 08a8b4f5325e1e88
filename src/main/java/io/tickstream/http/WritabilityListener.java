package io.tickstream.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Tells a connection that its channel can take writes again: the drain of the frames
 * {@link WebSocketTransport} writes below Vert.x, whose own drain handler only follows Vert.x's write
 * queue. Passes the event on first, so Vert.x's view of the channel is current when the connection
 * writes.
 *
 * <p>The connection is told in a task of its own, never from inside the event: Netty fires it from
 * within a write, when the flush of the write brings the channel under its low-water mark, and the
 * connection's drain must not run inside its own write (it would write what that write is
 * writing). One task at a time, however often the channel flips.
 *
 * <p>Threading: the channel's event loop, the connection's.
 */
final class WritabilityListener extends ChannelInboundHandlerAdapter {

    private final Runnable onWritable;
    private boolean scheduled;

    private WritabilityListener(Runnable onWritable) {
        this.onWritable = onWritable;
    }

    /** Runs {@code onWritable} each time {@code channel} turns writable, until it closes. */
    static void attach(Channel channel, Runnable onWritable) {
        channel.pipeline().addFirst("tickstream-writability", new WritabilityListener(onWritable));
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.fireChannelWritabilityChanged();
        if (ctx.channel().isWritable() && !scheduled) {
            scheduled = true;
            ctx.executor().execute(() -> {
                scheduled = false;
                onWritable.run();
            });
        }
    }
}
