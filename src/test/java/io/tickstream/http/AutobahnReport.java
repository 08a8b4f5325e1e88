package io.tickstream.http;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads the Autobahn|Testsuite report ({@code target/autobahntestsuite-reports/index.json}) after
 * the fuzzing client ran in {@code mvn verify}, prints the count per outcome, and fails the build
 * on a failed case. The Maven plugin already fails on a failed case outcome, but it ignores the
 * closing handshake's outcome ({@code behaviorClose}): a server that answers correctly and then
 * drops the connection without a close frame ({@code UNCLEAN}) would pass. This check does not.
 *
 * <p>Accepted: outcome {@code OK}, {@code NON-STRICT} or {@code INFORMATIONAL}; closing
 * {@code OK} or {@code INFORMATIONAL}. Run by exec-maven-plugin in the {@code verify} phase with
 * the report directory as its argument.
 */
public final class AutobahnReport {

    private static final Set<String> ACCEPTED = Set.of("OK", "NON-STRICT", "INFORMATIONAL");
    private static final Set<String> ACCEPTED_CLOSE = Set.of("OK", "INFORMATIONAL");

    private AutobahnReport() {
    }

    public static void main(String[] args) throws Exception {
        Path index = Path.of(args.length > 0 ? args[0] : "target/autobahntestsuite-reports").resolve("index.json");
        if (!Files.exists(index)) {
            throw new IllegalStateException(index + " is missing: the Autobahn fuzzing client did not run");
        }
        JsonObject agents = new JsonObject(Files.readString(index));
        Map<String, Integer> counts = new TreeMap<>();
        Set<String> failed = new TreeSet<>();
        int cases = 0;
        for (String agent : agents.fieldNames()) {
            JsonObject results = agents.getJsonObject(agent);
            for (String id : results.fieldNames()) {
                JsonObject r = results.getJsonObject(id);
                String behavior = r.getString("behavior");
                String close = r.getString("behaviorClose");
                cases++;
                counts.merge(behavior, 1, Integer::sum);
                if (!ACCEPTED.contains(behavior) || !ACCEPTED_CLOSE.contains(close)) {
                    failed.add(id + " (" + behavior + ", closing " + close + ", close code "
                            + r.getValue("remoteCloseCode") + ")");
                }
            }
        }
        if (cases == 0) {
            throw new IllegalStateException(index + " holds no case");
        }
        System.out.println("Autobahn|Testsuite: " + cases + " cases; outcomes " + counts + "; " + failed.size()
                + " not accepted (report: " + index.getParent() + "/index.html)");
        if (!failed.isEmpty()) {
            throw new AssertionError("Autobahn cases not accepted:\n  " + String.join("\n  ", failed));
        }
    }
}
