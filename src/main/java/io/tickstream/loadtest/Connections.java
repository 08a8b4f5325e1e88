package io.tickstream.loadtest;

import java.io.PrintStream;
import java.util.List;

/**
 * The run's WebSocket connections: opened on a ramp, each subscribing on the server's welcome and
 * handing its frames to the {@link Recorders}; the slow readers paused and resumed; connects,
 * failures and closes counted ({@link ConnectionCounters}).
 *
 * <p>Two clients do it. For {@code ws://}, {@link RawConnections}: its own WebSocket client on
 * selectors, which scans each frame where it was read, so that the harness spends a fraction of
 * what the server does per message and measures the server rather than itself. For {@code wss://},
 * {@link VertxConnections}: Vert.x's client, which brings TLS.
 *
 * <p>Threading: {@link #openAll}, {@link #stopPausingSlowReaders} and {@link #close} are called by
 * the reporting thread; {@link #connected} and {@link #counts} by any.
 */
interface Connections extends AutoCloseable {

    /** The client for {@code config}'s URL: {@link RawConnections} for ws://, {@link VertxConnections} for wss://. */
    static Connections open(LoadTest.Config config, List<Client> clients, Recorders recorders, PrintStream log) {
        return config.url().getScheme().equals("wss") ? new VertxConnections(config, clients, recorders, log)
                : new RawConnections(config, clients, recorders, log);
    }

    /**
     * Opens every client, {@code config.rampPerSecond()} a second from now, and pauses the slow
     * readers for 4 s in every 5 s from {@code startNanos} on.
     */
    void openAll(long startNanos);

    /** Stops pausing and resuming the slow readers (as they are when called). */
    void stopPausingSlowReaders();

    /** What became of the connection attempts so far. */
    ConnectionCounters counters();

    /** Connections open now. */
    default int connected() {
        return counters().open();
    }

    /** Open connections, failed attempts and closes by close code, as now. */
    default Report.ConnectionCounts counts() {
        return counters().counts();
    }

    /** Closes every connection; waits up to 20 s, then says on the log it gave up. */
    @Override
    void close();

    /** Starts or stops reading from the socket of the client at an index of the run's list, on that socket's loop. */
    interface Reading {
        void set(int index, boolean on);
    }

    /**
     * Pauses the slow readers, or resumes them for one second in five, as the second {@code elapsedNanos}
     * falls in: each on the loop that owns it ({@link Client#owner}), through {@code reading}.
     */
    static void pauseSlowReaders(List<Client> clients, long elapsedNanos, Reading reading) {
        boolean on = (elapsedNanos / 1_000_000_000L) % 5 == 4;
        for (int i = 0; i < clients.size(); i++) {
            Client c = clients.get(i);
            int index = i;
            if (c.kind == Client.Kind.SLOW && c.owner != null) {
                c.owner.execute(() -> reading.set(index, on));
            }
        }
    }
}
