package io.tickstream.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.config.SimulatorConfig;
import io.tickstream.feed.FeedMessage;
import io.tickstream.feed.Score;
import io.tickstream.feed.ScoreEvent;
import io.tickstream.ingest.RecordReader;
import io.tickstream.ingest.RecordReader.Found;
import io.tickstream.support.Fixture;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event ids and corrections as the real simulator writes them to a real queue: two runs of the
 * same seed, the second a restart appending to the first's queue, together over 100,000 match
 * events. Every id is unique over both; each run's ids carry its own run part, at most its first
 * seq and above every seq of the run before; a correction names a goal or card of its match and
 * carries the score after it (a disallowed goal taken off); and the second run, of the same seed,
 * makes exactly the first run's corrections.
 *
 * <p>To make that many events quickly: 1,000 matches at once (a scenario of 2,000 teams), a match
 * minute per 10 ms step, no ticks, half the goals and cards corrected.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SimulatedCorrectionsTest {

    private static final long SEED = 2026;
    private static final long RECORDS_PER_RUN = 300_000;

    @TempDir
    static Path dir;

    /** What one run wrote, read back from the queue. */
    private record Run(long firstSeq, long lastSeq, String runPart, long events, List<String> corrections) {
    }

    private static final List<Run> RUNS = new ArrayList<>();
    private static final Set<String> IDS = new HashSet<>();
    private static long events;
    /** What is wrong with the ids, and with the corrections: empty lists when all is well. */
    private static final List<String> ID_PROBLEMS = new ArrayList<>();
    private static final List<String> PROBLEMS = new ArrayList<>();
    private static int goalsDisallowed;
    private static int cardsRescinded;

    @BeforeAll
    static void twoRunsOfOneSeedIntoOneQueue() throws Exception {
        Path queue = dir.resolve("queue");
        SimulatorConfig config = Fixture.simulator(queue, 1, SEED).with(SimulatorConfig.MATCHES, 1000)
                .with(SimulatorConfig.MATCH_MINUTE_MS, 10).with(SimulatorConfig.CORRECTION_SHARE, 1.0)
                .with(SimulatorConfig.TEAMS, teams(dir.resolve("teams.csv")))
                .with(SimulatorConfig.FIXTURES, fixtures(dir.resolve("fixtures.csv")))
                .with(SimulatorConfig.COUNT, RECORDS_PER_RUN);
        // the runs are paced by the match clock: the queue is read as they write it, not after
        List<Long> written = new ArrayList<>();
        AtomicReference<Simulator> current = new AtomicReference<>();
        Thread runs = new Thread(() -> {
            for (int run = 0; run < 2; run++) {
                Simulator simulator = new Simulator(config, new PrintStream(OutputStream.nullOutputStream()));
                current.set(simulator);
                written.add(simulator.run());
            }
        }, "simulator-runs");
        runs.start();
        try {
            Fixture.await(() -> current.get() != null && current.get().written() > 0, Duration.ofSeconds(10),
                    "the first run to write");
            read(queue);
        } finally {
            runs.join(30_000);
        }
        assertEquals(List.of(RECORDS_PER_RUN, RECORDS_PER_RUN), written);
    }

    private static Path teams(Path file) throws IOException {
        StringBuilder csv = new StringBuilder("code,name,players\n");
        for (int i = 0; i < 2000; i++) {
            csv.append(String.format("T%04d,Team %04d,Keeper %d;Back %d;Striker %d%n", i, i, i, i, i));
        }
        return Files.writeString(file, csv);
    }

    private static Path fixtures(Path file) throws IOException {
        StringBuilder csv = new StringBuilder("sport,home,away\n");
        for (int i = 0; i < 2000; i += 2) {
            csv.append(String.format("football,T%04d,T%04d%n", i, i + 1));
        }
        return Files.writeString(file, csv);
    }

    /**
     * One pass over the queue as the runs write it, to its {@code 2 * RECORDS_PER_RUN}th record: the
     * ids, the corrections of each run, and each correction checked as it comes.
     */
    private static void read(Path queue) {
        Map<String, Score> latestOfMatch = new HashMap<>();
        /** Each goal and card by id: the message that carried it, and its match's message before it. */
        Map<String, Score[]> reviewable = new HashMap<>();
        long first = -1;
        String runPart = null;
        long runEvents = 0;
        List<String> corrections = new ArrayList<>();
        try (ChronicleQueue q = SingleChronicleQueueBuilder.single(queue.toFile()).rollCycle(RollCycles.FAST_DAILY)
                .readOnly(true).build();
             RecordReader records = new RecordReader(q.createTailer())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long read = 0;
            while (read < 2 * RECORDS_PER_RUN) {
                Found found = records.next();
                if (found == Found.END) {
                    assertTrue(System.nanoTime() < deadline, "the runs write no more after " + read + " records");
                    LockSupport.parkNanos(1_000_000);
                    continue;
                }
                assertEquals(Found.RECORD, found, "record " + records.seq());
                read++;
                long seq = records.seq();
                if (first < 0) {
                    first = seq;
                }
                FeedMessage m = records.message();
                if (m instanceof Score s) {
                    Score before = latestOfMatch.put(s.match(), s);
                    ScoreEvent e = s.event();
                    if (e != null) {
                        runEvents++;
                        events++;
                        if (!IDS.add(e.id())) {
                            ID_PROBLEMS.add("id " + e.id() + " twice, again at seq " + seq);
                        }
                        String part = e.id().substring(0, e.id().indexOf('-'));
                        if (runPart == null) {
                            runPart = part;
                        } else if (!runPart.equals(part)) {
                            ID_PROBLEMS.add("two run parts in one run: " + runPart + ", " + part);
                        }
                        switch (e.kind()) {
                            case GOAL, CARD -> reviewable.put(e.id(), new Score[] {s, before});
                            case CORRECTION -> {
                                check(s, before, reviewable.remove(e.retracts()));
                                corrections.add(withoutRun(s));
                            }
                            default -> { }
                        }
                    }
                }
                if (read % RECORDS_PER_RUN == 0) {   // the run's last record
                    RUNS.add(new Run(first, seq, runPart, runEvents, List.copyOf(corrections)));
                    first = -1;
                    runPart = null;
                    runEvents = 0;
                    corrections.clear();
                    reviewable.clear();   // a restart begins every match afresh
                }
            }
        }
    }

    /**
     * A correction against what it retracts: a goal or card of its match that was not taken back
     * before; a goal comes off its side's score in the correction, having been added in its own message.
     */
    private static void check(Score correction, Score before, Score[] retracted) {
        ScoreEvent c = correction.event();
        if (retracted == null) {
            PROBLEMS.add("retracts no goal or card of this run not yet retracted: " + correction);
            return;
        }
        Score wrong = retracted[0];
        Score beforeWrong = retracted[1];
        ScoreEvent w = wrong.event();
        if (!wrong.match().equals(correction.match()) || w.team() != c.team()) {
            PROBLEMS.add(correction + " retracts " + wrong + " of another match or side");
        }
        if (w.kind() == ScoreEvent.Kind.CARD) {
            cardsRescinded++;
            if (correction.homeScore() != before.homeScore() || correction.awayScore() != before.awayScore()) {
                PROBLEMS.add("a rescinded card changed the score: " + before + " then " + correction);
            }
            return;
        }
        goalsDisallowed++;
        int home = w.team() == ScoreEvent.Side.HOME ? 1 : 0;
        int[] beforeGoal = beforeWrong == null ? null : new int[] {beforeWrong.homeScore(), beforeWrong.awayScore()};
        if (beforeGoal != null && (wrong.homeScore() != beforeGoal[0] + home
                || wrong.awayScore() != beforeGoal[1] + 1 - home)) {
            PROBLEMS.add("the goal did not add one: " + beforeWrong + " then " + wrong);
        }
        if (correction.homeScore() != before.homeScore() - home || correction.awayScore() != before.awayScore() - 1 + home) {
            PROBLEMS.add("the disallowed goal was not taken off: " + before + " then " + correction);
        }
        if (beforeGoal != null && before == wrong && (correction.homeScore() != beforeGoal[0]
                || correction.awayScore() != beforeGoal[1])) {
            PROBLEMS.add("right after the goal, its correction is not the score before it: " + correction);
        }
    }

    /** A correction as the same seed must make it again: all but its {@code ts} and the run part of ids. */
    private static String withoutRun(Score s) {
        ScoreEvent e = s.event();
        return s.match() + " " + s.clock() + " " + s.homeScore() + "-" + s.awayScore() + " " + s.status() + " "
                + e.team() + " " + count(e.id()) + " retracts " + count(e.retracts()) + ": " + e.reason();
    }

    private static String count(String id) {
        return id.substring(id.indexOf('-') + 1);
    }

    @Test
    void idsAreUniqueOverBothRunsAndEachRunsPartComesFromTheQueue() {
        assertTrue(events >= 100_000, "events: " + events);
        assertEquals(events, IDS.size(), "one id per event");
        assertEquals(List.of(), ID_PROBLEMS.stream().limit(10).toList());
        assertEquals(2, RUNS.size());
        Run a = RUNS.get(0);
        Run b = RUNS.get(1);
        assertEquals(a.firstSeq(), Long.parseLong(a.runPart()), "a run on a new queue: its first seq");
        assertTrue(Long.parseLong(b.runPart()) > a.lastSeq() && Long.parseLong(b.runPart()) <= b.firstSeq(),
                "the restart's part: after every seq of the run before, at most its own first: " + b + " after " + a);
        assertEquals(a.events(), b.events(), "the same seed, the same events");
    }

    @Test
    void aCorrectionTakesBackAGoalOrCardOfItsMatchAndADisallowedGoalComesOffTheScore() {
        assertEquals(List.of(), PROBLEMS.stream().limit(10).toList());
        assertTrue(goalsDisallowed > 1_000 && cardsRescinded > 1_000,
                goalsDisallowed + " goals disallowed, " + cardsRescinded + " cards rescinded");
        long corrections = RUNS.get(0).corrections().size() + RUNS.get(1).corrections().size();
        assertEquals(goalsDisallowed + cardsRescinded, corrections);
    }

    @Test
    void theSameSeedMakesTheSameCorrections() {
        List<String> a = RUNS.get(0).corrections();
        assertTrue(a.size() > 1_000, "corrections: " + a.size());
        assertEquals(a, RUNS.get(1).corrections());
    }
}
