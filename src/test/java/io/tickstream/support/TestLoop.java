package io.tickstream.support;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Stands in for an event loop in tests without a server: tasks handed to it (from any thread, such
 * as a replayer's) wait until the test thread runs them, in the order they came.
 */
public final class TestLoop implements Executor {

    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();

    /** Queues {@code task} for the test thread; never blocks. Any thread. */
    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    /**
     * An executor for a shard run by the test thread: a task handed over on the thread calling this
     * (a batch the test posts) runs at once; one handed over on any other (a replayer's hand-over)
     * waits in this loop until the test runs it.
     */
    public Executor inlineOnThisThread() {
        Thread owner = Thread.currentThread();
        return task -> {
            if (Thread.currentThread() == owner) {
                task.run();
            } else {
                execute(task);
            }
        };
    }

    /** The next task handed over, waiting up to {@code timeout} for it; null if none came. Test thread. */
    public Runnable next(Duration timeout) throws InterruptedException {
        return tasks.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Runs the tasks handed over, as the event loop would, until {@code done}; fails after 20 s
     * with "timed out; " and what {@code soFar} says. Test thread.
     */
    public void runUntil(BooleanSupplier done, Supplier<String> soFar) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            Runnable task = next(Duration.ofMillis(100));
            if (task != null) {
                task.run();
            }
            if (System.nanoTime() - end >= 0) {
                throw new AssertionError("timed out; " + soFar.get());
            }
        }
    }
}
