package io.tickstream.fanout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Callbacks waiting for a shard's position to reach a seq (resumes from a seq the feed has not
 * reached here yet), each run once when it does. Usually empty.
 *
 * <p>Threading: owned by the shard's event loop; not thread-safe.
 */
final class PositionWaiters {

    private final Map<Runnable, Long> waiting = new HashMap<>();

    /** Runs {@code reached} at once if {@code position >= seq}, else keeps it for {@link #reached}. */
    void await(long position, long seq, Runnable reached) {
        if (position >= seq) {
            reached.run();
        } else {
            waiting.put(reached, seq);
        }
    }

    /** Forgets a callback; nothing if it ran or was never given. */
    void cancel(Runnable reached) {
        waiting.remove(reached);
    }

    /** The position is now {@code position}: runs, and forgets, every callback whose seq it reached. */
    void reached(long position) {
        if (waiting.isEmpty()) {
            return;
        }
        List<Runnable> due = new ArrayList<>();
        waiting.entrySet().removeIf(e -> {
            if (position >= e.getValue()) {
                due.add(e.getKey());
                return true;
            }
            return false;
        });
        due.forEach(Runnable::run);
    }
}
