package io.tickstream.loadtest;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.Executor;

/**
 * One connection of the harness: what it subscribes to, whether it reads slowly on purpose, and
 * what it saw of the feed's order. Owned by its event loop once connected; {@link #settled} is
 * written there and read by the reporting thread.
 */
final class Client {

    /** How a connection reads: at once, or paused 4 s in every 5 s. */
    enum Kind {
        HEALTHY(1), SLOW(2);

        /** Index of this kind's latency recorder in {@link LoopRecorder#recorders} (0 is the unmeasured one). */
        final int recorder;

        Kind(int recorder) {
            this.recorder = recorder;
        }
    }

    final Kind kind;
    /** {@code kind.recorder}, one load less on the path of every message. */
    final int recorder;
    /** The subscribe message sent on the server's welcome; not sent when its topics are empty. */
    final JsonObject subscribe;
    final LastSeqByTopic lastByTopic = new LastSeqByTopic();
    final GapCounter gapCounter = new GapCounter();
    long reorders;
    /** Messages lost, settled at the end on the connection's event loop; -1 before. */
    volatile long settled = -1;
    /** The recorder of the event loop this connection's frames arrive on; set at its first frame. */
    LoopRecorder loop;
    /** Runs a task on the loop that owns the connection; null until it is being opened. */
    volatile Executor owner;

    Client(Kind kind, JsonObject subscribe) {
        this.kind = kind;
        this.recorder = kind.recorder;
        this.subscribe = subscribe;
    }

    /** Messages lost: settled once the run is over, a running estimate before. */
    long gaps() {
        return settled >= 0 ? settled : gapCounter.unexplained();
    }
}
