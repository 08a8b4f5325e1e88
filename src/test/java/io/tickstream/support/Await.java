package io.tickstream.support;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Bounded waits for tests, in place of sleeps: wait {@link #until} a condition is met (or for a
 * {@link #result}), or show that something does NOT happen by checking that a condition
 * {@link #holds} through a whole window. Each polls on the calling thread every 10 ms and fails
 * with an {@link AssertionError} that says what it waited for. Stateless.
 */
public final class Await {

    private static final long POLL_NANOS = Duration.ofMillis(10).toNanos();

    private Await() {
    }

    /** A condition to poll. While waiting until it is met, an exception counts as "not yet". */
    @FunctionalInterface
    public interface Condition {
        boolean met() throws Exception;
    }

    /** A value to poll for: {@code null} (or an exception) means "not yet". */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    /**
     * Waits until {@code condition} is met; fails after {@code timeout} with "timed out after
     * {@code timeout} waiting for {@code what}" (and the condition's last exception as the cause).
     * An {@link Error} thrown by the condition, such as a failed assertion, ends the wait at once.
     */
    public static void until(Condition condition, Duration timeout, String what) throws InterruptedException {
        result(() -> condition.met() ? Boolean.TRUE : null, timeout,
                () -> "timed out after " + timeout + " waiting for " + what);
    }

    /**
     * Waits until {@code probe} returns a value, and returns it; fails after {@code timeout} with
     * the message {@code timedOut} gives at that moment (so it may describe the state reached).
     */
    public static <T> T result(Probe<T> probe, Duration timeout, Supplier<String> timedOut)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                T value = probe.get();
                if (value != null) {
                    return value;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - end >= 0) {
                throw new AssertionError(timedOut.get(), last);
            }
            pause(end);
        }
    }

    /**
     * Checks that {@code condition} is met now and at every poll until {@code window} has passed:
     * the bounded way to show that something does not happen within a time. Fails as soon as the
     * condition is not met (or throws), saying after how long.
     */
    public static void holds(Condition condition, Duration window, String what) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + window.toNanos();
        while (true) {
            boolean met;
            try {
                met = condition.met();
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError("could not check " + what, e);
            }
            if (!met) {
                throw new AssertionError("expected " + what + " for " + window + ", but not after "
                        + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
            }
            if (System.nanoTime() - end >= 0) {
                return;
            }
            pause(end);
        }
    }

    /** The one sleep of every wait: a poll interval, never past {@code end}. */
    private static void pause(long end) throws InterruptedException {
        long nanos = Math.max(0, Math.min(POLL_NANOS, end - System.nanoTime()));
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    }
}
