package io.tickstream.simulator;

import io.tickstream.feed.FeedMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The simulated feed as a deterministic function of the seed: time advances in steps of
 * {@value #STEP_MS} ms of simulated time, and step {@code k} always produces the same messages
 * (but for their {@code ts}, taken from the clock). Pacing against the wall clock is the caller's
 * business, so a slow disk or a paused process changes when messages are written, never which.
 *
 * <p>Each step first advances every match, then fills the rest of the step's message budget
 * (the rate profile's rate × step length) with ticks of random symbols.
 *
 * <p>Match events are named {@code <run>-<n>} ({@link EventIds}): {@code n} is a function of the
 * seed like the rest, {@code run} is the caller's name for this run.
 *
 * <p>Not thread-safe: one owning thread.
 */
public final class FeedGenerator {

    public static final int STEP_MS = 10;

    private final RateProfile profile;
    private final SplittableRandom rng;
    private final LongSupplier clockMicros;
    private final List<PriceWalk> walks = new ArrayList<>();
    private final List<MatchSlot> matches = new ArrayList<>();
    private double budget;
    private boolean started;

    /**
     * @param concurrentMatches matches played at once (0 for none)
     * @param matchMinuteMs     simulated milliseconds per match minute
     * @param correctionShare   the share of goals and cards taken back later (0 to 1; see {@link Review})
     * @param run               the run part of every event id, unique to this run in its queue
     * @param clockMicros       the {@code ts} of each message
     */
    public FeedGenerator(Scenario scenario, RateProfile profile, long seed, int concurrentMatches, long matchMinuteMs,
                         double correctionShare, String run, LongSupplier clockMicros) {
        this.profile = profile;
        this.rng = new SplittableRandom(seed);
        this.clockMicros = clockMicros;
        for (Scenario.Symbol s : scenario.symbols()) {
            walks.add(new PriceWalk(s));
        }
        FixtureRotation rotation = new FixtureRotation(scenario.fixtures());
        EventIds ids = new EventIds(run);
        Review review = new Review(correctionShare, seed);
        for (int i = 0; i < concurrentMatches && !scenario.fixtures().isEmpty(); i++) {
            matches.add(new MatchSlot(matchMinuteMs, rotation, ids, review));
        }
    }

    /** Produces the messages of step {@code k}; call with k = 0, 1, 2, ... in order. */
    public void step(long k, Consumer<? super FeedMessage> out) {
        long simMs = k * STEP_MS;
        int[] emitted = {0};
        Consumer<FeedMessage> counting = m -> {
            emitted[0]++;
            out.accept(m);
        };
        if (!started) {
            started = true;
            for (int i = 0; i < matches.size(); i++) {
                matches.get(i).joinInProgress(i * 88 / matches.size(), rng, simMs, clockMicros, counting);
            }
        }
        for (MatchSlot m : matches) {
            m.advance(simMs, rng, clockMicros, counting);
        }
        budget += profile.rateAt(simMs) * STEP_MS / 1000.0 - emitted[0];
        while (budget >= 1) {
            budget -= 1;
            out.accept(walks.get(rng.nextInt(walks.size())).next(rng, clockMicros.getAsLong()));
        }
    }
}
