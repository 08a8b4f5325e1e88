package io.tickstream.session;

/** Runs a task later on the session's own event loop (Vert.x timers in production). */
@FunctionalInterface
public interface Scheduler {

    void schedule(long delayMillis, Runnable task);
}
