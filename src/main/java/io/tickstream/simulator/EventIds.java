package io.tickstream.simulator;

/**
 * The ids of the match events of one simulator run: {@code <run>-<n>}, where {@code run} names
 * the run and {@code n} counts its events from 1 in the order they are made (so the same seed
 * gives the same {@code n} to the same event).
 *
 * <p>The simulator names a run by the seq its first record gets (see
 * {@link Simulator#runId}): every earlier run appending to the same queue wrote only records with
 * lower seqs, so no id repeats one of theirs, with no state kept anywhere but the queue itself.
 * Ids read from records written before ids (as {@code JsonCodec} gives them, their record's seq)
 * have no {@code -}, so they cannot meet these either.
 *
 * <p>Not thread-safe: owned by the generator's thread.
 */
final class EventIds {

    private final String prefix;
    private long count;

    EventIds(String run) {
        this.prefix = run + "-";
    }

    /** The next event's id. */
    String next() {
        return prefix + ++count;
    }
}
