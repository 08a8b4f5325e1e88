package io.tickstream.replication;

import io.aeron.archive.client.PersistentSubscriptionListener;
import java.util.logging.Logger;

/**
 * What the catch-up's subscription tells as it joins and leaves the live stream: the edge's
 * {@link UpstreamStatus} and one log line each.
 *
 * <p>Threading: called on the replication thread, by its {@code PersistentSubscription}'s poll.
 */
final class CatchUpLog implements PersistentSubscriptionListener {

    private static final Logger LOG = Logger.getLogger(UpstreamFollower.class.getName());

    private final Endpoint upstream;
    private final UpstreamStatus status;

    CatchUpLog(Endpoint upstream, UpstreamStatus status) {
        this.upstream = upstream;
        this.status = status;
    }

    @Override
    public void onLiveJoined() {
        long records = status.liveJoined();
        LOG.info("replica caught up with " + upstream + " (" + records + " records); live");
    }

    @Override
    public void onLiveLeft() {
        status.liveLeft();
        LOG.info("lost the live stream of " + upstream + "; catching up from its archive");
    }

    @Override
    public void onError(Exception e) {
        LOG.fine("replication from " + upstream + ": " + e);
    }
}
