package io.tickstream.replication;

import io.aeron.ChannelUri;
import io.aeron.archive.client.AeronArchive;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One recording of the live stream, as the archive's catalogue describes it: one feed host run (each
 * start records anew, see {@link RecordedStream}), where it starts and stops, its session id, and the
 * origin queue's roll cycle, carried in the stream's alias. Immutable.
 *
 * @param stopPosition where the recording stops, or {@code AeronArchive.NULL_POSITION} while it records
 * @param sessionId    the session id of the run's live stream
 * @param rollCycle    the origin queue's roll cycle name, which a replica must share
 */
record FeedRecording(long recordingId, long startPosition, long stopPosition, int termLength, int sessionId,
                     String rollCycle) {

    /** The recordings of the live stream in {@code archive}, oldest first (one per run); empty when none. */
    static List<FeedRecording> list(AeronArchive archive) {
        List<FeedRecording> found = new ArrayList<>();
        archive.listRecordingsForUri(0, Integer.MAX_VALUE, "", Media.LIVE_STREAM_ID,
                (controlSessionId, correlationId, recordingId, startTimestamp, stopTimestamp, startPosition,
                 stopPosition, initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId,
                 strippedChannel, originalChannel, sourceIdentity) -> {
                    String alias = ChannelUri.parse(originalChannel).get("alias");
                    if (alias != null && alias.startsWith(Media.ALIAS_PREFIX)) {
                        found.add(new FeedRecording(recordingId, startPosition, stopPosition, termBufferLength,
                                sessionId, alias.substring(Media.ALIAS_PREFIX.length())));
                    }
                });
        found.sort(Comparator.comparingLong(FeedRecording::recordingId));
        return found;
    }

    /** Whether the run that made it has ended (its archive knows where it stops). */
    boolean stopped() {
        return stopPosition != AeronArchive.NULL_POSITION;
    }
}
