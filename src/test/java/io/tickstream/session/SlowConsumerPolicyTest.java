package io.tickstream.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tickstream.session.Outbox.Outcome;
import org.junit.jupiter.api.Test;

/** When a connection that cannot keep up is a slow consumer: grace, hard limit, stall timeout. */
class SlowConsumerPolicyTest {

    private static final long MS = 1_000_000L;
    private static final long MAX = 1_000;
    private static final long GRACE_MS = 500;
    private static final long STALL_MS = 2_000;

    private final SlowConsumerPolicy policy = new SlowConsumerPolicy(MAX, GRACE_MS, STALL_MS);

    @Test
    void shouldAllowABacklogOverTheLimitForTheGracePeriod() {
        assertEquals(Outcome.OK, policy.onGrown(MAX + 1, 0));

        assertEquals(Outcome.OK, policy.check(MAX + 1, false, GRACE_MS * MS));
        assertEquals(Outcome.SLOW_CONSUMER, policy.check(MAX + 1, false, GRACE_MS * MS + 1));
    }

    @Test
    void shouldStartTheGracePeriodWhenTheCheckFirstSeesTheBacklogOverTheLimit() {
        long t0 = 1_000 * MS;

        assertEquals(Outcome.OK, policy.check(MAX + 1, false, t0));
        assertEquals(Outcome.OK, policy.check(MAX + 1, false, t0 + GRACE_MS * MS));
        assertEquals(Outcome.SLOW_CONSUMER, policy.check(MAX + 1, false, t0 + GRACE_MS * MS + 1));
    }

    @Test
    void shouldEndTheGracePeriodWhenTheBacklogIsWrittenDownToTheLimit() {
        policy.onGrown(MAX + 1, 0);
        policy.onWritten(MAX);
        policy.onGrown(MAX + 1, 400 * MS);

        assertEquals(Outcome.OK, policy.check(MAX + 1, false, 800 * MS));
        assertEquals(Outcome.SLOW_CONSUMER, policy.check(MAX + 1, false, 901 * MS));
    }

    @Test
    void shouldKeepTheGracePeriodRunningWhileTheBacklogStaysOverTheLimit() {
        policy.onGrown(MAX + 1, 0);
        policy.onWritten(MAX + 1);
        policy.onGrown(MAX + 2, 400 * MS);

        assertEquals(Outcome.SLOW_CONSUMER, policy.check(MAX + 2, false, 501 * MS));
    }

    @Test
    void shouldForgiveABacklogBackWithinTheLimitAtTheCheck() {
        policy.onGrown(MAX + 1, 0);

        assertEquals(Outcome.OK, policy.check(MAX, false, 10 * GRACE_MS * MS));
        assertEquals(Outcome.OK, policy.check(MAX + 1, false, 11 * GRACE_MS * MS));
    }

    @Test
    void shouldBeASlowConsumerAtOnceOverFourTimesTheLimit() {
        assertEquals(Outcome.OK, policy.onGrown(4 * MAX, 0));
        assertEquals(Outcome.SLOW_CONSUMER, policy.onGrown(4 * MAX + 1, 0));
    }

    @Test
    void shouldBeASlowConsumerWhenTheSocketStaysFullForTheStallTimeout() {
        long t0 = 5 * MS;

        assertEquals(Outcome.OK, policy.check(0, true, t0));
        assertEquals(Outcome.OK, policy.check(0, true, t0 + STALL_MS * MS));
        assertEquals(Outcome.SLOW_CONSUMER, policy.check(0, true, t0 + STALL_MS * MS + 1));
    }

    @Test
    void shouldRestartTheStallTimeoutWhenTheSocketTakesMore() {
        assertEquals(Outcome.OK, policy.check(0, true, 0));
        assertEquals(Outcome.OK, policy.check(0, false, STALL_MS * MS));
        assertEquals(Outcome.OK, policy.check(0, true, STALL_MS * MS + 1));

        assertEquals(Outcome.OK, policy.check(0, true, 2 * STALL_MS * MS + 1));
        assertEquals(Outcome.SLOW_CONSUMER, policy.check(0, true, 2 * STALL_MS * MS + 2));
    }
}
