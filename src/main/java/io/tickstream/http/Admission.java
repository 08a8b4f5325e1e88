package io.tickstream.http;

import io.tickstream.auth.Grant;
import io.tickstream.auth.InvalidTokenException;
import io.tickstream.auth.TokenAuthority;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Who may open a WebSocket: the checks made on the upgrade request, before any WebSocket exists.
 * In order: the server has started ({@code 503 starting} until {@link #open()}: its shards do not
 * hold the latest message of every topic yet, so a subscriber would miss its snapshots), the
 * {@code Origin} allow-list ({@code 403}), the token when auth is on ({@code 401}), and the
 * per-address connection limit ({@code 429}). An admitted connection holds a slot of its address
 * until {@link Ticket#release()}.
 *
 * <p>Thread-safe: shared by every event loop (the connection counts are per address across the
 * whole server); {@link #open()} is called once, by the starting thread.
 */
public final class Admission {

    /** The outcome of a check: admitted with a ticket, or refused with an HTTP status and a reason. */
    public sealed interface Decision permits Ticket, Refusal {
    }

    /** A refused upgrade: the HTTP status to answer and why, in words safe to show and log. */
    public record Refusal(int status, String reason) implements Decision {
        /** The answer's body: {@code {"status":503,"reason":"starting"}}. */
        public String json() {
            return new JsonObject().put("status", status).put("reason", reason).encode();
        }
    }

    /** The answer to a WebSocket or {@code /api/topics} request before {@link #open()}. */
    public static final Refusal STARTING = new Refusal(503, "starting");

    /** An admitted connection: what its token grants ({@code null} when auth is off) and its slot. */
    public final class Ticket implements Decision {
        private final Grant grant;
        private final String address;
        private boolean released;

        private Ticket(Grant grant, String address) {
            this.grant = grant;
            this.address = address;
        }

        public Grant grant() {
            return grant;
        }

        /** Gives the address's slot back; idempotent. Call on the connection's event loop. */
        public void release() {
            if (!released) {
                released = true;
                if (maxPerAddress > 0) {
                    perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
                }
            }
        }
    }

    private final Set<String> allowedOrigins;
    private final TokenAuthority tokens;
    private final int maxPerAddress;
    private final ConcurrentHashMap<String, Integer> perAddress = new ConcurrentHashMap<>();
    private volatile boolean open;
    /** Why new connections are better served elsewhere at the moment, or null; see {@link #refuseWhile}. */
    private volatile Supplier<String> unavailable = () -> null;

    /**
     * @param allowedOrigins origins a browser may connect from (exact, e.g. {@code https://example.com});
     *                       empty allows any. A request without {@code Origin} (not a browser) passes.
     * @param tokens         verifies tokens; {@code null} turns auth off
     * @param maxPerAddress  most open connections per client address; 0 for no limit
     */
    public Admission(List<String> allowedOrigins, TokenAuthority tokens, int maxPerAddress) {
        this.allowedOrigins = Set.copyOf(allowedOrigins);
        this.tokens = tokens;
        this.maxPerAddress = maxPerAddress;
    }

    /**
     * Lets requests in from now on: every shard holds the latest message of every topic (until
     * then, upgrades and {@code /api/topics} are answered {@link #STARTING}). Any thread.
     */
    public void open() {
        open = true;
    }

    /**
     * From now on, refuses upgrades with {@code 503} and the reason while {@code reason} gives one (an
     * edge behind its feed host: behind a load balancer the connection goes to another edge). Any thread.
     */
    public void refuseWhile(Supplier<String> reason) {
        unavailable = reason;
    }

    /** Whether {@link #open()} was called: the server has started. */
    public boolean isOpen() {
        return open;
    }

    /**
     * Checks an upgrade request.
     *
     * @param origin        the {@code Origin} header, or {@code null}
     * @param authorization the {@code Authorization} header, or {@code null}
     * @param queryToken    the {@code token} query parameter, or {@code null}
     * @param address       the client's address (after trusted proxies)
     */
    public Decision admit(String origin, String authorization, String queryToken, String address) {
        if (!open) {
            return STARTING;
        }
        String away = unavailable.get();
        if (away != null) {
            return new Refusal(503, away);
        }
        if (!allowedOrigins.isEmpty() && origin != null && !allowedOrigins.contains(origin)) {
            return new Refusal(403, "origin not allowed");
        }
        Grant grant = null;
        if (tokens != null) {
            try {
                grant = tokens.verify(token(authorization, queryToken));
            } catch (InvalidTokenException e) {
                return new Refusal(401, e.getMessage());
            }
        }
        if (maxPerAddress > 0) {
            boolean[] taken = {false};
            perAddress.compute(address, (a, n) -> {
                int open = n == null ? 0 : n;
                if (open >= maxPerAddress) {
                    return n;
                }
                taken[0] = true;
                return open + 1;
            });
            if (!taken[0]) {
                return new Refusal(429, "too many connections from this address");
            }
        }
        return new Ticket(grant, address);
    }

    /**
     * What the request's token grants, for an HTTP endpoint that serves feed data: {@code null}
     * when auth is off (everything).
     *
     * @throws InvalidTokenException auth is on and the token is missing or not valid
     */
    public Grant authorize(String authorization, String queryToken) throws InvalidTokenException {
        return tokens == null ? null : tokens.verify(token(authorization, queryToken));
    }

    private static String token(String authorization, String queryToken) {
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return queryToken;
    }
}
