package io.tickstream.feed;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import net.openhft.chronicle.queue.RollCycle;
import org.junit.jupiter.api.Test;

class FeedQueueTest {

    @Test
    void shouldOfferOnlyRollCyclesWhoseSeqsJavaScriptHoldsExactly() {
        long in50Years = ZonedDateTime.now(ZoneOffset.UTC).plusYears(50).toInstant().toEpochMilli();
        for (String name : FeedQueue.ROLL_CYCLES) {
            if (name.startsWith("TEST_")) {
                continue;
            }
            RollCycle rc = FeedQueue.rollCycle(name);
            int cycle = (int) (in50Years / rc.lengthInMillis());
            long largest = rc.toIndex(cycle, rc.maxMessagesPerCycle() - 1);
            assertTrue(largest < (1L << 53), name + " gives seq " + largest + " in 50 years");
        }
        assertTrue(Instant.now().toEpochMilli() > 0);
    }

    @Test
    void shouldRejectUnknownRollCycles() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeedQueue.rollCycle("MINUTELY"));
        assertTrue(e.getMessage().contains("FAST_DAILY"));
    }
}
