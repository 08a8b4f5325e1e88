package io.tickstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.websocket.WebSocketFrameImpl;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageAssemblerTest {

    private final MessageAssembler assembler = new MessageAssembler(16);

    /** A text frame of raw bytes, valid UTF-8 or not (the public factory takes a String). */
    private static WebSocketFrame textBytes(String hex, boolean fin) {
        return new WebSocketFrameImpl(WebSocketFrameType.TEXT, Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex)),
                fin);
    }

    private static WebSocketFrame more(String hex, boolean fin) {
        return WebSocketFrame.continuationFrame(Buffer.buffer(HexFormat.of().parseHex(hex)), fin);
    }

    @Test
    void shouldJoinACharacterSplitAcrossFragments() {
        // "é€" = c3 a9 e2 82 ac, split inside both characters
        assertEquals(MessageAssembler.Result.MORE, assembler.accept(textBytes("c3", false)));
        assertEquals(MessageAssembler.Result.MORE, assembler.accept(more("a9e2", false)));
        assertEquals("é€", assembler.accept(more("82ac", true)).text());
    }

    @ParameterizedTest
    @ValueSource(strings = {"c328", "c0af", "e080af", "eda080", "f4908080", "f8", "ff", "80"})
    void shouldClose1007OnTheFrameThatMakesTheTextInvalid(String hex) {
        assertEquals(MessageAssembler.Result.MORE, assembler.accept(textBytes("7b", false)));
        assertEquals(1007, assembler.accept(more(hex, false)).close().code(), "fails fast, before the final frame");
    }

    @Test
    void shouldClose1007WhenTheMessageEndsInsideACharacter() {
        assertEquals(1007, assembler.accept(textBytes("7be282", true)).close().code());
    }

    @Test
    void shouldClose1009WhenFragmentsTogetherPassTheLimit() {
        assertEquals(MessageAssembler.Result.MORE, assembler.accept(textBytes("41".repeat(10), false)));
        assertEquals(1009, assembler.accept(more("41".repeat(7), true)).close().code());
    }

    @Test
    void shouldAcceptAMessageOfExactlyTheLimit() {
        assertEquals("A".repeat(16), assembler.accept(textBytes("41".repeat(16), true)).text());
    }

    @Test
    void shouldIgnoreEverythingAfterAClose() {
        assertEquals(1009, assembler.accept(textBytes("41".repeat(17), true)).close().code());
        assertEquals(MessageAssembler.Result.MORE, assembler.accept(more("41", true)));
        assertEquals(MessageAssembler.Result.MORE, assembler.accept(textBytes("41", true)));
    }

    @Test
    void shouldClose1002OnAContinuationWithNothingToContinue() {
        assertEquals(1002, assembler.accept(more("41", true)).close().code());
    }

    @Test
    void shouldClose1002OnANewMessageInsideAFragmentedOne() {
        assertEquals(MessageAssembler.Result.MORE, assembler.accept(textBytes("41", false)));
        assertEquals(1002, assembler.accept(textBytes("42", true)).close().code());
    }

    @Test
    void shouldClose1003OnBinaryUnlessAllowed() {
        assertEquals(1003, assembler.accept(WebSocketFrame.binaryFrame(Buffer.buffer("x"), true)).close().code());
        MessageAssembler echo = new MessageAssembler(16, true);
        assertEquals(MessageAssembler.Result.MORE, echo.accept(WebSocketFrame.binaryFrame(Buffer.buffer("\u00ff"),
                false)));
        MessageAssembler.Result r = echo.accept(more("c3", true));
        assertNull(r.close(), "binary is not checked as UTF-8");
        assertEquals(Buffer.buffer(new byte[] {(byte) 0xc3, (byte) 0xbf, (byte) 0xc3}), r.binary());
    }
}
