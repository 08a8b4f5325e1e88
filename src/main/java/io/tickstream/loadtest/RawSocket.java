package io.tickstream.loadtest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * One connection of {@link RawConnections}: a non-blocking socket that upgrades to a WebSocket
 * ({@link WsUpgrade}), then takes the server's frames straight from its loop's read buffer
 * ({@link WsReader}): each text message scanned where it lies ({@link Recorders#onFrame}), pings
 * answered, the server's close answered and counted by its code. It sends the subscribe on the
 * server's welcome ({@link WsWriter}). Connects, failures and closes go to the {@link ConnectionCounters}.
 *
 * <p>Threading: its {@link RawLoop}'s thread only.
 */
final class RawSocket implements FrameScanner.Sink, WsReader.Peer {

    /** Where to connect: host, port, the request's path and any extra header lines (each ending in CRLF). */
    record Target(String host, int port, String path, String headers) {
    }

    private enum State { CONNECTING, UPGRADING, OPEN, CLOSED }

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
    private WsUpgrade upgrade;
    private final WsReader in = new WsReader(this);
    private WsWriter out;

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
            out = new WsWriter(channel, key);
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
                out.flush();
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
        if (state == State.OPEN && !out.closeSent() && out.idle()) {
            try {
                out.frame(WsReader.OP_CLOSE, new byte[] {0x03, (byte) 0xe8}, 0, 2);   // 1000
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
        upgrade = new WsUpgrade(target);
        state = State.UPGRADING;
        out.raw(upgrade.request());
    }

    private void read() throws IOException {
        if (in.readingBig()) {
            if (!in.readBig(channel)) {
                broken(new IOException("the server closed the connection"));
            }
            return;
        }
        ByteBuffer buffer = loop.in;
        in.restore(buffer);
        if (channel.read(buffer) < 0) {
            broken(new IOException("the server closed the connection"));
            return;
        }
        byte[] b = buffer.array();
        int end = buffer.position();
        int p = 0;
        if (state == State.UPGRADING) {
            p = responseHead(b, end);
            if (p < 0) {
                in.keep(b, 0, end);
                return;
            }
        }
        if (state == State.OPEN) {
            p = in.frames(b, p, end, buffer.capacity());
        }
        in.keep(b, p, end);
    }

    /**
     * The response to the upgrade, if its head is complete in {@code b[0, end)}: the index after it,
     * the WebSocket open (or failed); -1 while incomplete.
     */
    private int responseHead(byte[] b, int end) {
        int after = upgrade.responseHead(b, end);
        if (after >= 0) {
            if (upgrade.refusal() != null) {
                fail(upgrade.refusal());
            } else {
                state = State.OPEN;
                loop.opened(this);
                counters.connected();
            }
        }
        return after;
    }

    @Override
    public void text(byte[] b, int from, int to) {
        recorders.onFrame(client, b, from, to, this);
    }

    @Override
    public void ping(byte[] b, int from, int to) throws IOException {
        out.frame(WsReader.OP_PONG, b, from, to - from);
    }

    @Override
    public void close(byte[] b, int from, int to) {
        int code = to - from >= 2 ? (b[from] & 0xff) << 8 | (b[from + 1] & 0xff) : 1005;
        closing(b, from, Math.min(2, to - from));
        closed(String.valueOf(code));
    }

    /**
     * Answers with a close frame of {@code length} bytes of {@code payload} (its status code), unless
     * one was sent; a socket that cannot take it (reset already) changes nothing: the close that is
     * counted is the one that was asked for, not an abnormal one.
     */
    private void closing(byte[] payload, int from, int length) {
        if (!out.closeSent()) {
            try {
                out.frame(WsReader.OP_CLOSE, payload, from, length);
            } catch (IOException e) {
                // the connection is closed next, whatever the socket says
            }
        }
    }

    @Override
    public boolean open() {
        return state == State.OPEN;
    }

    /** The server broke the protocol: closed with 1002, counted as closed by 1002. */
    @Override
    public void protocolError(String what) {
        closing(new byte[] {0x03, (byte) 0xea}, 0, 2);   // 1002
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
                out.frame(WsReader.OP_TEXT, subscribe, 0, subscribe.length);
            } catch (IOException e) {
                broken(e);
            }
        }
    }
}
