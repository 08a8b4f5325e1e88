package io.tickstream.simulator;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Hands out fixtures in order, round and round, never one that is being played. Not thread-safe:
 * owned by the generator's thread.
 */
final class FixtureRotation {

    private final List<Scenario.Fixture> fixtures;
    private final Set<String> playing = new HashSet<>();
    private int cursor;

    FixtureRotation(List<Scenario.Fixture> fixtures) {
        this.fixtures = fixtures;
    }

    /** The next fixture not being played, or {@code null} when all are. */
    Scenario.Fixture next() {
        for (int i = 0; i < fixtures.size(); i++) {
            Scenario.Fixture f = fixtures.get(cursor);
            cursor = (cursor + 1) % fixtures.size();
            if (playing.add(f.matchId())) {
                return f;
            }
        }
        return null;
    }

    void release(Scenario.Fixture fixture) {
        playing.remove(fixture.matchId());
    }
}
