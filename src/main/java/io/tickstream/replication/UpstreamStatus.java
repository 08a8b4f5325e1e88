package io.tickstream.replication;

import io.tickstream.feed.MicroClock;

/**
 * What an edge knows about its replication, for readiness and the meters: when the newest message it
 * applied was sent and received, how many records it lacks of what the feed host holds, whether the
 * live stream is joined, what it has written and how often
 * it caught up or lost the stream, and whether it cannot follow at all.
 *
 * <p>Threading: written by the edge's replication thread only; read from any thread (volatiles).
 */
public final class UpstreamStatus {

    /** Lag beyond which the edge is not ready. */
    static final long READY_LAG_MICROS = 1_000_000;
    /** Silence after which the upstream counts as lost rather than slow: five heartbeats. */
    static final long STALE_SILENCE_MS = 5 * FeedPublisher.HEARTBEAT_MS;

    private final Endpoint upstream;
    /** The publisher's clock when it sent the last message applied; 0 before the first. */
    private volatile long lastSentMicros;
    /** When the last message arrived, by this process's clock (nanoTime). */
    private volatile long lastReceivedNanos;
    private volatile boolean live;
    /** Why the edge cannot follow at all (a replica of another queue), or null. */
    private volatile String broken;
    private volatile long records;
    private volatile long catchUps;
    private volatile long disconnects;
    private volatile long lastCatchUpRecords;
    /** The newest seq the feed host has sent now (its live stream, not a replay); -1 before any. */
    private volatile long headSeq = -1;
    /** Records the replica lacks up to {@link #headSeq}. */
    private volatile long recordsBehind;
    private long recordsAtReplayStart;

    UpstreamStatus(Endpoint upstream) {
        this.upstream = upstream;
    }

    /** A message sent by the feed host at {@code sentMicros} (its clock) was applied. */
    void received(long sentMicros) {
        lastReceivedNanos = System.nanoTime();
        lastSentMicros = sentMicros;
    }

    /** A record was written to the replica. */
    void written() {
        records++;
    }

    /** The feed host's newest seq is {@code headSeq}, of which the replica lacks {@code recordsBehind} records. */
    void behind(long headSeq, long recordsBehind) {
        this.headSeq = headSeq;
        this.recordsBehind = recordsBehind;
    }

    /** A catch-up from the archive begins. */
    void replaying() {
        recordsAtReplayStart = records;
    }

    /** The catch-up ended in the live stream; returns the records it wrote. */
    long liveJoined() {
        live = true;
        catchUps++;
        lastCatchUpRecords = records - recordsAtReplayStart;
        return lastCatchUpRecords;
    }

    /** The live stream was lost: a catch-up follows. */
    void liveLeft() {
        live = false;
        disconnects++;
        recordsAtReplayStart = records;
    }

    /** The subscription failed or showed a gap: it is made again. */
    void lost() {
        live = false;
        disconnects++;
    }

    /** A subscription ended (failed, or could not be made): not live until the next joins. */
    void ended() {
        live = false;
    }

    /** The edge cannot follow this upstream at all, for the reason given (readiness says it). */
    void broken(String why) {
        broken = why;
    }

    boolean isBroken() {
        return broken != null;
    }

    /**
     * Why this edge is not ready, or {@code null} when it is: caught up, the newest message it applied
     * sent at most a second ago (by the publisher's clock, so hosts need synchronised clocks).
     */
    public String notReady() {
        return why(true);
    }

    /**
     * Why a new client is better served by another edge, or {@code null}: this edge cannot follow its
     * upstream, has not reached it yet, or is catching up. While the upstream is only stale (gone for
     * every edge alike) clients are taken and served what this edge holds.
     */
    public String turnsClientsAway() {
        return why(false);
    }

    /** The reason of {@link #notReady()}; a stale upstream counts only when {@code staleCounts}. */
    private String why(boolean staleCounts) {
        if (broken != null) {
            return broken;
        }
        long sent = lastSentMicros;
        if (sent == 0) {
            return "upstream " + upstream + " not reached yet";
        }
        long lagMicros = MicroClock.nowMicros() - sent;
        if (lagMicros <= READY_LAG_MICROS) {
            return null;
        }
        // a feed host sends at least a heartbeat every 100 ms: silence well beyond that is a lost one
        long silentMs = (System.nanoTime() - lastReceivedNanos) / 1_000_000;
        if (silentMs > STALE_SILENCE_MS) {
            return staleCounts
                    ? String.format("upstream stale: nothing from %s for %.1f s", upstream, silentMs / 1e3) : null;
        }
        return String.format("upstream catching up: %.1f s behind %s", lagMicros / 1e6, upstream);
    }

    /** Seconds between the publisher sending the newest message applied and now; NaN before the first. */
    public double lagSeconds() {
        long sent = lastSentMicros;
        return sent == 0 ? Double.NaN : Math.max(0, MicroClock.nowMicros() - sent) / 1e6;
    }

    /**
     * Records the replica lacks up to the newest seq the feed host has sent (heard on its live stream,
     * records and heartbeats alike, also while catching up); 0 before that is heard. Across a roll
     * cycle only the newest cycle's records are counted (see {@link ReplicaWriter#recordsBehind}).
     */
    public long recordsBehind() {
        return recordsBehind;
    }

    /** The newest seq the feed host has sent, as this edge heard it on the live stream; -1 before any. */
    public long headSeq() {
        return headSeq;
    }

    /** Records written to the replica since this start. */
    public long records() {
        return records;
    }

    /** Catch-ups completed (the live stream joined after replaying from the archive). */
    public long catchUps() {
        return catchUps;
    }

    /** Records the last catch-up wrote. */
    public long lastCatchUpRecords() {
        return lastCatchUpRecords;
    }

    /** Times the live stream or the subscription was lost. */
    public long disconnects() {
        return disconnects;
    }

    /** Whether the live stream is joined. */
    public boolean live() {
        return live;
    }
}
