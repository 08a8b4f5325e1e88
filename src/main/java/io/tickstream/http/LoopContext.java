package io.tickstream.http;

import static io.tickstream.config.ServerConfig.MAX_SUBSCRIPTIONS;

import io.tickstream.config.ServerConfig;
import io.tickstream.fanout.Hub;
import io.tickstream.fanout.Shard;
import io.tickstream.ingest.Replayer;
import io.tickstream.metrics.DeliveryMeters;
import io.tickstream.metrics.Meters;
import io.tickstream.session.CommandParser;
import io.tickstream.session.Scheduler;
import io.tickstream.session.ServerMessages;
import io.tickstream.session.SessionSettings;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.Executor;

/**
 * What one event loop serves its connections with: its {@link Shard} of the fan-out, its delivery
 * meters, the parser and encoder of the protocol's messages, the session settings, its timers, and
 * the hand-off of resumes to the replayer. {@link Factory#open} builds it, on that loop.
 *
 * <p>Threading: every part belongs to the event loop it was built on, except {@link Shard#post}
 * (the hub's hand-off of batches) and the {@link Replayer}, which is shared by every loop.
 *
 * @param name      the event loop's thread name, the {@code loop} tag of its meters
 * @param shard     this loop's fan-out, registered with the hub while the loop serves
 * @param delivery  this loop's delivery counts, flushed after each batch and on each housekeeping tick
 * @param scheduler runs a task later on this loop (a Vert.x timer)
 * @param executor  runs a task on this loop, from any thread
 */
public record LoopContext(String name, Shard shard, DeliveryMeters delivery, ServerMessages messages,
                          CommandParser parser, SessionSettings settings, Meters meters, Scheduler scheduler,
                          Replayer replayer, Executor executor) {

    /**
     * Builds the context of each event loop from what the loops share. One per server, made by its
     * wiring; any thread.
     */
    public static final class Factory {

        private final Hub hub;
        private final Meters meters;
        private final long startPosition;
        private final Replayer replayer;
        private final int maxSubscriptions;
        private final SessionSettings settings;

        /**
         * @param startPosition the tailer's start position (see {@link Shard#position()})
         * @param replayer      reads the queue again for resumes
         */
        public Factory(ServerConfig config, Hub hub, Meters meters, long startPosition, Replayer replayer) {
            this.hub = hub;
            this.meters = meters;
            this.startPosition = startPosition;
            this.replayer = replayer;
            this.maxSubscriptions = config.get(MAX_SUBSCRIPTIONS);
            this.settings = SessionSettings.from(config);
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
            });
            LoopContext loop = new LoopContext(name, shard, delivery, new ServerMessages(),
                    new CommandParser(maxSubscriptions), settings, meters,
                    (delayMs, task) -> vertx.setTimer(delayMs, t -> task.run()), replayer, executor);
            hub.register(shard);
            return loop;
        }

        /** The loop stops serving: the hub delivers no more to its shard. Any thread. */
        public void close(LoopContext loop) {
            hub.unregister(loop.shard());
        }
    }
}
