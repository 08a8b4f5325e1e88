package io.tickstream.simulator;

import io.tickstream.feed.ScoreEvent;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which goals and cards are later taken back, when, and why: a goal disallowed after a video
 * review one to three match minutes later, a card rescinded two to six minutes later. Each goal or
 * card is corrected with probability {@code share}.
 *
 * <p>Its own random stream, derived from the seed: the same seed gives the same corrections, and
 * with a share of 0 it draws nothing, so the rest of the feed is what it was without corrections.
 * Not thread-safe: owned by the generator's thread.
 */
final class Review {

    private static final List<String> GOAL_REASONS = List.of("VAR: offside", "VAR: handball",
            "VAR: foul in the build-up");
    private static final List<String> CARD_REASONS = List.of("card rescinded on appeal", "VAR: mistaken identity");
    /** Mixed into the seed so that this stream is not the feed's own. */
    private static final long STREAM = 0x5eedc0441ec7L;

    private final double share;
    private final SplittableRandom rng;

    Review(double share, long seed) {
        this.share = share;
        this.rng = new SplittableRandom(seed ^ STREAM);
    }

    /**
     * Whether {@code event} (a goal or a card, in match minute {@code minute}) is corrected, and if
     * so in which minute and why; {@code null} when it stands.
     */
    Verdict of(ScoreEvent event) {
        if (share <= 0 || rng.nextDouble() >= share) {
            return null;
        }
        boolean goal = event.kind() == ScoreEvent.Kind.GOAL;
        int later = goal ? 1 + rng.nextInt(3) : 2 + rng.nextInt(5);
        List<String> reasons = goal ? GOAL_REASONS : CARD_REASONS;
        return new Verdict(event, event.minute() + later, reasons.get(rng.nextInt(reasons.size())));
    }

    /** {@code event} is taken back in match minute {@code minute} (or at the end of its half, if sooner). */
    record Verdict(ScoreEvent event, int minute, String reason) {
    }
}
