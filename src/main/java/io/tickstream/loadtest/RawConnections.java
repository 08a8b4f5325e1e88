package io.tickstream.loadtest;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@link Connections} of a {@code ws://} run: the harness's own WebSocket client, one
 * {@link RawLoop} (a selector thread) per core, each connection a {@link RawSocket}. Frames are
 * scanned where the socket read them: no buffer, frame or string is made per message, so that on
 * the server's cores the harness spends a fraction of what the server does per message.
 *
 * <p>Threading: a connection is opened and handled on its loop; the ramp and the slow readers'
 * pauses are timed by one scheduler thread, which hands them to the loops; {@link #openAll},
 * {@link #stopPausingSlowReaders} and {@link #close} are called by the reporting thread.
 */
final class RawConnections implements Connections {

    private final LoadTest.Config config;
    private final List<Client> clients;
    private final ConnectionCounters counters;
    private final PrintStream log;
    private final RawLoop[] loops;
    private final RawSocket.Target target;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "loadtest-ramp");
        t.setDaemon(true);
        return t;
    });
    private final RawSocket[] sockets;
    private ScheduledFuture<?> slowTimer;

    RawConnections(LoadTest.Config config, List<Client> clients, Recorders recorders, PrintStream log) {
        this.config = config;
        this.clients = clients;
        this.log = log;
        this.counters = new ConnectionCounters(clients.size(), recorders, log);
        this.target = target(config);
        this.sockets = new RawSocket[clients.size()];
        this.loops = new RawLoop[Runtime.getRuntime().availableProcessors()];
        try {
            for (int i = 0; i < loops.length; i++) {
                loops[i] = new RawLoop("loadtest-loop-" + i, recorders, counters);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        for (RawLoop loop : loops) {
            loop.start();
        }
    }

    private static RawSocket.Target target(LoadTest.Config config) {
        URI url = config.url();
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/ws" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        int port = url.getPort() > 0 ? url.getPort() : 80;
        StringBuilder headers = new StringBuilder();
        if (config.token() != null) {
            headers.append("Authorization: Bearer ").append(config.token()).append("\r\n");
        }
        return new RawSocket.Target(url.getHost(), port, path, headers.toString());
    }

    @Override
    public void openAll(long startNanos) {
        for (int i = 0; i < clients.size(); i++) {
            Client c = clients.get(i);
            RawLoop loop = loops[i % loops.length];
            int index = i;
            byte[] subscribe = c.subscribe.getJsonArray("topics").isEmpty() ? null
                    : c.subscribe.encode().getBytes(StandardCharsets.UTF_8);
            c.owner = loop;
            long at = (long) (i * 1000.0 / config.rampPerSecond());
            timer.schedule(() -> loop.execute(() -> sockets[index] = loop.open(c, target, subscribe)), at,
                    TimeUnit.MILLISECONDS);
        }
        slowTimer = timer.scheduleAtFixedRate(
                () -> Connections.pauseSlowReaders(clients, System.nanoTime() - startNanos, this::reading), 1, 1,
                TimeUnit.SECONDS);
    }

    @Override
    public void stopPausingSlowReaders() {
        if (slowTimer != null) {
            slowTimer.cancel(false);
        }
    }

    @Override
    public ConnectionCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (RawLoop loop : loops) {
            loop.stop();
        }
        for (RawLoop loop : loops) {
            if (!loop.awaitStop(deadline)) {
                log.println("note: closing the connections took over 20 s");
                return;
            }
        }
    }

    /** The socket of the client at {@code index} reads or not (a slow reader); its loop. */
    private void reading(int index, boolean on) {
        RawSocket s = sockets[index];
        if (s != null) {
            s.reading(on);
        }
    }
}
