package io.tickstream.simulator;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Hands out fixtures in order, round and round, never one whose teams are playing. Not
 * thread-safe: owned by the generator's thread.
 */
final class FixtureRotation {

    private final List<Scenario.Fixture> fixtures;
    private final Set<String> busyTeams = new HashSet<>();
    private int cursor;

    FixtureRotation(List<Scenario.Fixture> fixtures) {
        this.fixtures = fixtures;
    }

    /** The next fixture whose teams are both free, or {@code null} when there is none. */
    Scenario.Fixture next() {
        for (int i = 0; i < fixtures.size(); i++) {
            Scenario.Fixture f = fixtures.get(cursor);
            cursor = (cursor + 1) % fixtures.size();
            if (!busyTeams.contains(f.home().code()) && !busyTeams.contains(f.away().code())) {
                busyTeams.add(f.home().code());
                busyTeams.add(f.away().code());
                return f;
            }
        }
        return null;
    }

    void release(Scenario.Fixture fixture) {
        busyTeams.remove(fixture.home().code());
        busyTeams.remove(fixture.away().code());
    }
}
