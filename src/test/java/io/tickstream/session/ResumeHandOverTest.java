package io.tickstream.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickstream.fanout.Shard;
import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.TopicPattern;
import io.tickstream.feed.FeedBatch;
import io.tickstream.metrics.DeliveryMeters;
import io.tickstream.metrics.Meters;
import io.tickstream.support.RecordingTransport;
import io.tickstream.support.TestLoop;
import io.tickstream.support.TickQueue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resume hand-over on its own, without a session or a server: a real queue and replayer, an
 * outbox writing to a recording transport, and a conversation that records what it is handed back.
 * Everything is touched by the test thread only (the replayer's hand-overs wait in {@link #loop}
 * until the test runs them), as by one event loop in the server.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResumeHandOverTest {

    @TempDir
    Path dir;

    private TickQueue ticks;
    private List<EncodedMessage> feed;
    private final TestLoop loop = new TestLoop();
    /** What reached the client and the conversation, in order: a seq, or "handled:" and a message. */
    private final List<String> events = new ArrayList<>();
    private final List<ClientCommand.Subscribe> resubscribed = new ArrayList<>();
    /** Records the seq of each message written (control messages by their type) in {@link #events}. */
    private final RecordingTransport transport = new RecordingTransport(
            m -> events.add(m.containsKey("seq") ? String.valueOf(m.getLong("seq")) : m.getString("type")));
    private final Meters meters = new Meters(new SimpleMeterRegistry());
    private Outbox outbox;

    @BeforeEach
    void queue() {
        ticks = TickQueue.write(dir, 100, 16);
        feed = ticks.feed();
        outbox = new Outbox(transport, meters, new DeliveryMeters(meters), new FramePacker(65_536),
                new SlowConsumerPolicy(1 << 20, 5_000, 30_000), new SharedFrames(), System::nanoTime);
    }

    @AfterEach
    void close() throws Exception {
        ticks.close();
    }

    private Resume resume(Shard shard) {
        Resume.Conversation conversation = new Resume.Conversation(text -> events.add("handled:" + text),
                resubscribed::add, outcome -> assertEquals(Outbox.Outcome.OK, outcome));
        return new Resume(shard, outbox, transport, new ServerMessages(), meters, (delayMs, task) -> { }, 1_000,
                conversation);
    }

    private Shard shardAt(long position) {
        return new Shard(loop.inlineOnThisThread(), position, nanos -> { }, ticks.replayer());
    }

    private static ClientCommand.Subscribe resumeFrom(long from) {
        return new ClientCommand.Subscribe("r", List.of(TopicPattern.parse("stocks.*")), false, from, null, null, false);
    }

    private List<String> seqs(int from, int to) {
        return feed.subList(from, to + 1).stream().map(m -> String.valueOf(m.seq())).toList();
    }

    /** Runs the replayer's hand-overs, as the event loop would, until {@code done}. */
    private void runLoopUntil(BooleanSupplier done) throws InterruptedException {
        loop.runUntil(done, () -> "so far: " + events);
    }

    @Test
    void shouldWriteTheReplayThenTheHeldLiveMessagesThenHandBackTheClientsMessages() throws Exception {
        Shard shard = shardAt(feed.get(79).seq());
        Resume resume = resume(shard);
        assertFalse(resume.holds("before"), "nothing in progress: handled by the caller");

        resume.start(resumeFrom(feed.get(59).seq()), List.of(TopicPattern.parse("stocks.*")), List.of(), List.of());
        feed.subList(80, 90).forEach(outbox::add);   // live, while the replay runs
        outbox.endOfBatch();
        assertTrue(resume.holds("ping"));
        assertTrue(resume.holds("unsubscribe"));
        runLoopUntil(() -> events.contains("handled:unsubscribe"));

        List<String> expected = new ArrayList<>(seqs(60, 89));
        expected.add("handled:ping");
        expected.add("handled:unsubscribe");
        assertEquals(expected, events, "replayed 60..79, then live 80..89, then the client's messages in order");
        assertFalse(resume.holds("after"), "the resume is over");
    }

    @Test
    void shouldGoOnWithASubscribeWhoseFromTheFeedReaches() {
        Shard shard = shardAt(feed.get(49).seq());
        Resume resume = resume(shard);
        ClientCommand.Subscribe cmd = resumeFrom(feed.get(59).seq());

        assertFalse(resume.awaitsFeed(resumeFrom(feed.get(49).seq())), "reached already: subscribe now");
        assertTrue(resume.awaitsFeed(cmd));
        assertTrue(resume.holds("ping"));
        shard.post(new FeedBatch(feed.subList(50, 60)), () -> { });

        assertEquals(List.of(cmd), resubscribed);
        assertEquals(List.of("handled:ping"), events);
    }

    @Test
    void shouldStopTheReplayWhenClosed() throws Exception {
        Shard shard = shardAt(feed.get(79).seq());
        Resume resume = resume(shard);
        resume.start(resumeFrom(feed.get(59).seq()), List.of(TopicPattern.parse("stocks.*")), List.of(), List.of());
        resume.holds("ping");
        Runnable firstChunk = loop.next(Duration.ofSeconds(20));
        assertNotNull(firstChunk);

        resume.close();
        firstChunk.run();   // read before the close: ignored

        assertEquals(List.of(), events, "nothing written, nothing handed back");
    }
}
