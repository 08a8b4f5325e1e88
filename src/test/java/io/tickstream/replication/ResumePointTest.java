package io.tickstream.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aeron.archive.client.AeronArchive;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where an edge resumes among the feed host's recordings, one per run. */
class ResumePointTest {

    private static final List<FeedRecording> RUNS = List.of(
            new FeedRecording(3, 0, 4_096, 1 << 22, 11, "FAST_DAILY"),
            new FeedRecording(4, 0, 8_192, 1 << 22, 12, "FAST_DAILY"),
            new FeedRecording(7, 0, AeronArchive.NULL_POSITION, 1 << 22, 13, "FAST_DAILY"));

    @Test
    void nothingStoredBeginsWithTheOldestRecordingsStart() {
        assertEquals(new ResumePoint(0, 3, 0, false), ResumePoint.of(RUNS, null));
    }

    @Test
    void aStoredPositionResumesInItsRecording() {
        assertEquals(new ResumePoint(1, 4, 6_000, false),
                ResumePoint.of(RUNS, new ReplicaWriter.StoredPosition(4, 6_000)));
        assertEquals(new ResumePoint(2, 7, 640, false),
                ResumePoint.of(RUNS, new ReplicaWriter.StoredPosition(7, 640)));
    }

    @Test
    void aRecordingTheFeedHostNoLongerHoldsBeginsWithTheOldestAndSaysSo() {
        assertEquals(new ResumePoint(0, 3, 0, true),
                ResumePoint.of(RUNS, new ReplicaWriter.StoredPosition(1, 9_999)));
    }
}
