package io.tickstream.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain {@link Socket}, for sending frames no well-behaved client library
 * would: unmasked, reserved bits or opcodes, oversized or fragmented control frames, bad close
 * codes. The handshake is done by hand; after it, {@link #frame} builds any frame byte by byte and
 * {@link #readFrame()} reads the server's frames as they are.
 *
 * <p>Every read has a timeout (10 s), so a test never hangs on a server that stays silent. Not
 * thread-safe: one test thread.
 */
public final class RawWebSocket implements AutoCloseable {

    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** A frame as the server sent it. */
    public record Frame(boolean fin, int rsv, int opcode, byte[] payload) {
        /** The close code of a close frame, or -1 when it has no payload. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code ws://127.0.0.1:port/ws} and completes the handshake (answer 101, or fails). */
    public static RawWebSocket connect(int port) throws IOException {
        return connect(port, new byte[0], 0);
    }

    /**
     * Like {@link #connect(int)}, with {@code frames} written in the same write (one TCP segment on
     * loopback) as the upgrade request, as a client may that does not wait for the 101.
     */
    public static RawWebSocket connect(int port, byte[] frames) throws IOException {
        return connect(port, frames, 0);
    }

    /**
     * As {@link #connect(int)}, with a socket receive buffer of {@code receiveBufferBytes} (0: the
     * system's), so that a client that stops reading fills the server's side quickly.
     */
    public static RawWebSocket connect(int port, int receiveBufferBytes) throws IOException {
        return connect(port, new byte[0], receiveBufferBytes);
    }

    private static RawWebSocket connect(int port, byte[] frames, int receiveBufferBytes) throws IOException {
        Socket s = new Socket();
        if (receiveBufferBytes > 0) {
            s.setReceiveBufferSize(receiveBufferBytes);
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        RawWebSocket ws = new RawWebSocket(s);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        ByteArrayOutputStream write = new ByteArrayOutputStream();
        write.writeBytes(request.getBytes(StandardCharsets.US_ASCII));
        write.writeBytes(frames);
        ws.out.write(write.toByteArray());
        ws.out.flush();
        String head = ws.readHead();
        if (!head.startsWith("HTTP/1.1 101")) {
            s.close();
            throw new IOException("handshake refused: " + head);
        }
        return ws;
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the handshake: " + head);
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /**
     * The bytes of one frame.
     *
     * @param rsv    the three reserved bits as a number 0-7 (RSV1 = 4, RSV2 = 2, RSV3 = 1)
     * @param masked whether to mask it, as RFC 6455 requires of every client frame
     */
    public static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write((fin ? 0x80 : 0) | (rsv & 7) << 4 | (opcode & 0xF));
        int mask = masked ? 0x80 : 0;
        if (payload.length < 126) {
            f.write(mask | payload.length);
        } else if (payload.length < 65536) {
            f.write(mask | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length & 0xFF);
        } else {
            f.write(mask | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                f.write((int) ((long) payload.length >>> shift) & 0xFF);
            }
        }
        if (!masked) {
            f.writeBytes(payload);
            return f.toByteArray();
        }
        byte[] key = new byte[4];
        ThreadLocalRandom.current().nextBytes(key);
        f.writeBytes(key);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ key[i & 3]);
        }
        return f.toByteArray();
    }

    /** A masked frame, as a client must send. */
    public static byte[] frame(boolean fin, int opcode, byte[] payload) {
        return frame(fin, 0, opcode, payload, true);
    }

    /** A masked close frame with {@code code} and no reason. */
    public static byte[] close(int code) {
        return frame(true, CLOSE, new byte[] {(byte) (code >>> 8), (byte) code});
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next frame from the server, or null when it closed the connection. */
    public Frame readFrame() throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        int b1 = readByte();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = (readByte() << 8) | readByte();
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | readByte();
            }
        }
        if (length > 16 << 20) {
            throw new IOException("server frame of " + length + " bytes");
        }
        byte[] key = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
        byte[] payload = in.readNBytes((int) length);
        if (payload.length < length) {
            throw new EOFException("connection closed inside a frame");
        }
        if (key != null) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= key[i & 3];
            }
        }
        return new Frame((b0 & 0x80) != 0, (b0 >>> 4) & 7, b0 & 0xF, payload);
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed inside a frame");
        }
        return b;
    }

    /** Skips data frames (welcome, heartbeats) until a frame of {@code opcode}; fails if the connection ends first. */
    public Frame await(int opcode) throws IOException {
        for (Frame f = readFrame(); f != null; f = readFrame()) {
            if (f.opcode() == opcode) {
                return f;
            }
        }
        throw new EOFException("connection closed before a frame of opcode " + opcode);
    }

    /**
     * Waits for the server's close frame, answers it as the closing handshake asks, and waits for the
     * server to end the TCP connection. Returns the server's close frame; fails if the connection ends
     * without one, or stays open after the handshake.
     */
    public Frame awaitClose() throws IOException {
        Frame close = await(CLOSE);
        try {
            send(frame(true, CLOSE, close.payload().length >= 2
                    ? new byte[] {close.payload()[0], close.payload()[1]} : new byte[0]));
        } catch (IOException alreadyGone) {
            // the server may end the connection right after its close frame
        }
        if (!endsWithin()) {
            throw new AssertionError("the server sent a close frame but kept the connection open");
        }
        return close;
    }

    /** Whether the server ends the connection (EOF or reset) before the read timeout, reading past any frames. */
    public boolean endsWithin() throws IOException {
        try {
            while (in.read() >= 0) {
                // discard
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
