package io.tickstream.fanout;

import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedBatch;
import io.tickstream.feed.TopicPattern;
import io.tickstream.ingest.Replayer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The fan-out of one event loop: its subscribers, a topic index (topic → subscribers, patterns
 * resolved), and the latest message of every topic (the snapshot), all consistent with each
 * other because one thread applies both batches and subscription changes, in order.
 *
 * <p>Threading: {@link #post(FeedBatch, Runnable)} and {@link #inFlight()} may be called from any thread
 * (the tailer's); everything else only on this shard's event loop, through {@code loop}.
 */
public final class Shard {

    private static final Logger LOG = Logger.getLogger(Shard.class.getName());

    private final Executor loop;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, TopicEntry> topics = new HashMap<>();
    /** Those added and not removed: the ones a new topic is matched against ({@link Subscriber#covers}). */
    private final Set<Subscriber> subscribers = new LinkedHashSet<>();
    private final List<Subscriber> touched = new ArrayList<>();
    /** Removed since the topic index was last compacted: skipped by deliveries until then. */
    private final Set<Subscriber> removed = new HashSet<>();
    private long position;
    /** Resumes waiting for {@link #position} to reach their seq. */
    private final PositionWaiters waiters = new PositionWaiters();
    private final LongConsumer busyNanos;
    private final Replayer replayer;

    /**
     * @param loop          runs tasks on the event loop that owns this shard
     * @param startPosition the tailer's start position: messages up to it are never delivered live
     * @param busyNanos     told how long each batch took to deliver, for the loop's utilisation
     * @param replayer      reads the queue again for {@link #replay}, on its own thread
     */
    public Shard(Executor loop, long startPosition, LongConsumer busyNanos, Replayer replayer) {
        this.loop = loop;
        this.position = startPosition;
        this.busyNanos = busyNanos;
        this.replayer = replayer;
    }

    /**
     * Takes the latest message of each topic up to the start position (see
     * {@link io.tickstream.ingest.LatestValues}), the snapshots owed before any live message, with
     * the seq of each topic's first message (see {@link #firstSeq}). Call before the first batch;
     * a topic that already has a newer value keeps it.
     */
    public void seed(List<EncodedMessage> latest, Map<String, Long> firstSeqs) {
        for (EncodedMessage m : latest) {
            TopicEntry e = topics.get(m.topic());
            if (e == null) {
                e = newTopic(m.topic(), firstSeqs.getOrDefault(m.topic(), -1L));
            }
            if (e.latest == null || e.latest.seq() < m.seq()) {
                e.latest = m;
            }
        }
    }

    /**
     * The seq of the topic's first message in the queue: before it the topic had no value. -1 when
     * not known (then it may have had one at any seq); {@code Long.MAX_VALUE} for a topic never seen.
     */
    public long firstSeq(String topic) {
        TopicEntry e = topics.get(topic);
        return e == null ? Long.MAX_VALUE : e.firstSeq;
    }

    /**
     * The {@code seq} up to which the feed has passed through this shard: a subscription made now
     * receives live every message after it, and none up to it.
     */
    public long position() {
        return position;
    }

    /**
     * Hands a batch to this shard's event loop; {@code delivered} runs on the loop once the batch is
     * delivered and counted out of {@link #inFlight()}. Any thread.
     */
    public void post(FeedBatch batch, Runnable delivered) {
        inFlight.incrementAndGet();
        loop.execute(() -> {
            long start = System.nanoTime();
            try {
                onBatch(batch);
            } finally {
                inFlight.decrementAndGet();
                delivered.run();
                busyNanos.accept(System.nanoTime() - start);
            }
        });
    }

    /** Batches posted and not yet delivered. Any thread. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Delivers a batch: updates each topic's latest message and gives it to the topic's subscribers. */
    void onBatch(FeedBatch batch) {
        compact();
        for (EncodedMessage m : batch.messages()) {
            position = m.seq();
            TopicEntry entry = topics.get(m.topic());
            if (entry == null) {
                entry = newTopic(m.topic(), m.seq());
            }
            entry.latest = m;
            for (Subscriber s : entry.subscribers()) {
                if (!removed.isEmpty() && removed.contains(s)) {
                    continue;
                }
                try {
                    if (s.deliver(m)) {
                        touched.add(s);
                    }
                } catch (RuntimeException e) {
                    failed(s, e);
                }
            }
        }
        for (int i = 0; i < touched.size(); i++) {
            if (!removed.isEmpty() && removed.contains(touched.get(i))) {
                continue;
            }
            try {
                touched.get(i).endOfBatch();
            } catch (RuntimeException e) {
                failed(touched.get(i), e);
            }
        }
        touched.clear();
        waiters.reached(position);
    }

    /**
     * Reads the queue again from just after {@code from} up to {@link #position()}, where the live
     * stream of a subscription made now starts, for the topics that pass {@code topics}; the results
     * reach {@code listener} on this loop, the first chunk at once and each next one when asked for
     * ({@link Replay#next()}), so that the connection's socket paces the replay.
     *
     * @param lookUp topics whose latest message at or before {@code from} is wanted first (see
     *               {@link Replay.Listener#snapshotsAt}); {@code null} for none
     */
    public Replay replay(long from, Predicate<String> topics, Set<String> lookUp, Replay.Listener listener) {
        return new Replay(replayer, from, position, topics, lookUp, loop, listener);
    }

    /**
     * Replays the messages written from {@code fromTs} to {@code toTs} (microseconds since the epoch)
     * whose topics pass {@code topics}, up to {@link #position()}: where the window lies first, then
     * its messages, each chunk when asked for, on this loop.
     */
    public Replay replayWindow(long fromTs, long toTs, Predicate<String> topics, Replay.WindowListener listener) {
        return new Replay(replayer, fromTs, toTs, position, topics, loop, listener);
    }

    /**
     * The state of the topics that pass {@code topics} as of the seq {@code at}, read from the queue,
     * handed to {@code done} on this loop: each topic's latest message up to it, in seq order;
     * {@code null} when {@code at} is older than the queue holds (or it could not be read).
     */
    public void snapshotAt(long at, Predicate<String> topics, Consumer<List<EncodedMessage>> done) {
        replayer.snapshotAt(at, topics, loop, done);
    }

    /** The latest message of each topic that passes {@code topics}, as of {@link #position()}, in seq order. */
    public List<EncodedMessage> latest(Predicate<String> topics) {
        List<EncodedMessage> out = new ArrayList<>();
        for (TopicEntry e : this.topics.values()) {
            if (e.latest != null && topics.test(e.topic)) {
                out.add(e.latest);
            }
        }
        out.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        return out;
    }

    /**
     * Runs {@code reached} once {@link #position()} is at least {@code seq}: at once if it is, else
     * on this loop after the batch that takes it there. {@link #cancelAwait} forgets it.
     */
    public void awaitPosition(long seq, Runnable reached) {
        waiters.await(position, seq, reached);
    }

    /** Forgets a callback given to {@link #awaitPosition}; nothing if it ran or was never given. */
    public void cancelAwait(Runnable reached) {
        waiters.cancel(reached);
    }

    /** One connection's failure must not cost anyone else a message: log it, drop that connection. */
    private void failed(Subscriber s, RuntimeException e) {
        LOG.log(Level.WARNING, "dropping a subscriber after an unexpected error: " + e, e);
        remove(s);
        s.fail(e);
    }

    private TopicEntry newTopic(String topic, long firstSeq) {
        TopicEntry entry = new TopicEntry(topic, firstSeq);
        topics.put(topic, entry);
        for (Subscriber s : subscribers) {
            if (s.covers(topic)) {
                entry.add(s);
            }
        }
        return entry;
    }

    /** Adds a connection; it receives nothing until it subscribes. */
    public void add(Subscriber s) {
        subscribers.add(s);
    }

    /**
     * Removes a connection: at once from the shard (it receives nothing more), and from the topic
     * index at the next compaction, so that a thousand connections closing together cost one pass
     * over the index rather than one each.
     */
    public void remove(Subscriber s) {
        if (subscribers.remove(s)) {
            removed.add(s);
        }
    }

    /**
     * Takes the removed connections out of every topic, in one pass. Runs before each batch and
     * subscription change, and on the loop's periodic tick so that closed connections are let go
     * even while the feed is silent.
     */
    public void compact() {
        if (removed.isEmpty()) {
            return;
        }
        for (TopicEntry e : topics.values()) {
            e.removeAll(removed);
        }
        removed.clear();
    }

    /**
     * Adds subscriptions. Call before the subscriber's own {@link Subscriber#covers} includes
     * {@code added}, so that topics it already had are told apart from new ones.
     *
     * @return the latest message of each topic newly covered, in topic order of first appearance;
     *     these are the snapshots owed
     */
    public List<EncodedMessage> subscribe(Subscriber s, Collection<TopicPattern> added) {
        compact();
        List<EncodedMessage> snapshots = new ArrayList<>();
        for (TopicEntry e : topics.values()) {
            if (e.contains(s)) {
                continue;
            }
            for (TopicPattern p : added) {
                if (p.matches(e.topic)) {
                    e.add(s);
                    if (e.latest != null) {
                        snapshots.add(e.latest);
                    }
                    break;
                }
            }
        }
        snapshots.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        return snapshots;
    }

    /**
     * Re-evaluates membership after subscriptions were removed. Call after the subscriber's own
     * {@link Subscriber#covers} no longer includes them.
     */
    public void unsubscribe(Subscriber s) {
        compact();
        for (TopicEntry e : topics.values()) {
            if (e.contains(s) && !s.covers(e.topic)) {
                e.remove(s);
            }
        }
    }

    /** The latest message of every known topic. */
    public List<EncodedMessage> latest() {
        List<EncodedMessage> out = new ArrayList<>(topics.size());
        for (TopicEntry e : topics.values()) {
            out.add(e.latest);
        }
        return out;
    }

    /**
     * The subscribers this shard delivers to, for tests. The list of a loop's connections is not
     * this one (a connection leaves its shard as soon as it closes, before its socket has).
     */
    Collection<Subscriber> subscribers() {
        return subscribers;
    }
}
