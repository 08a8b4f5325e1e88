package io.tickstream.http;

import static io.tickstream.config.ServerConfig.MAX_SUBSCRIPTIONS;

import io.tickstream.config.ServerConfig;
import io.tickstream.fanout.Hub;
import io.tickstream.fanout.Shard;
import io.tickstream.ingest.Replayer;
import io.tickstream.metrics.DeliveryMeters;
import io.tickstream.metrics.Meters;
import io.tickstream.session.CommandParser;
import io.tickstream.session.LoopContext;
import io.tickstream.session.Scheduler;
import io.tickstream.session.ServerMessages;
import io.tickstream.session.SharedFrames;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.Executor;

/**
 * Builds each event loop's {@link LoopContext} from what the loops share, on that loop, and
 * registers its shard with the hub. One per server, made by {@code ServerMain}; any thread.
 */
public final class LoopFactory {

    private final Hub hub;
    private final Meters meters;
    private final long startPosition;
    private final Replayer replayer;
    private final ServerConfig config;

    /**
     * @param startPosition the tailer's start position (see {@link Shard#position()})
     * @param replayer      reads the queue again for resumes
     */
    public LoopFactory(ServerConfig config, Hub hub, Meters meters, long startPosition, Replayer replayer) {
        this.hub = hub;
        this.meters = meters;
        this.startPosition = startPosition;
        this.replayer = replayer;
        this.config = config;
    }

    /**
     * Builds the context of the event loop running {@code context} and registers its shard with
     * the hub, which delivers to it from then on. On that event loop.
     */
    public LoopContext open(Vertx vertx, Context context) {
        String name = Thread.currentThread().getName();
        var busy = meters.fanoutBusy(name);
        DeliveryMeters delivery = new DeliveryMeters(meters);
        Executor executor = task -> context.runOnContext(v -> task.run());
        Shard shard = new Shard(executor, startPosition, nanos -> {
            busy.increment(nanos / 1e9);
            delivery.flush();
        }, replayer);
        LoopContext loop = new LoopContext(name, shard, delivery, new ServerMessages(), new SharedFrames(),
                new CommandParser(config.get(MAX_SUBSCRIPTIONS)), config, meters,
                (delayMs, task) -> vertx.setTimer(delayMs, t -> task.run()));
        hub.register(shard);
        return loop;
    }

    /** The loop stops serving: the hub delivers no more to its shard. Any thread. */
    public void close(LoopContext loop) {
        hub.unregister(loop.shard());
    }
}
