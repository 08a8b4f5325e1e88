package io.tickstream.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GapCounterTest {

    private static final long SECOND = 1_000_000;

    @Test
    void shouldCountNothingForAnUnbrokenRun() {
        GapCounter g = new GapCounter();
        for (long seq = 1; seq <= 100; seq++) {
            g.message(seq, 0, seq * SECOND);
        }
        assertEquals(0, g.unexplained());
        assertEquals(0, g.lost(100));
    }

    @Test
    void shouldNotCountHolesThatConflatedMessagesLaterCover() {
        // 3 and 5 (topic A) were replaced by A's tick at 7, which says it stands for 2 updates
        GapCounter g = new GapCounter();
        long t = 0;
        for (long seq : new long[] {1, 2, 4, 6}) {
            g.message(seq, 0, t += SECOND);
        }
        assertEquals(2, g.unexplained(), "before the replacement arrives, the holes look like losses");
        g.message(7, 2, t += SECOND);
        g.message(8, 0, t += SECOND);
        assertEquals(0, g.unexplained());
        assertEquals(0, g.lost(7));
    }

    @Test
    void shouldCountASettledHoleThatNothingCoversAsLost() {
        GapCounter g = new GapCounter();
        long t = 0;
        for (long seq : new long[] {1, 2, 4, 5, 6, 7, 8}) {
            g.message(seq, 0, t += SECOND);
        }
        assertEquals(1, g.lost(6), "every topic delivered after seq 3, and no conflated count covers it");
    }

    @Test
    void shouldLeaveAHoleWhoseTopicHasNotDeliveredSinceUnsettled() {
        // the run ends while A's replacement is still on its way: A last delivered 1, the hole is 3
        GapCounter g = new GapCounter();
        long t = 0;
        for (long seq : new long[] {1, 2, 4, 5, 6}) {
            g.message(seq, 0, t += SECOND);
        }
        assertEquals(1, g.unexplained());
        assertEquals(0, g.lost(1), "not settled: the horizon (A's last seq) is below the hole");
    }

    @Test
    void shouldStartAfreshInANewRollCycle() {
        GapCounter g = new GapCounter();
        g.message(5, 0, SECOND);
        g.message((1L << 32) + 1, 0, 2 * SECOND);
        g.message((1L << 32) + 2, 0, 3 * SECOND);
        assertEquals(0, g.lost(Long.MAX_VALUE));
    }

    @Test
    void shouldFindTheOldestLastSeqOfTheTopics() {
        LastSeqByTopic last = new LastSeqByTopic();
        assertEquals(Long.MAX_VALUE, last.minValue());
        for (int topic = 0; topic < 100; topic++) {
            last.put(topic, 1_000 + topic);
        }
        last.put(0, 5_000);
        assertEquals(1_001, last.minValue());
    }
}
