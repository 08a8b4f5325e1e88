package io.tickstream.session;

import io.tickstream.config.ServerConfig;
import io.tickstream.fanout.Shard;
import io.tickstream.fanout.Subscriber;
import io.tickstream.metrics.DeliveryMeters;
import io.tickstream.metrics.Meters;

/**
 * What every connection of one event loop is served with: the loop's {@link Shard} of the fan-out,
 * its delivery meters, the protocol's parser and control-message encoder, the frames its sessions
 * share (encode once, write to many), its timers and the server's settings. Built once per loop by
 * the server's wiring ({@code http.LoopFactory}), which gives the shard the replayer of resumes.
 *
 * <p>Threading: every part belongs to the event loop it was built on, except {@link Shard#post}
 * (the hub's hand-off of batches) and the meters, which every loop shares.
 *
 * @param name      the event loop's thread name, the {@code loop} tag of its meters
 * @param shard     this loop's fan-out, registered with the hub while the loop serves
 * @param delivery  this loop's delivery counts, flushed after each batch and on each housekeeping tick
 * @param frames    the packed frames this loop's sessions share for one batch
 * @param config    the server's settings (limits and timings every session reads)
 * @param scheduler runs a task later on this loop (a Vert.x timer)
 */
public record LoopContext(String name, Shard shard, DeliveryMeters delivery, ServerMessages messages,
                          SharedFrames frames, CommandParser parser, ServerConfig config, Meters meters,
                          Scheduler scheduler) {

    /** A connection joins this loop: added to its shard (it receives nothing until it subscribes) and counted open. */
    public void join(Subscriber connection) {
        shard.add(connection);
        meters.connections().incrementAndGet();
    }

    /** A connection {@link #join}ed before is closed: it leaves the shard and is no longer counted open. Once. */
    public void leave(Subscriber connection) {
        shard.remove(connection);
        meters.connections().decrementAndGet();
    }
}
