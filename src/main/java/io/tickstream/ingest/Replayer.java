package io.tickstream.ingest;

import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.JsonCodec;
import io.tickstream.feed.MicroClock;
import io.tickstream.feed.QueueCodec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.logging.Logger;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;

/**
 * Reads the queue again for {@code subscribe} with {@code from}: every message of a connection's
 * requested topics with {@code from < seq <= upTo}, in chunks, each handed to the connection's event
 * loop; the next chunk is read only when the connection asks for it (after its socket has taken
 * the last one), so a replay is itself subject to backpressure and never blocks an event loop.
 * A record that cannot be decoded (damaged, see {@link QueueCodec}) is skipped, as the live
 * tailer skips it: a replay delivers exactly what live delivery did. A replay that meets a cycle
 * file damaged under the server (a failed read: truncated or emptied, see {@link QueueDamage}),
 * or whose {@code from} is not in the queue although older records are (its cycle file was moved
 * out), answers {@link Sink#replayUnavailable} rather than skipping what it cannot read.
 *
 * <p>Threading: one replay thread owns every replay's record reader (and its Chronicle tailer) and
 * the JSON codec; the sinks are called on their own event loops. {@link #start} and
 * {@link Replay#next()} / {@link Replay#cancel()} may be called from any thread.
 */
public final class Replayer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Replayer.class.getName());

    /** Where a replay's results go; called on the connection's event loop. */
    public interface Sink {

        /** {@code from} is older than the queue still holds; its first message is {@code firstSeq}. */
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

    /** Where a time window's results go: first where it lies, then what {@link Sink} says. */
    public interface WindowSink extends Sink {

        /** The window lies from {@code fromSeq} to {@code toSeq}, with {@code count} messages to send. */
        void located(History.Window window);

        /**
         * The window is not in the queue (said why; {@code firstSeq} and {@code firstTs} are the
         * queue's first record, -1 when not known); nothing more follows.
         */
        void windowUnavailable(String why, long firstSeq, long firstTs);

        @Override
        default void snapshotsAt(List<EncodedMessage> messages) {
            // a window replay asks for none
        }
    }

    private final ChronicleQueue queue;
    private final QueueDamage damage;
    private final int chunkSize;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tickstream-replay");
        t.setDaemon(true);
        return t;
    });
    private final JsonCodec codec = new JsonCodec();
    private final History history;

    /**
     * @param damage    what to check when a read fails: whether a cycle file was damaged
     * @param chunkSize most messages handed over at once
     * @param history   reads of the queue's past: snapshots at a seq, where a time window lies;
     *                  the replayer owns it ({@link #close()} closes it)
     */
    public Replayer(ChronicleQueue queue, QueueDamage damage, int chunkSize, History history) {
        this.queue = queue;
        this.damage = damage;
        this.chunkSize = chunkSize;
        this.history = history;
    }

    /**
     * Reads the state of the topics that pass {@code topics} as of the seq {@code at} (see
     * {@link History#snapshotAt}) and hands it to {@code done} on {@code loop}: {@code null} when
     * {@code at} is older than the queue holds or the queue could not be read.
     */
    public void snapshotAt(long at, Predicate<String> topics, Executor loop, Consumer<List<EncodedMessage>> done) {
        thread.execute(() -> {
            List<EncodedMessage> found;
            try {
                found = history.snapshotAt(at, topics, codec);
            } catch (RuntimeException | InternalError e) {
                String why = damage.recheck();
                LOG.warning("snapshot at " + at + " failed: " + (why != null ? why : e.toString()));
                found = null;
            }
            List<EncodedMessage> result = found;
            loop.execute(() -> done.accept(result));
        });
    }

    /**
     * Starts a replay of the messages written from {@code fromTs} to {@code toTs} (microseconds since
     * the epoch) whose topic passes {@code filter}, up to the seq {@code upTo}: where the window lies
     * first ({@link WindowSink#located}), then its messages as {@link #start} hands them over.
     */
    public Replay startWindow(long fromTs, long toTs, long upTo, Predicate<String> filter, Executor loop,
                              WindowSink sink) {
        Replay r = new Replay(-1, upTo, filter, null, loop, sink);
        r.window = new long[] {fromTs, toTs};
        r.next();
        return r;
    }

    /**
     * Starts a replay of the messages with {@code from < seq <= upTo} whose topic passes
     * {@code filter}. The first chunk is read at once; ask for each next one with {@link Replay#next()}.
     *
     * @param lookUp topics whose latest message at or before {@code from} is wanted first (see
     *               {@link Sink#snapshotsAt}), found by reading backwards from {@code from}; {@code null}
     *               for none
     */
    public Replay start(long from, long upTo, Predicate<String> filter, Set<String> lookUp, Executor loop,
                        Sink sink) {
        Replay r = new Replay(from, upTo, filter, lookUp, loop, sink);
        r.next();
        return r;
    }

    /** One replay in progress. */
    public final class Replay {
        private long from;
        private long upTo;
        /** For a time window: its bounds, to be located before the first read; else null. */
        private long[] window;
        /** Whether {@link #from} itself is to be read (a window's first record), not only what follows it. */
        private boolean inclusive;
        private final Predicate<String> filter;
        private final Set<String> lookUp;
        private final Executor loop;
        private final Sink sink;
        private volatile boolean cancelled;
        // replay-thread state
        /** Reads the records up to {@code upTo}; null before the first chunk and after the last. */
        private RecordReader records;
        /** The last seq read, whether delivered, filtered out or skipped as damaged. */
        private long lastRead = -1;

        private Replay(long from, long upTo, Predicate<String> filter, Set<String> lookUp, Executor loop,
                       Sink sink) {
            this.lookUp = lookUp;
            this.from = from;
            this.upTo = upTo;
            this.filter = filter;
            this.loop = loop;
            this.sink = sink;
        }

        /** Reads and hands over the next chunk. */
        public void next() {
            thread.execute(this::step);
        }

        /** Stops the replay; no further chunk is handed over. */
        public void cancel() {
            cancelled = true;
            thread.execute(this::closeReader);
        }

        private void step() {
            if (cancelled) {
                closeReader();
                return;
            }
            try {
                if (records == null) {
                    if (window != null && !locate()) {
                        return;
                    }
                    if (!position()) {
                        return;
                    }
                    handOverSnapshotsAt();
                }
                records.readingAt(MicroClock.nowMicros());
                List<EncodedMessage> chunk = new ArrayList<>(Math.min(chunkSize, 256));
                boolean done = false;
                while (!done && chunk.size() < chunkSize) {
                    switch (records.next()) {
                        case END -> {
                            if (lastRead < upTo) {
                                // upTo was read live, so it is in the queue: the end came early
                                // because a cycle file was cut short under the server
                                throw new IllegalStateException("the queue ended at seq " + lastRead
                                        + " before seq " + upTo + ", which was delivered live");
                            }
                            done = true;
                        }
                        case AFTER_LAST -> done = true;
                        case DAMAGED -> {
                            // skipped live as well (and counted there): a replay delivers what live did
                            lastRead = records.seq();
                            long seq = lastRead;
                            String why = records.decodeError().getMessage();
                            LOG.fine(() -> "replay: skipped undecodable record at seq " + seq + ": " + why);
                        }
                        case RECORD -> {
                            lastRead = records.seq();
                            if (filter.test(records.message().topic())) {
                                chunk.add(records.encode(codec));
                            }
                        }
                    }
                }
                if (done) {
                    closeReader();
                }
                boolean last = done;
                loop.execute(() -> sink.replayed(chunk, last));
            } catch (RuntimeException | InternalError e) {
                // InternalError: a fault in the mapped queue (its file system full or failing, or a
                // cycle file cut short under the server: then it is named, once, by the check)
                String found = damage.recheck();
                LOG.warning("replay from " + from + " failed: " + (found != null ? found : e.toString()));
                try {
                    closeReader();
                } catch (RuntimeException | InternalError ignored) {
                    // the reader is gone either way
                }
                loop.execute(() -> sink.replayUnavailable(-1));
            }
        }

        /**
         * Finds where the window lies and tells the sink; from then on this is a replay from the
         * window's first record to its last. False when there is nothing more to read (answered).
         */
        private boolean locate() {
            WindowSink ws = (WindowSink) sink;
            History.Window found;
            try {
                found = history.window(window[0], window[1], upTo, filter);
            } catch (History.Unavailable e) {
                loop.execute(() -> ws.windowUnavailable(e.getMessage(), e.firstSeq(), e.firstTs()));
                return false;
            }
            window = null;
            loop.execute(() -> ws.located(found));
            if (found.count() == 0) {
                loop.execute(() -> sink.replayed(List.of(), true));
                return false;
            }
            from = found.fromSeq();
            upTo = found.toSeq();
            inclusive = true;
            return true;
        }

        /**
         * Places a reader of the records up to {@code upTo} just after {@code from} (at it, for a
         * window); answers the sink itself when there is nothing to read.
         */
        private boolean position() {
            if (!inclusive && from >= upTo) {
                handOverSnapshotsAt();
                loop.execute(() -> sink.replayed(List.of(), true));
                return false;
            }
            long first = queue.firstIndex();
            if (first == Long.MAX_VALUE || first > upTo) {
                // nothing in the queue up to upTo: only possible when it was all deleted
                loop.execute(() -> sink.replayUnavailable(first));
                return false;
            }
            if (from < first - (inclusive ? 0 : 1)) {
                loop.execute(() -> sink.replayUnavailable(first));
                return false;
            }
            ExcerptTailer tailer = queue.createTailer();
            records = new RecordReader(tailer, upTo);
            if (from < first) {
                tailer.toStart();
            } else if (tailer.moveToIndex(from)) {
                if (!inclusive && records.skip()) {   // the record at from itself, delivered already
                    lastRead = from;
                }
            } else {
                // from is within the queue's range but not in it: its cycle file is gone (moved out
                // after damage); reading on from the next file would skip messages in silence
                closeReader();
                LOG.warning("replay from " + from + ": that seq is not in the queue (its cycle file is missing)");
                loop.execute(() -> sink.replayUnavailable(-1));
                return false;
            }
            return true;
        }

        /** Hands the sink the snapshots at {@code from}, when they were asked for. */
        private void handOverSnapshotsAt() {
            if (lookUp != null) {
                List<EncodedMessage> found = latestAtFrom();
                loop.execute(() -> sink.snapshotsAt(found));
            }
        }

        /**
         * Of each topic in {@link #lookUp}, its latest intact message with {@code seq <= from}, read
         * backwards from {@code from} until every one is found or the queue's start is reached.
         */
        private List<EncodedMessage> latestAtFrom() {
            List<EncodedMessage> found = new ArrayList<>();
            Set<String> wanted = new HashSet<>(lookUp);
            if (wanted.isEmpty()) {
                return found;
            }
            ExcerptTailer back = queue.createTailer();
            try (RecordReader records = new RecordReader(back)) {
                records.readingAt(MicroClock.nowMicros());
                back.direction(TailerDirection.BACKWARD);
                if (!back.moveToIndex(from)) {
                    return found;
                }
                while (!wanted.isEmpty() && !cancelled) {
                    RecordReader.Found read = records.next();
                    if (read == RecordReader.Found.END) {
                        break;
                    }
                    // a damaged record is passed over: the topic's record before it counts
                    if (read == RecordReader.Found.RECORD && records.seq() <= from
                            && wanted.remove(records.message().topic())) {
                        found.add(records.encode(codec));
                    }
                }
            }
            found.sort((a, b) -> Long.compare(a.seq(), b.seq()));
            return found;
        }

        private void closeReader() {
            if (records != null) {
                records.close();
                records = null;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        thread.shutdown();
        thread.awaitTermination(5, TimeUnit.SECONDS);
        history.close();
    }
}
