package io.tickstream.fanout;

import io.tickstream.feed.EncodedMessage;
import io.tickstream.ingest.History;
import io.tickstream.ingest.Replayer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * One replay of the queue a connection asked its {@link Shard} for ({@code subscribe} with
 * {@code from}, or the {@code replay} op's time window): the handle to read on or stop it. The reading is the {@link Replayer}'s, on its own
 * thread; every result reaches the {@link Listener} on the shard's event loop.
 *
 * <p>Threading: {@link #next()} and {@link #cancel()} may be called from any thread; the connection
 * calls them on its event loop.
 */
public final class Replay {

    /** Where a replay's results go; called on the shard's event loop, in order. */
    public interface Listener {

        /**
         * {@code from} is older than the queue still holds (its first message is {@code firstSeq}), or
         * the queue could not be read ({@code firstSeq} -1). Nothing more follows.
         */
        void replayUnavailable(long firstSeq);

        /**
         * The snapshots asked for at the start: of each topic to look up, its latest message with
         * {@code seq <= from}, in {@code seq} order (topics with none are left out). Called once,
         * before the first {@link #replayed}, and only when topics to look up were given.
         */
        void snapshotsAt(List<EncodedMessage> messages);

        /** The next messages, in order; {@code last} when the replay is complete. */
        void replayed(List<EncodedMessage> messages, boolean last);
    }

    /** Where a time window's results go: first where it lies, then what {@link Listener} says. */
    public interface WindowListener extends Listener {

        /** The window lies from {@code fromSeq} to {@code toSeq}, with {@code count} messages to send. */
        void located(long fromSeq, long toSeq, long count);

        /**
         * The window is not in the queue ({@code why}; {@code firstSeq} and {@code firstTs} are the
         * queue's first record, -1 when not known); nothing more follows.
         */
        void windowUnavailable(String why, long firstSeq, long firstTs);

        @Override
        default void snapshotsAt(List<EncodedMessage> messages) {
            // a window replay asks for none
        }
    }

    private final Replayer.Replay reading;

    /** Starts the replay of a time window: the replayer locates it, then reads the first chunk. */
    Replay(Replayer replayer, long fromTs, long toTs, long upTo, Predicate<String> topics, Executor loop,
           WindowListener listener) {
        this.reading = replayer.startWindow(fromTs, toTs, upTo, topics, loop, new Replayer.WindowSink() {
            @Override
            public void located(History.Window w) {
                listener.located(w.fromSeq(), w.toSeq(), w.count());
            }

            @Override
            public void windowUnavailable(String why, long firstSeq, long firstTs) {
                listener.windowUnavailable(why, firstSeq, firstTs);
            }

            @Override
            public void replayUnavailable(long firstSeq) {
                listener.replayUnavailable(firstSeq);
            }

            @Override
            public void replayed(List<EncodedMessage> messages, boolean last) {
                listener.replayed(messages, last);
            }
        });
    }

    /** Starts the replay: the replayer reads the first chunk at once. */
    Replay(Replayer replayer, long from, long upTo, Predicate<String> topics, Set<String> lookUp, Executor loop,
           Listener listener) {
        this.reading = replayer.start(from, upTo, topics, lookUp, loop, new Replayer.Sink() {
            @Override
            public void replayUnavailable(long firstSeq) {
                listener.replayUnavailable(firstSeq);
            }

            @Override
            public void snapshotsAt(List<EncodedMessage> messages) {
                listener.snapshotsAt(messages);
            }

            @Override
            public void replayed(List<EncodedMessage> messages, boolean last) {
                listener.replayed(messages, last);
            }
        });
    }

    /** Reads and hands over the next chunk; ask once the last one has been written. */
    public void next() {
        reading.next();
    }

    /** Stops the replay; no further chunk is handed over. */
    public void cancel() {
        reading.cancel();
    }
}
