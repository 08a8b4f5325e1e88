package io.tickstream.loadtest;

import java.util.Arrays;

/**
 * Counts the messages a connection lost, for subscriptions that cover the whole feed (so every
 * {@code seq} of a roll cycle is owed to it). A hole in {@code seq} is not always a loss: the
 * server may conflate ticks, and then the message that replaces the skipped ones (carrying
 * {@code "conflated": N}) comes later, once its topic ticks again. So a hole counts as a loss only
 * when it is settled, below the oldest of the topics' last seqs (every topic has delivered since),
 * and the conflated counts received do not cover it. Owned by the connection's event loop.
 */
final class GapCounter {

    private static final long CHECKPOINT_MICROS = 1_000_000;

    private long lastSeq = -1;
    private long holes;
    private long explained;
    /** Pairs of (lastSeq, holes) taken about every second, in increasing lastSeq. */
    private long[] checkpoints = new long[128];
    private int checkpointCount;
    private long nextCheckpointMicros = Long.MIN_VALUE;

    /** A live message: its {@code seq}, how many updates it stands for, and when it was received. */
    void message(long seq, int conflated, long nowMicros) {
        if (nowMicros >= nextCheckpointMicros) {
            if (checkpointCount * 2 + 2 > checkpoints.length) {
                checkpoints = Arrays.copyOf(checkpoints, checkpoints.length * 2);
            }
            checkpoints[checkpointCount * 2] = lastSeq;
            checkpoints[checkpointCount * 2 + 1] = holes;
            checkpointCount++;
            nextCheckpointMicros = nowMicros + CHECKPOINT_MICROS;
        }
        // seq is contiguous within a roll cycle (its upper 32 bits); a new cycle starts a new count
        if (lastSeq >= 0 && seq > lastSeq + 1 && (seq >>> 32) == (lastSeq >>> 32)) {
            holes += seq - lastSeq - 1;
        }
        explained += conflated;
        lastSeq = Math.max(lastSeq, seq);
    }

    /** Holes no conflated count covers so far, settled or not: a running estimate. */
    long unexplained() {
        return Math.max(0, holes - explained);
    }

    /**
     * Messages lost: the holes below {@code horizon} (the oldest of the topics' last seqs) that the
     * conflated counts received do not cover.
     */
    long lost(long horizon) {
        long settledHoles = 0;
        if (lastSeq <= horizon) {
            settledHoles = holes;
        } else {
            for (int i = 0; i < checkpointCount && checkpoints[i * 2] < horizon; i++) {
                settledHoles = checkpoints[i * 2 + 1];
            }
        }
        return Math.max(0, settledHoles - explained);
    }
}
