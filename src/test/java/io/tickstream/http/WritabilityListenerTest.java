package io.tickstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.tickstream.support.Fixture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When a connection hears that its channel drained: after the write that drained it, once. */
class WritabilityListenerTest {

    @Test
    void theConnectionIsToldAfterTheWriteThatDrainedTheChannelNeverInsideIt() throws Exception {
        DefaultEventLoopGroup loop = new DefaultEventLoopGroup(1);
        try {
            LocalAddress address = new LocalAddress("writability-" + System.nanoTime());
            Channel server = new ServerBootstrap().group(loop).channel(LocalServerChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter()).bind(address).sync().channel();
            Channel channel = new Bootstrap().group(loop).channel(LocalChannel.class)
                    .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
            channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
            boolean[] writing = {false};
            List<Boolean> told = new CopyOnWriteArrayList<>();   // each time it was told: from inside a write?
            WritabilityListener.attach(channel, () -> told.add(writing[0]));

            loop.submit(() -> {
                writing[0] = true;
                // over the high-water mark as it is queued, under the low one once flushed to the peer:
                // Netty fires both changes from inside each of these calls
                channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[32]));
                channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[32]));
                writing[0] = false;
            }).sync();
            Fixture.await(() -> !told.isEmpty(), Duration.ofSeconds(5), "told that the channel drained");
            loop.submit(() -> { }).sync();   // anything else it was to be told has run by now
            assertEquals(List.of(false), told, "told after the writes, never inside one");
            channel.close().sync();
            server.close().sync();
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
