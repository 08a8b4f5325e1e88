package io.tickstream.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickstream.config.ServerConfig;
import io.tickstream.fanout.Shard;
import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedBatch;
import io.tickstream.metrics.DeliveryMeters;
import io.tickstream.metrics.Meters;
import io.tickstream.support.Messages;
import io.tickstream.support.RecordingTransport;
import io.tickstream.support.TestLoop;
import io.tickstream.support.TickQueue;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
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
 * A resume from a seq beyond the shard's position, without a server: a real queue and replayer, a
 * shard run on the test thread, a transport that records frames and a scheduler the test fires.
 * The session and its shard are only ever touched by the test thread (the replayer's hand-overs
 * wait in {@link #loop} until the test runs them), as they are by one event loop in the server.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResumeAheadTest {

    private static final long WAIT_MS = 1_000;

    @TempDir
    Path dir;

    private TickQueue ticks;
    /** The queue's records as the tailer would hand them on: {@code ticks.feed()}. */
    private List<EncodedMessage> feed;
    private final TestLoop loop = new TestLoop();
    private final List<Runnable> timers = new ArrayList<>();
    private final List<Long> timerDelays = new ArrayList<>();
    private final List<JsonObject> sent = new ArrayList<>();

    @BeforeEach
    void queue() {
        ticks = TickQueue.write(dir, 200, 64);
        feed = ticks.feed();
    }

    @AfterEach
    void close() throws Exception {
        ticks.close();
    }

    /** A session on {@code shard}, opened (its welcome is the first message sent). */
    private Session session(Shard shard) {
        Transport transport = new RecordingTransport(sent::add);
        Meters meters = new Meters(new SimpleMeterRegistry());
        Scheduler scheduler = (delayMs, task) -> {
            timerDelays.add(delayMs);
            timers.add(task);
        };
        ServerConfig config = ServerConfig.defaults(Path.of("unused")).with(ServerConfig.MAX_SUBSCRIPTIONS, 100)
                .with(ServerConfig.CLIENT_RATE, 1_000).with(ServerConfig.CLIENT_BURST, 1_000)
                .with(ServerConfig.RESUME_AHEAD_WAIT_MS, WAIT_MS);
        LoopContext context = new LoopContext("test", shard, new DeliveryMeters(meters), new ServerMessages(),
                new SharedFrames(), new CommandParser(100), config, meters, scheduler);
        Session s = new Session("t", transport, context, "127.0.0.1", null);
        s.open();
        return s;
    }

    private Shard shardAt(long position) {
        return new Shard(loop.inlineOnThisThread(), position, nanos -> { }, ticks.replayer());
    }

    private FeedBatch records(int from, int to) {
        return new FeedBatch(feed.subList(from, to + 1));
    }

    /** Runs the replayer's hand-overs, as the event loop would, until {@code done}. */
    private void runLoopUntil(BooleanSupplier done) throws InterruptedException {
        loop.runUntil(done, () -> "sent so far: " + sent);
    }

    private List<String> types() {
        return sent.stream().map(m -> m.getString("type")).toList();
    }

    private List<Long> seqs() {
        return sent.stream().filter(m -> m.containsKey("seq")).map(m -> m.getLong("seq")).toList();
    }

    private static String subscribe(long from) {
        return Messages.subscribe("r", "stocks.*").from(from).json().encode();
    }

    @Test
    void shouldAnswerResumeAheadWithTheHeadWhenTheWaitEndsAndHoldLaterMessagesUntilThen() {
        Shard shard = shardAt(feed.get(99).seq());
        Session session = session(shard);
        session.onText(subscribe(feed.get(199).seq() + 1_000));
        session.onText("{\"op\":\"ping\",\"id\":\"p\"}");
        assertEquals(List.of("welcome"), types(), "nothing yet: the subscribe waits, the ping after it");
        assertEquals(List.of(WAIT_MS), timerDelays, "one timer, of the configured wait");

        shard.post(records(100, 149), () -> { });   // the feed moves, not far enough
        timers.get(0).run();

        assertEquals(List.of("welcome", "error", "pong"), types());
        JsonObject error = sent.get(1);
        assertEquals("resume_ahead", error.getString("code"));
        assertEquals("r", error.getString("id"));
        assertEquals(feed.get(149).seq(), error.getLong("head"), "the newest seq the shard holds");
        shard.post(records(150, 199), () -> { });
        assertEquals(List.of(), seqs(), "nothing subscribed");
    }

    @Test
    void shouldServeTheResumeOnceTheFeedReachesFromWithNoGapAndNoDuplicate() throws Exception {
        Shard shard = shardAt(feed.get(99).seq());
        Session session = session(shard);
        session.onText(subscribe(feed.get(149).seq()));
        session.onText("{\"op\":\"ping\",\"id\":\"p\"}");

        shard.post(records(100, 159), () -> { });   // reaches from: the subscribe goes ahead, replaying 150..159
        runLoopUntil(() -> types().contains("pong"));
        shard.post(records(160, 179), () -> { });   // live after the replay
        timers.get(0).run();                // the wait's timer, late: no effect now

        List<Long> expected = feed.subList(150, 180).stream().map(EncodedMessage::seq).toList();
        assertEquals(expected, seqs(), "every message after from, once, in order");
        assertEquals("subscribed", types().get(1));
        assertEquals(1, types().stream().filter("pong"::equals).count());
        assertTrue(types().stream().noneMatch("error"::equals), types().toString());
    }

    @Test
    void shouldForgetTheWaitWhenTheConnectionCloses() {
        Shard shard = shardAt(feed.get(99).seq());
        Session session = session(shard);
        session.onText(subscribe(feed.get(149).seq()));
        session.onClosed();
        shard.post(records(100, 159), () -> { });   // would have woken it
        timers.get(0).run();
        assertEquals(List.of("welcome"), types(), "a closed session answers nothing");
    }
}
