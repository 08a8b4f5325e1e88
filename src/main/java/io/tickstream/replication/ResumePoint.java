package io.tickstream.replication;

import java.util.List;

/**
 * Where an edge's catch-up resumes among the feed host's recordings (oldest first, one per run): the
 * recording and position its replica stored, or, when it stored none or the feed host no longer holds
 * that recording ({@code storedGone}), the oldest recording's start; records the replica holds are
 * skipped as they come. Immutable.
 *
 * @param index the recording's place in the list
 */
record ResumePoint(int index, long recordingId, long position, boolean storedGone) {

    /**
     * @param recordings the feed host's recordings, oldest first; not empty
     * @param stored     what the replica stored, or {@code null} to begin with the oldest recording
     */
    static ResumePoint of(List<FeedRecording> recordings, ReplicaWriter.StoredPosition stored) {
        if (stored != null) {
            for (int i = 0; i < recordings.size(); i++) {
                if (recordings.get(i).recordingId() == stored.recordingId()) {
                    return new ResumePoint(i, stored.recordingId(), stored.position(), false);
                }
            }
        }
        FeedRecording oldest = recordings.get(0);
        return new ResumePoint(0, oldest.recordingId(), oldest.startPosition(), stored != null);
    }
}
