package io.tickstream.replication;

import io.aeron.ChannelUri;
import io.aeron.archive.client.AeronArchive;

/**
 * The archive's recording of the live stream, as its catalogue describes it: where it starts and
 * stops, what a publication extending it must match (initial term id, term length, session id), and
 * the origin queue's roll cycle, carried in the stream's alias. Immutable.
 *
 * @param stopPosition where the recording stops, or {@code AeronArchive.NULL_POSITION} while it records
 * @param rollCycle    the origin queue's roll cycle name, which a replica must share
 */
record FeedRecording(long recordingId, long startPosition, long stopPosition, int initialTermId, int termLength,
                     int sessionId, String rollCycle) {

    /** The newest recording of the live stream in {@code archive}, or {@code null} when there is none. */
    static FeedRecording find(AeronArchive archive) {
        FeedRecording[] found = new FeedRecording[1];
        archive.listRecordingsForUri(0, Integer.MAX_VALUE, "", Media.LIVE_STREAM_ID,
                (controlSessionId, correlationId, recordingId, startTimestamp, stopTimestamp, startPosition,
                 stopPosition, initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId,
                 strippedChannel, originalChannel, sourceIdentity) -> {
                    String alias = ChannelUri.parse(originalChannel).get("alias");
                    if (alias != null && alias.startsWith(Media.ALIAS_PREFIX)
                            && (found[0] == null || recordingId > found[0].recordingId)) {
                        found[0] = new FeedRecording(recordingId, startPosition, stopPosition, initialTermId,
                                termBufferLength, sessionId, alias.substring(Media.ALIAS_PREFIX.length()));
                    }
                });
        return found[0];
    }
}
