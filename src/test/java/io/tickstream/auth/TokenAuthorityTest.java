package io.tickstream.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tickstream.feed.TopicPattern;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Token checks that need hand-made claims: the same secret, other contents. */
class TokenAuthorityTest {

    private static final byte[] SECRET = "a-secret-of-at-least-thirty-two-bytes!".getBytes(StandardCharsets.UTF_8);
    private static final long NOW = 1_800_000_000L;
    private final TokenAuthority tokens = new TokenAuthority(SECRET, () -> NOW);

    /** A token with these claims, signed with the right secret. */
    private static String signed(JsonObject claims) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String body = b64.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
        return body + "." + b64.encodeToString(mac.doFinal(body.getBytes(StandardCharsets.US_ASCII)));
    }

    private String refusal(String token) {
        return assertThrows(InvalidTokenException.class, () -> tokens.verify(token)).getMessage();
    }

    @Test
    void shouldAcceptWhatItMintsAndReadTheClaims() throws Exception {
        Grant g = tokens.verify(tokens.mint("bob", List.of(TopicPattern.parse("stocks.*")), 60));
        assertEquals("bob", g.subject());
        assertEquals(NOW + 60, g.expiresAt());
        assertEquals(true, g.allows(TopicPattern.parse("stocks.AAPL")));
        assertEquals(false, g.allows(TopicPattern.parse("sports.>")));
    }

    @Test
    void shouldRefuseTokensWithoutUsableClaims() throws Exception {
        JsonArray topics = new JsonArray().add("stocks.*");
        assertEquals("token without exp", refusal(signed(new JsonObject().put("topics", topics))));
        assertEquals("token expired", refusal(signed(new JsonObject().put("exp", NOW).put("topics", topics))));
        assertEquals("token not valid yet", refusal(signed(new JsonObject().put("exp", NOW + 60).put("nbf", NOW + 30)
                .put("topics", topics))));
        assertEquals("token with a malformed nbf", refusal(signed(new JsonObject().put("exp", NOW + 60)
                .put("nbf", "later").put("topics", topics))));
        assertEquals("token without topics", refusal(signed(new JsonObject().put("exp", NOW + 60))));
        assertEquals("token without topics", refusal(signed(new JsonObject().put("exp", NOW + 60)
                .put("topics", new JsonArray()))));
        assertEquals("token with a malformed topic pattern", refusal(signed(new JsonObject().put("exp", NOW + 60)
                .put("topics", new JsonArray().add("bonds.X")))));
        assertEquals("token with a malformed topic pattern", refusal(signed(new JsonObject().put("exp", NOW + 60)
                .put("topics", new JsonArray().add(42)))));
        assertEquals("token too long", refusal("a".repeat(TokenAuthority.MAX_TOKEN_CHARS + 1)));
        assertEquals("malformed token", refusal("!!!.###.$$$"));
        assertEquals("malformed token", refusal(Base64.getUrlEncoder().encodeToString("[1]".getBytes()) + ".e30.x"));
    }

    @Test
    void shouldRefuseAShortSecret() {
        assertThrows(IllegalArgumentException.class, () -> new TokenAuthority(new byte[31], () -> NOW));
    }
}
