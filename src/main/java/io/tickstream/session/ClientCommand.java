package io.tickstream.session;

import io.tickstream.feed.TopicPattern;
import java.util.List;

/** A well-formed client message (protocol "Client → server"). */
public sealed interface ClientCommand permits ClientCommand.Subscribe, ClientCommand.Unsubscribe, ClientCommand.Ping,
        ClientCommand.Snapshot, ClientCommand.Replay, ClientCommand.Cancel {

    /** The client's {@code id}, echoed in the answer, or {@code null}. */
    String id();

    /**
     * @param topics   topics and patterns, in the order sent, duplicates removed
     * @param snapshot send each newly covered topic's latest message first (with {@code from}: its latest at or
     *                 before {@code from}); true by default, false by default with {@code from}
     * @param from     resume after this {@code seq}, or {@code null}
     * @param maxRate  at most this many messages per second per topic, or {@code null}
     * @param maxStalenessMs how old a tick may be when it is written ({@code maxStalenessMs}), or {@code null}
     * @param trace    each message of the subscription carries its latency provenance ({@code trace})
     */
    record Subscribe(String id, List<TopicPattern> topics, boolean snapshot, Long from, Double maxRate,
                     Long maxStalenessMs, boolean trace) implements ClientCommand {
    }

    /**
     * The state of {@code topics} as of a seq (1.1, consistent snapshots).
     *
     * @param at the seq, or {@code null} for now
     */
    record Snapshot(String id, List<TopicPattern> topics, Long at) implements ClientCommand {
    }

    /**
     * A replay of the messages of {@code topics} written in a time window (1.1).
     *
     * @param fromTime the window's start, microseconds since the epoch
     * @param toTime   its end, or {@code null} for the moment of the request
     * @param speed    how many times faster than written; 0 as fast as the connection takes them
     */
    record Replay(String id, List<TopicPattern> topics, long fromTime, Long toTime, double speed)
            implements ClientCommand {
    }

    /** Stops the replay {@code id}. */
    record Cancel(String id) implements ClientCommand {
    }

    record Unsubscribe(String id, List<TopicPattern> topics) implements ClientCommand {
    }

    record Ping(String id) implements ClientCommand {
    }
}
