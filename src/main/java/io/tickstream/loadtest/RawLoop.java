package io.tickstream.loadtest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One thread of {@link RawConnections}: a selector over its share of the connections, the tasks
 * handed to it ({@link #execute}), and one read buffer, into which every socket of the loop reads
 * in turn and in which its frames are scanned.
 *
 * <p>Threading: everything here runs on the loop's thread but {@link #execute}, {@link #stop} and
 * {@link #awaitStop}.
 */
final class RawLoop implements Executor {

    /** How long a connection may take to connect and upgrade before it counts as failed. */
    private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Recorders recorders;
    private final ConnectionCounters counters;
    /** The loop's read buffer: a socket's unscanned bytes, then what it read after them. */
    final ByteBuffer in = ByteBuffer.allocate(256 * 1024);
    /** Connections still connecting or upgrading, in the order they began, checked for the connect timeout. */
    private final Set<RawSocket> opening = new LinkedHashSet<>();
    /** When the connect timeout was last checked ({@link System#nanoTime()}). */
    private long checkedNanos = System.nanoTime();
    private volatile boolean stopping;

    RawLoop(String name, Recorders recorders, ConnectionCounters counters) throws IOException {
        this.selector = Selector.open();
        this.recorders = recorders;
        this.counters = counters;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** Opens a connection to {@code target} for {@code c}; loop thread. */
    RawSocket open(Client c, RawSocket.Target target, byte[] subscribe) {
        RawSocket s = new RawSocket(this, c, target, subscribe, recorders, counters);
        opening.add(s);
        s.connect(selector);
        return s;
    }

    /** Closes every connection and ends the thread. */
    void stop() {
        stopping = true;
        selector.wakeup();
    }

    /** Waits until the thread has ended or {@code deadlineNanos}; whether it ended. */
    boolean awaitStop(long deadlineNanos) {
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    private void run() {
        try {
            while (!stopping) {
                selector.select(1000);
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    ((RawSocket) key.attachment()).ready(key);
                }
                selector.selectedKeys().clear();
                if (!opening.isEmpty() && System.nanoTime() - checkedNanos > TimeUnit.SECONDS.toNanos(1)) {
                    timeOutOpening();
                }
            }
        } catch (ClosedSelectorException e) {
            // closed under us: nothing left to serve
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            for (SelectionKey key : selector.keys()) {
                ((RawSocket) key.attachment()).abandon();
            }
            try {
                selector.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /** A connection is open or failed: no longer watched for the connect timeout. */
    void opened(RawSocket s) {
        opening.remove(s);
    }

    /** Fails the connections that began longer ago than the connect timeout: the oldest first, and only those. */
    private void timeOutOpening() {
        long now = System.nanoTime();
        checkedNanos = now;
        List<RawSocket> late = new ArrayList<>();
        for (RawSocket s : opening) {
            if (now - s.startedNanos() <= CONNECT_TIMEOUT_NANOS) {
                break;   // the rest began later
            }
            late.add(s);
        }
        for (RawSocket s : late) {
            s.fail("no answer in " + TimeUnit.NANOSECONDS.toSeconds(CONNECT_TIMEOUT_NANOS) + " s");
        }
    }
}
