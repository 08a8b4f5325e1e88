package io.tickstream.loadtest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One connection of {@link RawConnections}: a non-blocking socket that upgrades to a WebSocket
 * (RFC 6455, no extensions), then takes the server's frames straight from its loop's read buffer:
 * each complete text frame scanned where it lies ({@link Recorders#onFrame}), a frame cut by the end
 * of a read kept for the next, pings answered, the server's close answered and counted by its code.
 * It sends the subscribe on the server's welcome, masked as a client must.
 *
 * <p>Threading: its {@link RawLoop}'s thread only.
 */
final class RawSocket implements FrameScanner.Sink {

    /** Where to connect: host, port, the request's path and any extra header lines (each ending in CRLF). */
    record Target(String host, int port, String path, String headers) {
    }

    private enum State { CONNECTING, UPGRADING, OPEN, CLOSED }

    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /** The longest response head to an upgrade read before giving up on it. */
    private static final int MAX_RESPONSE_HEAD = 16 * 1024;
    /** The largest frame taken from the server; a longer one is a protocol error. */
    private static final long MAX_FRAME = 64L << 20;
    private static final int OP_CONTINUATION = 0;
    private static final int OP_TEXT = 1;
    private static final int OP_BINARY = 2;
    private static final int OP_CLOSE = 8;
    private static final int OP_PING = 9;
    private static final int OP_PONG = 10;

    private final RawLoop loop;
    private final Client client;
    private final Target target;
    private final byte[] subscribe;
    private final Recorders recorders;
    private final ConnectionCounters counters;
    private State state = State.CONNECTING;
    private long startedNanos;
    private SocketChannel channel;
    private SelectionKey key;
    private String expectedAccept;
    /** What the last read left unscanned: the start of a frame (or of the response head). */
    private byte[] carry = new byte[256];
    private int carryLength;
    /** A frame longer than the loop's buffer, read into its own array; null when none. */
    private byte[] big;
    private int bigFilled;
    private int bigHeader;
    /** A fragmented message's payload so far, and its opcode; -1 when none is open. */
    private byte[] fragments = new byte[0];
    private int fragmentsLength;
    private int fragmentOp = -1;
    /** Bytes the socket did not take yet; null when everything was written. */
    private ByteBuffer pendingOut;
    private boolean closeSent;

    RawSocket(RawLoop loop, Client client, Target target, byte[] subscribe, Recorders recorders,
              ConnectionCounters counters) {
        this.loop = loop;
        this.client = client;
        this.target = target;
        this.subscribe = subscribe;
        this.recorders = recorders;
        this.counters = counters;
    }

    long startedNanos() {
        return startedNanos;
    }

    void connect(Selector selector) {
        startedNanos = System.nanoTime();
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            boolean connected = channel.connect(new InetSocketAddress(target.host(), target.port()));
            key = channel.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
            if (connected) {
                upgrade();
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    /** The selector says the socket is ready for what {@code key} names. */
    void ready(SelectionKey key) {
        try {
            if (key.isValid() && key.isConnectable()) {
                channel.finishConnect();
                key.interestOps(SelectionKey.OP_READ);
                upgrade();
            }
            if (key.isValid() && key.isWritable()) {
                flush();
            }
            if (key.isValid() && key.isReadable()) {
                read();
            }
        } catch (IOException | RuntimeException e) {
            broken(e);
        }
    }

    /** Reads from the socket or not (a slow reader paused); an open connection only. */
    void reading(boolean on) {
        if (state == State.OPEN && key.isValid()) {
            int ops = key.interestOps();
            key.interestOps(on ? ops | SelectionKey.OP_READ : ops & ~SelectionKey.OP_READ);
        }
    }

    /** The loop stops: a close frame if the socket takes it at once, then the socket closed, uncounted. */
    void abandon() {
        if (state == State.OPEN && !closeSent && pendingOut == null) {
            try {
                send(OP_CLOSE, new byte[] {0x03, (byte) 0xe8}, 0, 2);   // 1000
            } catch (IOException e) {
                // closing anyway
            }
        }
        state = State.CLOSED;
        closeChannel();
    }

    /** The attempt failed before the WebSocket was open. */
    void fail(Object why) {
        if (state == State.OPEN || state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        loop.opened(this);
        closeChannel();
        counters.failed(why);
    }

    private void broken(Exception e) {
        if (state == State.OPEN) {
            closed("1006");   // no close frame: an abnormal closure
        } else {
            fail(e);
        }
    }

    private void closed(String code) {
        if (state != State.OPEN) {
            return;
        }
        state = State.CLOSED;
        closeChannel();
        counters.closed(code);
    }

    private void closeChannel() {
        if (key != null) {
            key.cancel();
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing left to close
            }
        }
    }

    private void upgrade() throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String wsKey = Base64.getEncoder().encodeToString(nonce);
        expectedAccept = accept(wsKey);
        String request = "GET " + target.path() + " HTTP/1.1\r\nHost: " + target.host() + ":" + target.port()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + wsKey
                + "\r\nSec-WebSocket-Version: 13\r\n" + target.headers() + "\r\n";
        state = State.UPGRADING;
        write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
    }

    static String accept(String wsKey) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest((wsKey + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-1 in this JVM", e);
        }
    }

    private void read() throws IOException {
        if (big != null) {
            readBig();
            return;
        }
        ByteBuffer in = loop.in;
        in.clear();
        in.put(carry, 0, carryLength);
        int n = channel.read(in);
        if (n < 0) {
            broken(new IOException("the server closed the connection"));
            return;
        }
        byte[] b = in.array();
        int end = in.position();
        int p = 0;
        if (state == State.UPGRADING) {
            p = responseHead(b, end);
            if (p < 0) {
                keep(b, 0, end);
                return;
            }
        }
        if (state == State.OPEN) {
            p = frames(b, p, end);
        }
        keep(b, p, end);
    }

    /** Keeps {@code b[from, end)} for the next read. */
    private void keep(byte[] b, int from, int end) {
        carryLength = end - from;
        if (carry.length < carryLength) {
            carry = new byte[Math.max(carryLength, carry.length * 2)];
        }
        System.arraycopy(b, from, carry, 0, carryLength);
    }

    /**
     * The response to the upgrade, if its head is complete in {@code b[0, end)}: the index after it,
     * the WebSocket open (or failed); -1 while incomplete.
     */
    private int responseHead(byte[] b, int end) {
        for (int i = 3; i < end; i++) {
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                String head = new String(b, 0, i - 3, StandardCharsets.ISO_8859_1);
                String status = head.lines().findFirst().orElse("");
                if (!status.startsWith("HTTP/1.1 101")) {
                    fail("the server answered " + status);
                } else if (!expectedAccept.equals(header(head, "sec-websocket-accept"))) {
                    fail("the server's Sec-WebSocket-Accept does not match the key sent");
                } else {
                    state = State.OPEN;
                    loop.opened(this);
                    counters.connected();
                }
                return i + 1;
            }
        }
        if (end > MAX_RESPONSE_HEAD) {
            fail("a response head longer than " + MAX_RESPONSE_HEAD + " bytes");
        }
        return -1;
    }

    private static String header(String head, String name) {
        return head.lines().skip(1).filter(l -> l.toLowerCase(Locale.ROOT).startsWith(name + ":"))
                .map(l -> l.substring(name.length() + 1).trim()).findFirst().orElse(null);
    }

    /** Handles every complete frame in {@code b[p, end)}; returns where the first incomplete one starts. */
    private int frames(byte[] b, int p, int end) throws IOException {
        while (end - p >= 2 && state == State.OPEN) {
            int b0 = b[p] & 0xff;
            int b1 = b[p + 1] & 0xff;
            if ((b1 & 0x80) != 0) {
                protocolError("a masked frame from the server");
                return end;
            }
            long length = b1 & 0x7f;
            int header = 2;
            if (length == 126) {
                if (end - p < 4) {
                    break;
                }
                length = (b[p + 2] & 0xff) << 8 | (b[p + 3] & 0xff);
                header = 4;
            } else if (length == 127) {
                if (end - p < 10) {
                    break;
                }
                length = 0;
                for (int i = 2; i < 10; i++) {
                    length = length << 8 | (b[p + i] & 0xff);
                }
                header = 10;
                if (length < 0 || length > MAX_FRAME) {
                    protocolError("a frame of " + length + " bytes");
                    return end;
                }
            }
            long total = header + length;
            if (total > loop.in.capacity()) {
                big = new byte[(int) total];
                bigHeader = header;
                bigFilled = end - p;
                System.arraycopy(b, p, big, 0, bigFilled);
                return end;
            }
            if (end - p < total) {
                break;
            }
            frame(b0, b, p + header, p + (int) total);
            p += (int) total;
        }
        return p;
    }

    private void readBig() throws IOException {
        int n = channel.read(ByteBuffer.wrap(big, bigFilled, big.length - bigFilled));
        if (n < 0) {
            broken(new IOException("the server closed the connection"));
            return;
        }
        bigFilled += n;
        if (bigFilled == big.length) {
            byte[] frame = big;
            big = null;
            carryLength = 0;
            frame(frame[0] & 0xff, frame, bigHeader, frame.length);
        }
    }

    /** One frame: its first byte (FIN, opcode) and its payload in {@code b[from, to)}. */
    private void frame(int b0, byte[] b, int from, int to) throws IOException {
        boolean fin = (b0 & 0x80) != 0;
        int op = b0 & 0x0f;
        switch (op) {
            case OP_TEXT, OP_BINARY -> {
                if (!fin) {
                    fragmentOp = op;
                    fragmentsLength = 0;
                    append(b, from, to);
                } else if (op == OP_TEXT) {
                    recorders.onFrame(client, b, from, to, this);
                }
            }
            case OP_CONTINUATION -> {
                if (fragmentOp < 0) {
                    protocolError("a continuation frame with no message open");
                    return;
                }
                append(b, from, to);
                if (fin) {
                    if (fragmentOp == OP_TEXT) {
                        recorders.onFrame(client, fragments, 0, fragmentsLength, this);
                    }
                    fragmentOp = -1;
                }
            }
            case OP_PING -> send(OP_PONG, b, from, to - from);
            case OP_PONG -> { }
            case OP_CLOSE -> {
                int code = to - from >= 2 ? (b[from] & 0xff) << 8 | (b[from + 1] & 0xff) : 1005;
                if (!closeSent) {
                    send(OP_CLOSE, b, from, Math.min(2, to - from));
                }
                closed(String.valueOf(code));
            }
            default -> protocolError("a frame of opcode " + op);
        }
    }

    private void append(byte[] b, int from, int to) {
        int n = to - from;
        if (fragments.length < fragmentsLength + n) {
            fragments = Arrays.copyOf(fragments, Math.max(fragmentsLength + n, fragments.length * 2));
        }
        System.arraycopy(b, from, fragments, fragmentsLength, n);
        fragmentsLength += n;
    }

    /** The server broke the protocol: closed with 1002, counted as closed by 1002. */
    private void protocolError(String what) throws IOException {
        if (!closeSent) {
            send(OP_CLOSE, new byte[] {0x03, (byte) 0xea}, 0, 2);
        }
        closed("1002 (" + what + ")");
    }

    @Override
    public void message(long topicKey, long seq, long ts, int conflated, boolean snapshot) {
        recorders.onMessage(client, topicKey, seq, ts, conflated, snapshot);
    }

    @Override
    public void control(String type) {
        if (type.equals("welcome") && subscribe != null) {
            try {
                send(OP_TEXT, subscribe, 0, subscribe.length);
            } catch (IOException e) {
                broken(e);
            }
        }
    }

    /** Sends a masked frame of {@code length} bytes of {@code payload} from {@code from}. */
    private void send(int op, byte[] payload, int from, int length) throws IOException {
        int header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
        ByteBuffer f = ByteBuffer.allocate(header + 4 + length);
        f.put((byte) (0x80 | op));
        if (header == 2) {
            f.put((byte) (0x80 | length));
        } else if (header == 4) {
            f.put((byte) (0x80 | 126)).putShort((short) length);
        } else {
            f.put((byte) (0x80 | 127)).putLong(length);
        }
        int mask = ThreadLocalRandom.current().nextInt();
        f.putInt(mask);
        for (int i = 0; i < length; i++) {
            f.put((byte) (payload[from + i] ^ (mask >>> (24 - 8 * (i & 3)))));
        }
        f.flip();
        if (op == OP_CLOSE) {
            closeSent = true;
        }
        write(f);
    }

    private void write(ByteBuffer f) throws IOException {
        if (pendingOut != null) {
            ByteBuffer both = ByteBuffer.allocate(pendingOut.remaining() + f.remaining());
            pendingOut = both.put(pendingOut).put(f).flip();
            return;
        }
        channel.write(f);
        if (f.hasRemaining()) {
            pendingOut = f;
            key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
        }
    }

    private void flush() throws IOException {
        channel.write(pendingOut);
        if (!pendingOut.hasRemaining()) {
            pendingOut = null;
            key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
        }
    }
}
