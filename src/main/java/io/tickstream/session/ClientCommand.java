package io.tickstream.session;

import io.tickstream.feed.TopicPattern;
import java.util.List;

/** A well-formed client message (protocol "Client → server"). */
public sealed interface ClientCommand permits ClientCommand.Subscribe, ClientCommand.Unsubscribe, ClientCommand.Ping {

    /** The client's {@code id}, echoed in the answer, or {@code null}. */
    String id();

    /**
     * @param topics   topics and patterns, in the order sent, duplicates removed
     * @param snapshot send each newly covered topic's latest message first (with {@code from}: its latest at or
     *                 before {@code from}); true by default, false by default with {@code from}
     * @param from     resume after this {@code seq}, or {@code null}
     * @param maxRate  at most this many messages per second per topic, or {@code null}
     */
    record Subscribe(String id, List<TopicPattern> topics, boolean snapshot, Long from, Double maxRate)
            implements ClientCommand {
    }

    record Unsubscribe(String id, List<TopicPattern> topics) implements ClientCommand {
    }

    record Ping(String id) implements ClientCommand {
    }
}
