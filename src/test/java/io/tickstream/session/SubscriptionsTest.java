package io.tickstream.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.auth.Grant;
import io.tickstream.feed.TopicPattern;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A connection's subscription set: what it covers, the maxRate of a topic, the limits on adding. */
class SubscriptionsTest {

    private static List<TopicPattern> topics(String... texts) {
        return Arrays.stream(texts).map(TopicPattern::parse).toList();
    }

    private static Subscriptions holding(Double maxRate, String... texts) {
        Subscriptions s = new Subscriptions(null, 100, new AtomicLong());
        s.add(((Subscriptions.Fits) s.check(topics(texts))).added(), maxRate, null, false);
        return s;
    }

    @Test
    void shouldCoverLiteralTopicsAndWhatItsWildcardsMatch() {
        Subscriptions s = holding(null, "stocks.AAPL", "sports.>");

        assertTrue(s.covers("stocks.AAPL"));
        assertTrue(s.covers("sports.football.ARS-CHE"));
        assertFalse(s.covers("stocks.MSFT"));
    }

    @Test
    void shouldStopCoveringWhatIsUnsubscribed() {
        Subscriptions s = holding(null, "stocks.AAPL", "sports.>");

        assertEquals(2, s.remove(topics("stocks.AAPL", "sports.>", "stocks.MSFT")), "only the held ones count");
        assertFalse(s.covers("stocks.AAPL"));
        assertFalse(s.covers("sports.football.ARS-CHE"));
        assertEquals(0, s.size());
    }

    @Test
    void shouldApplyTheMostPermissiveMaxRateOfTheCoveringSubscriptions() {
        Subscriptions s = holding(2.0, "stocks.*");
        s.add(topics("stocks.AAPL"), 5.0, null, false);

        assertEquals(5.0, s.maxRate("stocks.AAPL"));
        assertEquals(2.0, s.maxRate("stocks.MSFT"));
    }

    @Test
    void shouldLeaveATopicUnlimitedWhenACoveringSubscriptionHasNoMaxRate() {
        Subscriptions s = holding(2.0, "stocks.*");
        s.add(topics("stocks.AAPL"), null, null, false);

        assertTrue(s.anyMaxRate());
        assertEquals(0, s.maxRate("stocks.AAPL"), "0: no limit");
        assertEquals(0, s.maxRate("sports.football.ARS-CHE"), "not covered: no limit");
    }

    @Test
    void shouldForgetTheMaxRateOfAnUnsubscribedPattern() {
        Subscriptions s = holding(2.0, "stocks.*");
        s.remove(topics("stocks.*"));

        assertFalse(s.anyMaxRate());
    }

    @Test
    void shouldAddOnlyPatternsNotHeldYet() {
        Subscriptions s = holding(null, "stocks.AAPL");

        Subscriptions.Check check = s.check(topics("stocks.AAPL", "stocks.MSFT"));

        assertEquals(topics("stocks.MSFT"), assertInstanceOf(Subscriptions.Fits.class, check).added());
    }

    @Test
    void shouldRefuseMoreSubscriptionsThanTheLimit() {
        Subscriptions s = new Subscriptions(null, 2, new AtomicLong());
        s.add(topics("stocks.AAPL"), null, null, false);

        Subscriptions.Check check = s.check(topics("stocks.MSFT", "stocks.IBM"));

        Subscriptions.Refused refused = assertInstanceOf(Subscriptions.Refused.class, check);
        assertEquals(ErrorCode.TOO_MANY_SUBSCRIPTIONS, refused.code());
        assertEquals("at most 2 subscriptions per connection (this one has 1)", refused.message());
    }

    @Test
    void shouldRefuseATopicTheTokenDoesNotAllow() {
        Grant grant = new Grant("alice", topics("stocks.*"), Long.MAX_VALUE);
        Subscriptions s = new Subscriptions(grant, 100, new AtomicLong());

        assertInstanceOf(Subscriptions.Fits.class, s.check(topics("stocks.AAPL")));
        Subscriptions.Refused refused = assertInstanceOf(Subscriptions.Refused.class,
                s.check(topics("stocks.AAPL", "sports.>")));
        assertEquals(ErrorCode.FORBIDDEN, refused.code());
        assertEquals("the token does not allow sports.>", refused.message());
    }
}
