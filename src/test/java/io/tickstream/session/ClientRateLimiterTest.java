package io.tickstream.session;

import static io.tickstream.session.ClientRateLimiter.Verdict.ALLOW;
import static io.tickstream.session.ClientRateLimiter.Verdict.CLOSE;
import static io.tickstream.session.ClientRateLimiter.Verdict.REFUSE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client rate limiter on a manual clock: burst, sustained rate, strikes. */
class ClientRateLimiterTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = 5 * SECOND;

    private static List<ClientRateLimiter.Verdict> messages(ClientRateLimiter limiter, int n, long atNanos) {
        List<ClientRateLimiter.Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            verdicts.add(limiter.onMessage(atNanos));
        }
        return verdicts;
    }

    @Test
    void shouldAllowABurstAtOnceAndRefuseTheMessageAfterIt() {
        ClientRateLimiter limiter = new ClientRateLimiter(10, 5, 100, T0);

        assertEquals(List.of(ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, REFUSE), messages(limiter, 6, T0));
    }

    @Test
    void shouldAllowTheSustainedRateOnceTheBurstIsSpent() {
        ClientRateLimiter limiter = new ClientRateLimiter(10, 5, 100, T0);
        messages(limiter, 5, T0);

        long t = T0;
        for (int i = 0; i < 50; i++) {
            t += SECOND / 10;   // exactly the rate: one token each time
            assertEquals(ALLOW, limiter.onMessage(t), "message " + i + " at the sustained rate");
        }
        assertEquals(REFUSE, limiter.onMessage(t), "faster than the rate");
    }

    @Test
    void shouldRefillNoMoreThanTheBurstAfterALongQuiet() {
        ClientRateLimiter limiter = new ClientRateLimiter(10, 5, 100, T0);
        messages(limiter, 5, T0);

        long later = T0 + 60 * SECOND;
        assertEquals(List.of(ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, REFUSE), messages(limiter, 6, later));
    }

    @Test
    void shouldCloseOnTheLastStrikeWithinTheWindow() {
        ClientRateLimiter limiter = new ClientRateLimiter(1, 1, 3, T0);

        assertEquals(List.of(ALLOW, REFUSE, REFUSE, CLOSE), messages(limiter, 4, T0));
    }

    @Test
    void shouldForgetStrikesOnceTheirWindowHasPassed() {
        ClientRateLimiter limiter = new ClientRateLimiter(1, 1, 3, T0);
        assertEquals(List.of(ALLOW, REFUSE, REFUSE), messages(limiter, 3, T0));

        long afterWindow = T0 + ClientRateLimiter.STRIKE_WINDOW_NANOS + 1;
        assertEquals(List.of(ALLOW, REFUSE, REFUSE, CLOSE), messages(limiter, 4, afterWindow),
                "the strikes start again from none");
    }

    @Test
    void shouldTellTheClientItsRateWhenRefusing() {
        ClientRateLimiter limiter = new ClientRateLimiter(20, 40, 100, T0);

        assertEquals("more than 20 messages per second; slow down or be disconnected", limiter.refusal());
    }
}
