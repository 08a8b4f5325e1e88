package io.tickstream.session;

import static io.tickstream.config.ServerConfig.HEARTBEAT_MS;
import static io.tickstream.config.ServerConfig.IDLE_TIMEOUT_MS;

import io.tickstream.auth.Grant;
import io.tickstream.config.ServerConfig;
import java.util.function.LongSupplier;

/**
 * Whether a connection is alive and its client still allowed: a client silent (not even a pong) for
 * the idle timeout is closed, one silent for a heartbeat interval is pinged (at most once per
 * interval), a connection nothing was written to for a heartbeat interval gets a {@code heartbeat},
 * and one whose token has expired is closed. The wall clock is read only for a token's expiry: a
 * connection without a token costs its checks no clock read but the {@code nanoTime} given in.
 *
 * <p>Threading: owned by the connection's event loop; not thread-safe.
 */
final class Liveness {

    /** What the connection's silence calls for. */
    enum Action {
        NOTHING(null),
        /** Send a WebSocket ping. */
        PING(null),
        /** Write a {@code heartbeat} message. */
        HEARTBEAT(null),
        /** Close with {@code 4002}: the client sent nothing for the idle timeout. */
        CLOSE_IDLE(CloseReason.IDLE),
        /** Close with {@code 4003}: the token expired. */
        CLOSE_TOKEN_EXPIRED(CloseReason.TOKEN_EXPIRED);

        private final CloseReason closeReason;

        Action(CloseReason closeReason) {
            this.closeReason = closeReason;
        }

        /** The close this action is, or {@code null} when it does not close. */
        CloseReason closeReason() {
            return closeReason;
        }
    }

    private final long heartbeatMs;
    private final long heartbeatNanos;
    private final long idleTimeoutNanos;
    private final long expiresAtSeconds;
    private final LongSupplier epochMillis;
    private long heardNanos;
    private long pingedNanos;

    /**
     * @param heartbeatMs      quiet this long (either way) calls for a ping or a heartbeat
     * @param idleTimeoutMs    a client silent this long is closed
     * @param expiresAtSeconds when the connection's token expires, seconds since the epoch;
     *                         {@link Long#MAX_VALUE} without a token
     * @param nowNanos         the time now, on the {@link System#nanoTime()} scale: the client counts
     *                         as just heard
     * @param epochMillis      the wall clock, milliseconds since the epoch ({@link System#currentTimeMillis()};
     *                         a manual clock in tests), read only when there is a token
     */
    Liveness(long heartbeatMs, long idleTimeoutMs, long expiresAtSeconds, long nowNanos, LongSupplier epochMillis) {
        this.heartbeatMs = heartbeatMs;
        this.heartbeatNanos = heartbeatMs * 1_000_000L;
        this.idleTimeoutNanos = idleTimeoutMs * 1_000_000L;
        this.expiresAtSeconds = expiresAtSeconds;
        this.epochMillis = epochMillis;
        this.heardNanos = nowNanos;
        this.pingedNanos = nowNanos;
    }

    /**
     * The liveness of a new connection, as the server's settings say, on the system clocks.
     *
     * @param grant    what the connection's token allows (its expiry), or {@code null} when auth is off
     * @param nowNanos the time now, on the {@link System#nanoTime()} scale: the client counts as just heard
     */
    static Liveness of(ServerConfig config, Grant grant, long nowNanos) {
        return new Liveness(config.get(HEARTBEAT_MS), config.get(IDLE_TIMEOUT_MS),
                grant == null ? Long.MAX_VALUE : grant.expiresAt(), nowNanos, System::currentTimeMillis);
    }

    /** The heartbeat interval in milliseconds, as the welcome tells the client. */
    long heartbeatMs() {
        return heartbeatMs;
    }

    /** The client sent something (a message, a pong) at {@code nowNanos}. */
    void heard(long nowNanos) {
        heardNanos = nowNanos;
    }

    /**
     * Checks the client's side: {@link Action#CLOSE_TOKEN_EXPIRED}, {@link Action#CLOSE_IDLE},
     * {@link Action#PING} (counted as sent) or {@link Action#NOTHING}.
     *
     * @param nowNanos the time now, on the {@link System#nanoTime()} scale
     */
    Action checkClient(long nowNanos) {
        if (expiresAtSeconds != Long.MAX_VALUE && epochMillis.getAsLong() / 1000 >= expiresAtSeconds) {
            return Action.CLOSE_TOKEN_EXPIRED;
        }
        if (nowNanos - heardNanos >= idleTimeoutNanos) {
            return Action.CLOSE_IDLE;
        }
        if (nowNanos - heardNanos >= heartbeatNanos && nowNanos - pingedNanos >= heartbeatNanos) {
            pingedNanos = nowNanos;
            return Action.PING;
        }
        return Action.NOTHING;
    }

    /**
     * Checks the server's side: {@link Action#HEARTBEAT} when nothing has been written since a
     * heartbeat interval before {@code nowNanos} and nothing waits to be, else {@link Action#NOTHING}.
     *
     * @param lastWriteNanos when the connection was last written to ({@link System#nanoTime()} scale)
     * @param writable       whether nothing waits: no backlog and the socket's write queue not full
     */
    Action checkServer(long nowNanos, long lastWriteNanos, boolean writable) {
        return writable && nowNanos - lastWriteNanos >= heartbeatNanos ? Action.HEARTBEAT : Action.NOTHING;
    }
}
