package io.tickstream.support;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One test client's check of what the server sends it against the protocol's AsyncAPI document
 * ({@link ProtocolSchema#validateReceived}): every control message (welcome, subscribed, error, ...),
 * and of the ticks and scores only the first {@link #SAMPLE} of each kind, a kind being the type
 * with the delivery markers it carries and, for a score, its event's kind: a test that receives a
 * million ticks checks a few hundred messages, snapshots, conflated ticks and every kind of event
 * among them.
 *
 * <p>A client whose messages break the document fails its test: when it is closed
 * ({@link #assertValid}), or else after the test ({@link ProtocolCheckExtension}), whichever
 * comes first; each check is reported once. Thread-safe.
 */
public final class ProtocolCheck {

    /** Ticks or scores of one kind checked per client. */
    public static final int SAMPLE = 50;
    /** The markers that make a tick or score another kind of message for the sample. */
    private static final List<String> MARKERS = List.of("snapshot", "conflated", "replay", "late", "trace");
    /** Invalid messages quoted in a report. */
    private static final int QUOTED = 3;

    /** Checks with an invalid message not yet reported. */
    private static final List<ProtocolCheck> FAILING = new ArrayList<>();
    /** Tests and classes that have ended (their unique ids): what they leave failing is anyone's to report. */
    private static final Set<String> ENDED = new HashSet<>();
    /** The unique id of the test (or class) the current thread runs; see {@link ProtocolCheckExtension}. */
    private static final InheritableThreadLocal<String> RUNNING = new InheritableThreadLocal<>();

    private final String client;
    private final String owner = RUNNING.get();
    private final Map<String, Integer> seen = new HashMap<>();
    private final List<String> quoted = new ArrayList<>();
    private int checked;
    private int invalid;
    private boolean reported;

    /** @param client what the client is, for the report, e.g. {@code the WsClient to port 8080} */
    public ProtocolCheck(String client) {
        this.client = client;
    }

    /**
     * Checks {@code message} unless its kind has had its sample; returns what is wrong with it
     * (empty when it is valid or was not checked).
     */
    public List<String> check(JsonObject message) {
        synchronized (this) {
            String kind = kind(message);
            if (kind != null && seen.merge(kind, 1, Integer::sum) > SAMPLE) {
                return List.of();
            }
            checked++;
        }
        List<String> problems;
        try {
            problems = ProtocolSchema.get().validateReceived(message);
        } catch (RuntimeException e) {
            problems = List.of("could not be checked: " + e);
        }
        if (!problems.isEmpty()) {
            boolean first;
            synchronized (this) {
                first = invalid++ == 0;
                if (quoted.size() < QUOTED) {
                    quoted.add(abbreviate(message.encode()) + "\n      " + String.join("\n      ", problems));
                }
            }
            if (first) {
                synchronized (FAILING) {
                    FAILING.add(this);
                }
            }
        }
        return problems;
    }

    /** How many messages were checked. */
    public synchronized int checked() {
        return checked;
    }

    /** How many of them were invalid. */
    public synchronized int invalid() {
        return invalid;
    }

    /** Fails, once, if a message was invalid: the first few and what is wrong with each. */
    public void assertValid() {
        String report = takeReport();
        if (report != null) {
            throw new AssertionError(report);
        }
    }

    /** The report of the invalid messages, unless there were none or it was taken before. */
    private String takeReport() {
        String report;
        synchronized (this) {
            if (invalid == 0 || reported) {
                return null;
            }
            reported = true;
            report = client + " received " + invalid + " of " + checked + " checked messages that break "
                    + ProtocolSchema.DOCUMENT + ", first:\n  " + String.join("\n  ", quoted);
        }
        synchronized (FAILING) {
            FAILING.remove(this);
        }
        return report;
    }

    /** The sample key of a tick or score; null for other types (each checked). */
    static String kind(JsonObject m) {
        Object type = m.getValue("type");
        if (!"tick".equals(type) && !"score".equals(type)) {
            return null;
        }
        StringBuilder k = new StringBuilder((String) type);
        for (String marker : MARKERS) {
            if (m.containsKey(marker)) {
                k.append('+').append(marker);
            }
        }
        if (m.getValue("event") instanceof JsonObject event) {
            k.append("+event:").append(event.getValue("kind"));
        }
        return k.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }

    /** The current thread now runs the test or class {@code uniqueId} (null: none). */
    static void running(String uniqueId) {
        RUNNING.set(uniqueId);
    }

    /**
     * The reports of the checks that failed within the test or class {@code uniqueId} (made while it,
     * a class around it or a test in it ran), or outside any, or within one that has ended; then
     * {@code uniqueId} has ended too. Null when there is nothing to report.
     */
    static String takeReports(String uniqueId) {
        List<ProtocolCheck> mine = new ArrayList<>();
        synchronized (FAILING) {
            for (ProtocolCheck c : FAILING) {
                if (c.owner == null || ENDED.contains(c.owner) || uniqueId.equals(c.owner)
                        || uniqueId.startsWith(c.owner + "/") || c.owner.startsWith(uniqueId + "/")) {
                    mine.add(c);
                }
            }
            ENDED.add(uniqueId);
        }
        List<String> reports = new ArrayList<>();
        for (ProtocolCheck c : mine) {
            String r = c.takeReport();
            if (r != null) {
                reports.add(r);
            }
        }
        return reports.isEmpty() ? null : String.join("\n", reports);
    }
}
