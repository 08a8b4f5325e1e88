package io.tickstream.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickstream.config.ServerConfig;
import io.tickstream.fanout.Shard;
import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedBatch;
import io.tickstream.feed.FeedMessage;
import io.tickstream.metrics.DeliveryMeters;
import io.tickstream.metrics.Meters;
import io.tickstream.support.Messages;
import io.tickstream.support.RecordingTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The subscriptions gauge counts exactly the subscriptions of the open connections, also of one
 * closed as a slow consumer in the middle of a {@code subscribe}. Without a server: a session on a
 * shard run by the test thread, writing to a recording transport whose socket the test fills.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SubscriptionGaugeTest {

    /** The smallest backlog limit there is: a backlog over four times this closes the connection at once. */
    private static final long MAX_BACKLOG_BYTES = 1024;

    private final Meters meters = new Meters(new SimpleMeterRegistry());
    private final RecordingTransport transport = new RecordingTransport();
    private final Shard shard = new Shard(Runnable::run, 0, nanos -> { }, null);   // no replays here

    private Session openSession() {
        ServerConfig config = ServerConfig.defaults(Path.of("unused")).with(ServerConfig.MAX_SUBSCRIPTIONS, 1_000)
                .with(ServerConfig.MAX_BACKLOG_BYTES, MAX_BACKLOG_BYTES);
        LoopContext loop = new LoopContext("test", shard, new DeliveryMeters(meters), new ServerMessages(),
                new SharedFrames(), new CommandParser(1_000), config, meters, (delayMs, task) -> { });
        Session session = new Session("t", transport, loop, "127.0.0.1", null);
        session.open();
        transport.allowClose();
        return session;
    }

    /** A tick of {@code topic} whose JSON is larger than the backlog may ever be. */
    private static EncodedMessage largeTick(String topic, long seq) {
        String json = "{\"seq\":" + seq + ",\"pad\":\"" + "x".repeat((int) (5 * MAX_BACKLOG_BYTES)) + "\"}";
        return new EncodedMessage(topic, seq, seq, FeedMessage.Kind.TICK, true,
                json.getBytes(StandardCharsets.UTF_8), 0);
    }

    @Test
    void shouldCountNoSubscriptionOfAConnectionClosedWhileItsHeldMaxRateMessagesAreReleased() {
        Session session = openSession();
        session.onText(Messages.subscribe("a", "stocks.AAA").maxRate(1).json().encode());
        shard.post(new FeedBatch(List.of(largeTick("stocks.AAA", 1), largeTick("stocks.AAA", 2))), () -> { });
        assertEquals(1, meters.subscriptions().get());

        transport.full(true);   // the held tick 2, released by the next subscribe, goes to the backlog
        session.onText(Messages.subscribe("b", "stocks.BBB").json().encode());

        assertEquals(CloseReason.SLOW_CONSUMER, transport.closedWith());
        assertEquals(0, meters.subscriptions().get(), "the closed connection's subscriptions are counted out");
    }

    @Test
    void shouldCountNoSubscriptionOfAConnectionClosedByItsSubscribedAnswer() {
        Session session = openSession();
        session.onText(Messages.subscribe("a", "stocks.AAA").json().encode());
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            topics.add("stocks.A_RATHER_LONG_SYMBOL_" + i);
        }

        transport.full(true);   // the answer, larger than the backlog may ever be, goes to the backlog
        session.onText(Messages.subscribe("b", topics).json().encode());

        assertEquals(CloseReason.SLOW_CONSUMER, transport.closedWith());
        assertEquals(0, meters.subscriptions().get(), "the closed connection's subscriptions are counted out");
    }
}
