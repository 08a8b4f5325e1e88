package io.tickstream.session;

import static io.tickstream.config.ServerConfig.MAX_SUBSCRIPTIONS;

import io.tickstream.auth.Grant;
import io.tickstream.feed.TopicPattern;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection's subscriptions: its topics and patterns (indexed for {@link #covers}: literal
 * topics in a set, wildcards in a list), the {@code maxRate} each was given, and the limits on
 * adding more (the most a connection may hold, what its token allows).
 *
 * <p>Threading: owned by the connection's event loop; not thread-safe.
 */
final class Subscriptions {

    /** What a subscribe request may do. */
    sealed interface Check permits Fits, Refused {
    }

    /** It fits: these of its patterns are new (the others are held already), in request order. */
    record Fits(List<TopicPattern> added) implements Check {
    }

    /** It is refused with this error code and message. */
    record Refused(String code, String message) implements Check {
    }

    private final Grant grant;
    private final int max;
    private final Map<String, TopicPattern> patterns = new LinkedHashMap<>();
    /** maxRate of each subscription that has one (by the subscription's text). */
    private final Map<String, Double> maxRates = new HashMap<>();
    /** maxStalenessMs of each subscription that has one (by the subscription's text); made on the first. */
    private Map<String, Long> maxStaleness;
    /** The subscriptions made with {@code trace} (by their text); made on the first. */
    private Set<String> traced;
    /** The options of each topic asked for since the subscriptions last changed (see {@link #options}). */
    private Map<String, TopicOptions> optionsByTopic;

    /**
     * What the subscriptions covering one topic ask of its messages.
     *
     * @param stalenessMicros the staleness budget, 0 for none
     * @param traced          whether they carry their latency provenance
     */
    private record TopicOptions(long stalenessMicros, boolean traced) {
    }
    private final Set<String> literalTopics = new HashSet<>();
    private final List<TopicPattern> wildcards = new ArrayList<>();
    private final AtomicLong gauge;

    /**
     * @param grant what the connection's token allows, or {@code null} when auth is off
     * @param max   most topics and patterns the connection may hold
     * @param gauge the server's count of subscriptions, kept to the sum of every connection's
     */
    Subscriptions(Grant grant, int max, AtomicLong gauge) {
        this.grant = grant;
        this.max = max;
        this.gauge = gauge;
    }

    /**
     * The subscriptions of a new connection of {@code loop}: the server's limit, counted in its gauge.
     *
     * @param grant what the connection's token allows, or {@code null} when auth is off
     */
    static Subscriptions of(LoopContext loop, Grant grant) {
        return new Subscriptions(grant, loop.config().get(MAX_SUBSCRIPTIONS), loop.meters().subscriptions());
    }

    /** Why the token does not allow reading {@code requested}, or null when it does (or auth is off). */
    Refused forbidden(List<TopicPattern> requested) {
        if (grant != null) {
            for (TopicPattern p : requested) {
                if (!grant.allows(p)) {
                    return new Refused(ErrorCode.FORBIDDEN, "the token does not allow " + p.text());
                }
            }
        }
        return null;
    }

    /** Whether subscribing to {@code requested} fits the token and the limit; changes nothing. */
    Check check(List<TopicPattern> requested) {
        Refused refused = forbidden(requested);
        if (refused != null) {
            return refused;
        }
        List<TopicPattern> added = new ArrayList<>();
        for (TopicPattern p : requested) {
            if (!patterns.containsKey(p.text())) {
                added.add(p);
            }
        }
        if (patterns.size() + added.size() > max) {
            return new Refused(ErrorCode.TOO_MANY_SUBSCRIPTIONS, "at most " + max
                    + " subscriptions per connection (this one has " + patterns.size() + ")");
        }
        return new Fits(added);
    }

    /**
     * Adds patterns not held yet (see {@link Fits#added}).
     *
     * @param maxRate most messages per second per topic for them, or {@code null} for no limit
     * @param maxStalenessMs how old a tick of them may be when written, or {@code null} for no budget
     * @param trace          whether their messages carry their latency provenance
     */
    void add(List<TopicPattern> added, Double maxRate, Long maxStalenessMs, boolean trace) {
        gauge.addAndGet(added.size());
        optionsByTopic = null;
        for (TopicPattern p : added) {
            patterns.put(p.text(), p);
            if (maxRate != null) {
                maxRates.put(p.text(), maxRate);
            }
            if (maxStalenessMs != null) {
                if (maxStaleness == null) {
                    maxStaleness = new HashMap<>();
                }
                maxStaleness.put(p.text(), maxStalenessMs);
            }
            if (trace) {
                if (traced == null) {
                    traced = new HashSet<>();
                }
                traced.add(p.text());
            }
            if (p.isLiteral()) {
                literalTopics.add(p.text());
            } else {
                wildcards.add(p);
            }
        }
    }

    /** Removes those of {@code topics} that are held; returns how many were. */
    int remove(List<TopicPattern> topics) {
        int removed = 0;
        for (TopicPattern p : topics) {
            if (patterns.remove(p.text()) != null) {
                removed++;
                maxRates.remove(p.text());
                if (maxStaleness != null) {
                    maxStaleness.remove(p.text());
                }
                if (traced != null) {
                    traced.remove(p.text());
                }
                optionsByTopic = null;
                if (p.isLiteral()) {
                    literalTopics.remove(p.text());
                } else {
                    wildcards.remove(p);
                }
            }
        }
        gauge.addAndGet(-removed);
        return removed;
    }

    /** The connection is closed: holds nothing from now on. */
    void clear() {
        gauge.addAndGet(-patterns.size());
        patterns.clear();
        maxRates.clear();
        maxStaleness = null;
        traced = null;
        optionsByTopic = null;
        literalTopics.clear();
        wildcards.clear();
    }

    /** Whether some subscription covers {@code topic}. */
    boolean covers(String topic) {
        if (literalTopics.contains(topic)) {
            return true;
        }
        for (int i = 0; i < wildcards.size(); i++) {
            if (wildcards.get(i).matches(topic)) {
                return true;
            }
        }
        return false;
    }

    /** Whether any subscription has a {@code maxRate} (when none does, no topic is limited). */
    boolean anyMaxRate() {
        return !maxRates.isEmpty();
    }

    /**
     * The {@code maxRate} that applies to {@code topic}, in messages per second: the most permissive
     * of the subscriptions that cover it; 0 for no limit (one of them has none, or none covers it).
     */
    double maxRate(String topic) {
        double rate = 0;
        for (TopicPattern p : patterns.values()) {
            if (p.matches(topic)) {
                Double r = maxRates.get(p.text());
                if (r == null) {
                    return 0;
                }
                rate = Math.max(rate, r);
            }
        }
        return rate;
    }

    /**
     * The staleness budget that applies to {@code topic}, in microseconds: the most permissive of the
     * subscriptions that cover it; 0 for none (one of them has none, or none covers it).
     */
    long stalenessMicros(String topic) {
        return maxStaleness == null || maxStaleness.isEmpty() ? 0 : options(topic).stalenessMicros();
    }

    /** Whether any subscription was made with {@code trace}. */
    boolean anyTraced() {
        return traced != null && !traced.isEmpty();
    }

    /**
     * Whether {@code topic}'s messages carry their latency provenance: some subscription made with
     * {@code trace} covers it.
     */
    boolean traced(String topic) {
        return anyTraced() && options(topic).traced();
    }

    /** The options of {@code topic}, looked up once per topic until the subscriptions change. */
    private TopicOptions options(String topic) {
        if (optionsByTopic == null) {
            optionsByTopic = new HashMap<>();
        }
        return optionsByTopic.computeIfAbsent(topic, this::lookUpOptions);
    }

    private TopicOptions lookUpOptions(String topic) {
        long ms = 0;
        boolean unbudgeted = false;
        boolean trace = false;
        for (TopicPattern p : patterns.values()) {
            if (p.matches(topic)) {
                Long budget = maxStaleness == null ? null : maxStaleness.get(p.text());
                if (budget == null) {
                    unbudgeted = true;
                } else {
                    ms = Math.max(ms, budget);
                }
                trace |= traced != null && traced.contains(p.text());
            }
        }
        return new TopicOptions(unbudgeted ? 0 : ms * 1_000, trace);
    }

    /** The patterns held now, in the order they were added (a copy). */
    List<TopicPattern> patterns() {
        return List.copyOf(patterns.values());
    }

    /** How many patterns are held. */
    int size() {
        return patterns.size();
    }
}
