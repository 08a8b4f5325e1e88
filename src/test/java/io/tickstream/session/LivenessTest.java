package io.tickstream.session;

import static io.tickstream.session.Liveness.Action.CLOSE_IDLE;
import static io.tickstream.session.Liveness.Action.CLOSE_TOKEN_EXPIRED;
import static io.tickstream.session.Liveness.Action.HEARTBEAT;
import static io.tickstream.session.Liveness.Action.NOTHING;
import static io.tickstream.session.Liveness.Action.PING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** Liveness on a manual clock: ping after a heartbeat of silence, idle close, heartbeat, token expiry. */
class LivenessTest {

    private static final long MS = 1_000_000L;
    private static final long T0 = 1_000 * MS;
    /** The wall clock's start (milliseconds since the epoch), for the token. */
    private static final long WALL = 1_800_000_000_000L;
    private static final long HEARTBEAT_MS = 10_000;
    private static final long IDLE_MS = 60_000;

    /** The wall clock the liveness reads, milliseconds since the epoch; whether it was read. */
    private long wall = WALL;
    private boolean wallRead;

    private Liveness withoutToken() {
        return new Liveness(HEARTBEAT_MS, IDLE_MS, Long.MAX_VALUE, T0, this::readWall);
    }

    private long readWall() {
        wallRead = true;
        return wall;
    }

    @Test
    void shouldDoNothingWhileTheClientIsHeardWithinAHeartbeat() {
        Liveness liveness = withoutToken();

        assertEquals(NOTHING, liveness.checkClient(T0 + (HEARTBEAT_MS - 1) * MS));
    }

    @Test
    void shouldPingASilentClientOncePerHeartbeat() {
        Liveness liveness = withoutToken();
        long t = T0 + HEARTBEAT_MS * MS;

        assertEquals(PING, liveness.checkClient(t));
        assertEquals(NOTHING, liveness.checkClient(t + MS), "pinged already in this interval");
        assertEquals(PING, liveness.checkClient(t + HEARTBEAT_MS * MS));
    }

    @Test
    void shouldNotPingAClientHeardRecently() {
        Liveness liveness = withoutToken();
        long t = T0 + HEARTBEAT_MS * MS;
        liveness.heard(t - MS);

        assertEquals(NOTHING, liveness.checkClient(t));
    }

    @Test
    void shouldCloseAClientSilentForTheIdleTimeout() {
        Liveness liveness = withoutToken();

        assertEquals(CLOSE_IDLE, liveness.checkClient(T0 + IDLE_MS * MS));
        assertEquals(CloseReason.IDLE, CLOSE_IDLE.closeReason());
    }

    @Test
    void shouldCountAPongAsHeard() {
        Liveness liveness = withoutToken();
        liveness.heard(T0 + (IDLE_MS - 1) * MS);

        assertEquals(NOTHING, liveness.checkClient(T0 + IDLE_MS * MS));
    }

    @Test
    void shouldCloseOnceTheTokenHasExpired() {
        long expiresAt = WALL / 1000 + 30;
        Liveness liveness = new Liveness(HEARTBEAT_MS, IDLE_MS, expiresAt, T0, this::readWall);

        wall = expiresAt * 1000 - 1;
        assertEquals(NOTHING, liveness.checkClient(T0));
        wall = expiresAt * 1000;
        assertEquals(CLOSE_TOKEN_EXPIRED, liveness.checkClient(T0));
        assertEquals(CloseReason.TOKEN_EXPIRED, CLOSE_TOKEN_EXPIRED.closeReason());
    }

    @Test
    void shouldNotReadTheWallClockWithoutAToken() {
        Liveness liveness = withoutToken();

        liveness.checkClient(T0 + HEARTBEAT_MS * MS);
        liveness.checkClient(T0 + IDLE_MS * MS);
        assertFalse(wallRead, "no token, no expiry to check");
    }

    @Test
    void shouldSendAHeartbeatWhenNothingWasWrittenForAHeartbeat() {
        Liveness liveness = withoutToken();
        long lastWrite = T0;

        assertEquals(NOTHING, liveness.checkServer(lastWrite + (HEARTBEAT_MS - 1) * MS, lastWrite, true));
        assertEquals(HEARTBEAT, liveness.checkServer(lastWrite + HEARTBEAT_MS * MS, lastWrite, true));
    }

    @Test
    void shouldNotSendAHeartbeatWhileSomethingWaitsToBeWritten() {
        Liveness liveness = withoutToken();

        assertEquals(NOTHING, liveness.checkServer(T0 + HEARTBEAT_MS * MS, T0, false));
    }
}
