package io.tickstream.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How messages are packed into frames: one alone, several as a JSON array within the limit. */
class FramePackerTest {

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] frame) {
        return new String(frame, StandardCharsets.UTF_8);
    }

    /** A JSON object of exactly {@code length} bytes. */
    private static byte[] objectOf(int length) {
        return json("{\"p\":\"" + "x".repeat(length - 8) + "\"}");
    }

    @Test
    void shouldWriteOneMessageAloneAsItIs() {
        byte[] m = json("{\"a\":1}");

        List<byte[]> frames = new FramePacker(1000).pack(List.of(m));

        assertEquals(1, frames.size());
        assertSame(m, frames.get(0));
    }

    @Test
    void shouldPackSeveralMessagesAsOneJsonArray() {
        List<byte[]> parts = List.of(json("{\"a\":1}"), json("{\"b\":2}"), json("{\"c\":3}"));

        List<byte[]> frames = new FramePacker(1000).pack(parts);

        assertEquals(1, frames.size());
        assertEquals("[{\"a\":1},{\"b\":2},{\"c\":3}]", text(frames.get(0)));
    }

    @Test
    void shouldSendASingleMessageLargerThanTheLimitWhole() {
        byte[] large = objectOf(500);

        List<byte[]> frames = new FramePacker(100).pack(List.of(objectOf(10), large, objectOf(10)));

        assertEquals(3, frames.size());
        assertSame(large, frames.get(1));
    }

    @Test
    void shouldKeepEveryArrayWithinTheLimitAndEveryMessageInOrder() {
        int max = 100;
        List<byte[]> parts = new ArrayList<>();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            String m = "{\"n\":" + i + ",\"p\":\"" + "x".repeat(i % 17) + "\"}";
            parts.add(json(m));
            expected.append(m);
        }

        List<byte[]> frames = new FramePacker(max).pack(parts);

        StringBuilder written = new StringBuilder();
        for (byte[] frame : frames) {
            assertTrue(frame.length <= max, "a frame of " + frame.length + " bytes");
            String t = text(frame);
            written.append(t.startsWith("[") ? t.substring(1, t.length() - 1).replace("},{", "}{") : t);
        }
        assertEquals(expected.toString(), written.toString());
        assertTrue(frames.size() < parts.size(), "messages were packed together");
    }

    @Test
    void shouldFillAFrameToExactlyTheLimitAndNoFurther() {
        // two 48-byte messages make a 99-byte array: [a,b]
        FramePacker packer = new FramePacker(99);

        assertEquals(1, packer.pack(List.of(objectOf(48), objectOf(48))).size());
        assertEquals(2, new FramePacker(98).pack(List.of(objectOf(48), objectOf(48))).size());
        assertTrue(packer.fits(0, 0, 1_000), "the first message always fits");
        assertTrue(packer.fits(1, 48, 48));
        assertFalse(packer.fits(1, 48, 49));
    }

    @Test
    void shouldPackLiveMessagesWithTheirConflatedCount() {
        EncodedMessage plain = new EncodedMessage("stocks.A", 1, 10, FeedMessage.Kind.TICK, true, json("{\"a\":1}"), 0);
        EncodedMessage conflated = plain.plusConflated(3);

        List<byte[]> frames = new FramePacker(1000).packLive(List.of(plain, conflated));

        assertEquals("[{\"a\":1},{\"a\":1,\"conflated\":3}]", text(frames.get(0)));
    }
}
