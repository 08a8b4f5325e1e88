package io.tickstream.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The frames as they go on the wire, and their lifetime in the loop's cache. */
class WireFramesTest {

    /**
     * Direct buffers whose duplicates share their parent's reference count, and no leak-detection
     * wrapper (whatever io.netty.leakDetection.level says): so that {@code unwrap()} is the frame kept
     * and its count can be read. The server's allocator is the pooled one, whose duplicates count
     * their own references; the lifetime they give the frame is the same.
     */
    private static final UnpooledByteBufAllocator ROOTED = new UnpooledByteBufAllocator(true, true);

    @Test
    void headersFollowRfc6455ForEachLengthClass() {
        assertHeader(0, new byte[] {(byte) 0x81, 0});
        assertHeader(125, new byte[] {(byte) 0x81, 125});
        assertHeader(126, new byte[] {(byte) 0x81, 126, 0, 126});
        assertHeader(65_535, new byte[] {(byte) 0x81, 126, (byte) 0xFF, (byte) 0xFF});
        assertHeader(65_536, new byte[] {(byte) 0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0});
        ByteBuf binary = WireFrames.frame(UnpooledByteBufAllocator.DEFAULT, WireFrames.BINARY, new byte[] {7});
        assertEquals(0x82, binary.getUnsignedByte(0));
        assertEquals(7, binary.getByte(2));
        binary.release();
    }

    private static void assertHeader(int length, byte[] header) {
        byte[] payload = new byte[length];
        if (length > 0) {
            payload[length - 1] = 42;
        }
        ByteBuf frame = WireFrames.frame(UnpooledByteBufAllocator.DEFAULT, WireFrames.TEXT, payload);
        byte[] head = new byte[header.length];
        frame.getBytes(0, head);
        assertArrayEquals(header, head, "header of a " + length + "-byte payload");
        assertEquals(header.length + length, frame.readableBytes());
        if (length > 0) {
            assertEquals(42, frame.getByte(frame.writerIndex() - 1));
        }
        frame.release();
    }

    @Test
    void theSamePayloadIsEncodedOnceAndEachWriteGetsItsOwnView() {
        WireFrames frames = new WireFrames(ROOTED);
        byte[] message = "{\"type\":\"tick\"}".getBytes();
        ByteBuf first = frames.text(message);
        ByteBuf second = frames.text(message);
        assertNotSame(first, second);
        first.skipBytes(first.readableBytes());   // as a channel's write does
        assertEquals(2 + message.length, second.readableBytes(), "one write's progress moves no other");
        ByteBuf shared = first.unwrap();
        assertSame(shared, second.unwrap(), "one buffer under both");
        first.release();
        second.release();
        assertEquals(1, shared.refCnt(), "the cache's own reference is left");
        frames.close();
        assertEquals(0, shared.refCnt());
    }

    @Test
    void aFramePushedOutOfTheCacheLivesOnlyAsLongAsItsWritesAndAnEqualArrayIsAnotherPayload() {
        WireFrames frames = new WireFrames(ROOTED);
        ByteBuf queued = frames.text("first".getBytes());
        ByteBuf first = queued.unwrap();
        List<ByteBuf> written = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            written.add(frames.text("first".getBytes()));   // equal bytes, other arrays: other frames
        }
        assertEquals(1, first.refCnt(), "pushed out by newer payloads: only the queued write holds it");
        queued.release();
        assertEquals(0, first.refCnt());
        List<ByteBuf> kept = written.stream().map(ByteBuf::unwrap).toList();
        written.forEach(ByteBuf::release);
        frames.close();
        kept.forEach(b -> assertEquals(0, b.refCnt(), "released at close"));
    }

    @Test
    void afterCloseAFrameBelongsToItsWriteAlone() {
        WireFrames frames = new WireFrames(ROOTED);
        frames.close();
        byte[] message = "{}".getBytes();
        ByteBuf write = frames.text(message);
        assertEquals(1, write.refCnt(), "nobody else holds it");
        ByteBuf other = frames.text(message);
        assertNotSame(write, other);
        other.release();
        write.release();
        assertEquals(0, write.refCnt(), "released with its write");
    }
}
