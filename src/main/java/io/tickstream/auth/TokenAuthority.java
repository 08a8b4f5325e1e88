package io.tickstream.auth;

import io.tickstream.feed.TopicPattern;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints and verifies the server's access tokens: standard JWTs signed with HMAC-SHA256 (HS256)
 * under a shared secret, so that any JWT library can mint them too. Claims:
 * <ul>
 *   <li>{@code exp} (required): expiry, seconds since the epoch;</li>
 *   <li>{@code topics} (required): array of topic patterns a subscription must fall within;</li>
 *   <li>{@code sub}, {@code iat} (optional), {@code nbf} (optional: not valid before).</li>
 * </ul>
 * Only {@code HS256} is accepted (never {@code none}, never an algorithm named by the token
 * alone), signatures are compared in constant time, and tokens over {@value #MAX_TOKEN_CHARS}
 * characters are refused before any decoding.
 *
 * <p>Thread-safe: immutable; a {@link Mac} is made per call.
 */
public final class TokenAuthority {

    /** Shortest secret accepted, in bytes (HS256 wants at least the hash size). */
    public static final int MIN_SECRET_BYTES = 32;
    static final int MAX_TOKEN_CHARS = 4096;
    private static final String HEADER = base64(
            "{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

    private final byte[] secret;
    private final LongSupplier nowSeconds;

    /**
     * @param secret     the shared HMAC key, at least {@value #MIN_SECRET_BYTES} bytes
     * @param nowSeconds the clock, seconds since the epoch
     */
    public TokenAuthority(byte[] secret, LongSupplier nowSeconds) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the secret must have at least " + MIN_SECRET_BYTES + " bytes");
        }
        this.secret = secret.clone();
        this.nowSeconds = nowSeconds;
    }

    /** A secret file that must not be used (open to group or others, or too short); the message is one line. */
    public static final class SecretFileException extends IOException {
        SecretFileException(String message) {
            super(message);
        }
    }

    /**
     * Reads the secret from a file (its bytes, without a trailing newline); the system clock.
     *
     * @throws SecretFileException when the file's POSIX permissions give its group or others any
     *     access (as ssh refuses such a private key; not checked on a file system without POSIX
     *     permissions), or the secret is shorter than {@value #MIN_SECRET_BYTES} bytes
     */
    public static TokenAuthority fromSecretFile(Path file) throws IOException {
        requireOwnerOnly(file);
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        byte[] secret = text.getBytes(StandardCharsets.UTF_8);
        if (secret.length < MIN_SECRET_BYTES) {
            throw new SecretFileException(file + ": the secret must have at least " + MIN_SECRET_BYTES
                    + " bytes (for example: openssl rand -hex 32 > " + file + ")");
        }
        return new TokenAuthority(secret, () -> System.currentTimeMillis() / 1000);
    }

    private static void requireOwnerOnly(Path file) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return;   // no POSIX permissions here (e.g. Windows): nothing to check
        }
        int mode = 0;
        for (PosixFilePermission p : view.readAttributes().permissions()) {
            mode |= 0400 >> p.ordinal();   // OWNER_READ, OWNER_WRITE, ... OTHERS_EXECUTE: 0400 down to 0001
        }
        if ((mode & 0077) != 0) {
            throw new SecretFileException(String.format("%s: mode %04o gives group or others access to the secret; "
                    + "make it private: chmod 600 %s", file, mode, file));
        }
    }

    /** A token for {@code subject} allowing {@code topics}, valid for {@code ttlSeconds} from now. */
    public String mint(String subject, List<TopicPattern> topics, long ttlSeconds) {
        long now = nowSeconds.getAsLong();
        JsonArray patterns = new JsonArray();
        topics.forEach(t -> patterns.add(t.text()));
        JsonObject claims = new JsonObject().put("sub", subject).put("iat", now).put("exp", now + ttlSeconds)
                .put("topics", patterns);
        String signed = HEADER + "." + base64(claims.encode().getBytes(StandardCharsets.UTF_8));
        return signed + "." + base64(sign(signed));
    }

    /**
     * Checks a token and returns what it grants.
     *
     * @throws InvalidTokenException malformed, wrong algorithm, bad signature, expired, not yet
     *     valid, or without a usable {@code topics} claim
     */
    public Grant verify(String token) throws InvalidTokenException {
        if (token == null || token.isEmpty()) {
            throw new InvalidTokenException("missing token");
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new InvalidTokenException("token too long");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new InvalidTokenException("malformed token");
        }
        JsonObject header = json(parts[0]);
        if (!"HS256".equals(header.getValue("alg"))) {
            throw new InvalidTokenException("unsupported token algorithm (HS256 only)");
        }
        byte[] signature = decode(parts[2]);
        if (!MessageDigest.isEqual(signature, sign(parts[0] + "." + parts[1]))) {
            throw new InvalidTokenException("bad token signature");
        }
        JsonObject claims = json(parts[1]);
        long now = nowSeconds.getAsLong();
        if (!(claims.getValue("exp") instanceof Number exp)) {
            throw new InvalidTokenException("token without exp");
        }
        if (exp.longValue() <= now) {
            throw new InvalidTokenException("token expired");
        }
        Object nbf = claims.getValue("nbf");
        if (nbf != null && !(nbf instanceof Number)) {
            throw new InvalidTokenException("token with a malformed nbf");
        }
        if (nbf instanceof Number n && n.longValue() > now) {
            throw new InvalidTokenException("token not valid yet");
        }
        if (!(claims.getValue("topics") instanceof JsonArray topics) || topics.isEmpty()) {
            throw new InvalidTokenException("token without topics");
        }
        List<TopicPattern> patterns = new ArrayList<>();
        for (Object t : topics) {
            try {
                patterns.add(TopicPattern.parse(t instanceof String s ? s : null));
            } catch (IllegalArgumentException e) {
                throw new InvalidTokenException("token with a malformed topic pattern");
            }
        }
        return new Grant(claims.getValue("sub") instanceof String s ? s : "", patterns, exp.longValue());
    }

    private byte[] sign(String signed) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static JsonObject json(String part) throws InvalidTokenException {
        try {
            return new JsonObject(new String(decode(part), StandardCharsets.UTF_8));
        } catch (DecodeException | ClassCastException e) {
            throw new InvalidTokenException("malformed token");
        }
    }

    private static byte[] decode(String part) throws InvalidTokenException {
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("malformed token");
        }
    }

    private static String base64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
