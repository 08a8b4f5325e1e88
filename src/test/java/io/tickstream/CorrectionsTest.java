package io.tickstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.config.SimulatorConfig;
import io.tickstream.support.Fixture;
import io.tickstream.support.Messages;
import io.tickstream.support.TestStack;
import io.tickstream.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrections of score events through a real server fed by the simulator (every goal and card
 * corrected, so that there are many): a client sees a goal and the correction that disallows it
 * live, one that resumes from before the goal and one that replays the window from the goal to
 * the correction receive both exactly as the live one did, and the server counts the corrections
 * it reads.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CorrectionsTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @RegisterExtension
    static final TestStack STACK = TestStack.perClass();
    @TempDir
    static Path queue;

    @BeforeAll
    static void start() throws Exception {
        STACK.server(Fixture.server(queue));
        STACK.simulator(Fixture.simulator(queue, 300, 23).with(SimulatorConfig.MATCH_MINUTE_MS, 20)
                .with(SimulatorConfig.CORRECTION_SHARE, 1.0));
    }

    private static JsonObject event(JsonObject m) {
        return m.getJsonObject("event");
    }

    private static boolean isEvent(JsonObject m, String kind) {
        return "score".equals(m.getString("type")) && m.getValue("event") instanceof JsonObject e
                && kind.equals(e.getString("kind"));
    }

    /** The message of {@code c} whose event has {@code id}, or null. */
    private static JsonObject withEvent(WsClient c, String id) {
        return c.received().stream().filter(m -> m.getValue("event") instanceof JsonObject e
                && id.equals(e.getString("id"))).findFirst().orElse(null);
    }

    /**
     * Subscribes {@code c} to every match and waits for the correction of a goal it saw (not its
     * first message: there is one before it to resume from). Returns the goal and the correction.
     */
    private static JsonObject[] aDisallowedGoal(WsClient c) throws InterruptedException {
        c.request(Messages.subscribe("live", "sports.>").snapshot(false).json(), "subscribed");
        JsonObject correction = c.awaitMessage(m -> {
            if (!isEvent(m, "correction")) {
                return false;
            }
            JsonObject wrong = withEvent(c, event(m).getString("retracts"));
            return wrong != null && isEvent(wrong, "goal") && c.liveSeqs().get(0) < wrong.getLong("seq");
        }, WAIT);
        return new JsonObject[] {withEvent(c, event(correction).getString("retracts")), correction};
    }

    /** The seqs {@code c} received live from {@code after} (exclusive) to {@code upTo}, of topics passing {@code p}. */
    private static List<Long> seqs(WsClient c, long after, long upTo, Predicate<JsonObject> p) {
        return c.received().stream().filter(m -> "score".equals(m.getString("type")) && !m.containsKey("replay")
                && m.getLong("seq") > after && m.getLong("seq") <= upTo && p.test(m))
                .map(m -> m.getLong("seq")).toList();
    }

    @Test
    void aDisallowedGoalComesOffTheScoreLiveAndIsCounted() throws Exception {
        try (WsClient c = STACK.connect()) {
            JsonObject[] found = aDisallowedGoal(c);
            JsonObject goal = found[0];
            JsonObject correction = found[1];
            String side = event(goal).getString("team").equals("home") ? "homeScore" : "awayScore";
            // every message of the match between them was received: the score as it stood just before the correction
            JsonObject before = c.received().stream().filter(m -> m.getString("topic", "").equals(
                    correction.getString("topic")) && m.getLong("seq") < correction.getLong("seq"))
                    .reduce((a, b) -> b).orElseThrow();
            assertEquals(before.getInteger(side) - 1, correction.getInteger(side), correction.encode());
            assertEquals(event(goal).getString("team"), event(correction).getString("team"));
            assertTrue(event(correction).getString("reason").startsWith("VAR: "), correction.encode());
            assertTrue(event(correction).getString("id").matches("[0-9]+-[0-9]+"), correction.encode());
            assertTrue(Fixture.metric(STACK.port(), "tickstream_score_corrections_total") >= 1,
                    "the server counts what it reads");
        }
    }

    @Test
    void aClientThatResumesFromBeforeAGoalGetsItAndItsCorrection() throws Exception {
        try (WsClient live = STACK.connect(); WsClient resumed = STACK.connect()) {
            JsonObject[] found = aDisallowedGoal(live);
            long goalSeq = found[0].getLong("seq");
            long correctionSeq = found[1].getLong("seq");
            List<Long> seen = live.liveSeqs();
            long from = seen.get(seen.indexOf(goalSeq) - 1);   // its resume point just before the goal
            resumed.request(Messages.subscribe("again", "sports.>").from(from).json(), "subscribed");
            resumed.awaitMessage(m -> m.getLong("seq", -1L) >= correctionSeq, WAIT);
            assertEquals(seqs(live, from, correctionSeq, m -> true), seqs(resumed, from, correctionSeq, m -> true),
                    "resumed: every message from the resume point through the correction");
            for (JsonObject m : found) {
                assertEquals(m, withEvent(resumed, event(m).getString("id")), "as it was sent live");
            }
        }
    }

    @Test
    void aReplayOfTheWindowFromAGoalToItsCorrectionHasBoth() throws Exception {
        try (WsClient c = STACK.connect()) {
            JsonObject[] found = aDisallowedGoal(c);
            JsonObject goal = found[0];
            JsonObject correction = found[1];
            String topic = goal.getString("topic");
            c.request(new JsonObject().put("op", "replay").put("id", "r1").put("topics", new JsonArray().add(topic))
                    .put("fromTime", goal.getLong("ts")).put("toTime", correction.getLong("ts")).put("speed", 0),
                    "replaying");
            c.awaitMessage(m -> "replayed".equals(m.getString("type")), WAIT);
            List<JsonObject> replayed = new ArrayList<>();
            for (JsonObject m : c.received()) {
                if ("r1".equals(m.getString("replay"))) {
                    JsonObject plain = m.copy();
                    plain.remove("replay");
                    replayed.add(plain);
                }
            }
            List<JsonObject> expected = c.received().stream().filter(m -> topic.equals(m.getString("topic"))
                    && !m.containsKey("replay") && m.getLong("ts") >= goal.getLong("ts")
                    && m.getLong("ts") <= correction.getLong("ts")).toList();
            assertEquals(expected, replayed, "the replay: the goal, what came between, the correction, as sent live");
            assertTrue(replayed.contains(goal) && replayed.contains(correction));
        }
    }
}
