package io.tickstream.fanout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.feed.EncodedMessage;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A topic's subscriber array: in the order of subscribing, once each, copy-on-write. */
class TopicEntryTest {

    private static final class Named implements Subscriber {
        @Override
        public boolean covers(String topic) {
            return true;
        }

        @Override
        public boolean deliver(EncodedMessage message) {
            return false;
        }

        @Override
        public void endOfBatch() {
        }

        @Override
        public void fail(RuntimeException cause) {
        }
    }

    private final Subscriber a = new Named();
    private final Subscriber b = new Named();
    private final Subscriber c = new Named();

    @Test
    void subscribersComeInTheOrderTheySubscribedAndOnceEach() {
        TopicEntry entry = new TopicEntry("stocks.AAPL", -1);
        assertTrue(entry.add(a));
        assertTrue(entry.add(b));
        assertFalse(entry.add(a), "a second add of the same subscriber");
        assertTrue(entry.add(c));
        assertArrayEquals(new Subscriber[] {a, b, c}, entry.subscribers());
    }

    @Test
    void anArrayOnceReturnedNeverChangesAndIsReusedUntilTheNextChange() {
        TopicEntry entry = new TopicEntry("stocks.AAPL", -1);
        entry.add(a);
        entry.add(b);
        entry.add(c);
        Subscriber[] walking = entry.subscribers();
        assertSame(walking, entry.subscribers(), "no change: the same array");
        assertTrue(entry.remove(b));
        assertArrayEquals(new Subscriber[] {a, b, c}, walking, "a delivery loop in progress keeps its array");
        assertArrayEquals(new Subscriber[] {a, c}, entry.subscribers());
        entry.add(b);
        entry.removeAll(Set.of(a, c));
        assertArrayEquals(new Subscriber[] {b}, entry.subscribers());
        assertFalse(entry.remove(a), "gone already");
        assertFalse(entry.contains(a));
    }
}
