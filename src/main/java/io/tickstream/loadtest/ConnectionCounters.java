package io.tickstream.loadtest;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What became of the connection attempts, whichever client made them: open now, failed to connect,
 * closed by close code; and when every attempt has been answered, the {@link Recorders} are told
 * (the warm-up starts then). Thread-safe: each connection's loop counts its own.
 */
final class ConnectionCounters {

    private final int clients;
    private final Recorders recorders;
    private final PrintStream log;
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger failedToConnect = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private final Map<String, LongAdder> closes = new ConcurrentHashMap<>();

    ConnectionCounters(int clients, Recorders recorders, PrintStream log) {
        this.clients = clients;
        this.recorders = recorders;
        this.log = log;
    }

    /** An attempt connected. */
    void connected() {
        connected.incrementAndGet();
        answered();
    }

    /** An attempt failed; the first failure of the run says why on the log. */
    void failed(Object why) {
        if (failedToConnect.incrementAndGet() == 1) {
            log.println("loadtest: a connection failed: " + why);
        }
        answered();
    }

    /** An open connection closed, with {@code code} (the close frame's status, or 1006 when there was none). */
    void closed(String code) {
        connected.decrementAndGet();
        closes.computeIfAbsent(code, k -> new LongAdder()).increment();
    }

    /** Connections open now. */
    int open() {
        return connected.get();
    }

    Report.ConnectionCounts counts() {
        Map<String, Long> byCode = new HashMap<>();
        closes.forEach((code, n) -> byCode.put(code, n.sum()));
        return new Report.ConnectionCounts(connected.get(), failedToConnect.get(), Map.copyOf(byCode));
    }

    /** A connection attempt was answered: once all are, the warm-up starts (ramp and snapshots are over). */
    private void answered() {
        if (answered.incrementAndGet() == clients) {
            recorders.allAnswered();
        }
    }
}
