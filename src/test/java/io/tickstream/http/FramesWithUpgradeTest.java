package io.tickstream.http;

import static io.tickstream.support.RawWebSocket.BINARY;
import static io.tickstream.support.RawWebSocket.TEXT;
import static io.tickstream.support.RawWebSocket.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tickstream.ServerMain;
import io.tickstream.config.ServerConfig;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
import io.tickstream.support.RawWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Frames a client writes together with its upgrade request, without waiting for the {@code 101}
 * (one write, so one TCP segment on loopback): the server reads them like any later frame, so a
 * command is answered and a frame that breaks the rules is closed with its code, never dropped in
 * silence. Against the real server, through its whole upgrade path (router, admission).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FramesWithUpgradeTest {

    @TempDir
    static Path dir;

    private static ServerMain server;

    @BeforeAll
    static void start() throws Exception {
        server = Fixture.startServer(Fixture.server(dir.resolve("queue")).with(ServerConfig.HOST, "127.0.0.1"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static byte[] text(String json) {
        return frame(true, TEXT, json.getBytes(StandardCharsets.UTF_8));
    }

    /** The server's messages up to and including the first of {@code type} (frames may pack several). */
    private static List<JsonObject> readUntil(RawWebSocket ws, String type) throws IOException {
        List<JsonObject> seen = new ArrayList<>();
        for (RawWebSocket.Frame f = ws.readFrame(); f != null; f = ws.readFrame()) {
            if (f.opcode() != TEXT) {
                throw new AssertionError("a frame of opcode " + f.opcode() + " before a " + type + ", after " + seen);
            }
            String body = f.text();
            List<JsonObject> messages = new ArrayList<>();
            if (body.startsWith("[")) {
                new JsonArray(body).forEach(m -> messages.add((JsonObject) m));
            } else {
                messages.add(new JsonObject(body));
            }
            for (JsonObject m : messages) {
                seen.add(m);
                if (type.equals(m.getString("type"))) {
                    return seen;
                }
            }
        }
        throw new EOFException("connection closed before a " + type + ", after " + seen);
    }

    @RepeatedTest(5)
    void shouldAnswerPingSentWithTheUpgradeRequest() throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(server.port(), text("{\"op\":\"ping\",\"id\":\"x\"}"))) {
            List<JsonObject> got = readUntil(ws, "pong");
            assertEquals("welcome", got.get(0).getString("type"), "the welcome comes first: " + got);
            assertEquals("x", got.get(got.size() - 1).getString("id"));
        }
    }

    @Test
    void shouldAnswerSubscribeSentWithTheUpgradeRequest() throws Exception {
        byte[] subscribe = text(Messages.subscribe("s1", "stocks.*").json().encode());
        try (RawWebSocket ws = RawWebSocket.connect(server.port(), subscribe)) {
            List<JsonObject> got = readUntil(ws, "subscribed");
            assertEquals("welcome", got.get(0).getString("type"), "the welcome comes first: " + got);
            assertEquals("s1", got.get(got.size() - 1).getString("id"));
        }
    }

    @Test
    void shouldAnswerEveryCommandOfSeveralSentWithTheUpgradeRequest() throws Exception {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) {
            frames.writeBytes(text("{\"op\":\"ping\",\"id\":\"p" + i + "\"}"));
        }
        try (RawWebSocket ws = RawWebSocket.connect(server.port(), frames.toByteArray())) {
            List<String> pongs = new ArrayList<>();
            while (pongs.size() < 3) {
                List<JsonObject> got = readUntil(ws, "pong");
                pongs.add(got.get(got.size() - 1).getString("id"));
            }
            assertEquals(List.of("p0", "p1", "p2"), pongs);
        }
    }

    @Test
    void shouldCloseABinaryFrameSentWithTheUpgradeRequest() throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(server.port(), frame(true, BINARY, new byte[] {1, 2, 3}))) {
            assertEquals(1003, ws.awaitClose().closeCode());
        }
    }

    @Test
    void shouldCloseAnUnmaskedFrameSentWithTheUpgradeRequest() throws Exception {
        byte[] unmasked = frame(true, 0, TEXT, "{\"op\":\"ping\"}".getBytes(StandardCharsets.UTF_8), false);
        try (RawWebSocket ws = RawWebSocket.connect(server.port(), unmasked)) {
            assertEquals(1002, ws.awaitClose().closeCode());
        }
    }
}
