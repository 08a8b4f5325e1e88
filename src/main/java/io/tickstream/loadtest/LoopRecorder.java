package io.tickstream.loadtest;

import org.HdrHistogram.SingleWriterRecorder;

/**
 * What the connections of one event loop measured: written by that loop's thread only (no
 * contention between loops on the hot path), its latency recorders read by the reporting thread.
 */
final class LoopRecorder {

    /** Largest latency recorded, in microseconds (60 s); longer ones are recorded as this. */
    static final long MAX_MICROS = 60_000_000L;

    final SingleWriterRecorder healthy = new SingleWriterRecorder(MAX_MICROS, 3);
    final SingleWriterRecorder slow = new SingleWriterRecorder(MAX_MICROS, 3);
    /** Latency outside the measured window: recorded like the rest, then thrown away. */
    final SingleWriterRecorder unmeasured = new SingleWriterRecorder(MAX_MICROS, 3);
    /**
     * By index: {@code unmeasured}, {@code healthy}, {@code slow}. Each message's latency is
     * recorded, into {@code recorders[frameMeasured * client's recorder]}, so that the code the
     * JIT compiled during the warm-up is the code that measures: a branch never taken until the
     * window opens may be compiled as a trap, and the first seconds measured would then time the
     * harness recompiling itself.
     */
    final SingleWriterRecorder[] recorders = {unmeasured, healthy, slow};
    /** 1 while the frame being scanned is inside the measured window, else 0. */
    int frameMeasured;
    /** The time of receipt of the frame being scanned, for every message in it, in microseconds. */
    long frameMicros;
    /** Live messages of the frame being scanned so far. */
    long frameDeliveries;
    /** Dense ids of the topics this loop's connections receive, for their per-topic arrays. */
    final TopicIds topicIds = new TopicIds();
    /** The frame being scanned, copied out of Netty's buffer; reused, grown as needed. */
    byte[] frameBytes = new byte[64 * 1024];
}
