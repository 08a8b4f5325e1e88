package io.tickstream.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The dashboard page's log of the live messages it shows ({@code window.tickstream.log}: [topic, seq], ...). */
public final class PageLog {

    private PageLog() {
    }

    /**
     * The seqs of {@code log} in the order received, once checked that each topic's are strictly
     * increasing. Across topics they need not be: after a reconnect the page's subscriptions resume
     * one after the other, so a topic of the second is replayed after later messages of the first's
     * (and so is a symbol the page moves to or from its traced subscription).
     */
    public static List<Long> seqs(List<?> log) {
        List<Long> seqs = new ArrayList<>();
        Map<String, Long> byTopic = new HashMap<>();
        for (Object e : log) {
            String topic = (String) ((List<?>) e).get(0);
            long seq = ((Number) ((List<?>) e).get(1)).longValue();
            Long before = byTopic.put(topic, seq);
            if (before != null && seq <= before) {
                throw new AssertionError(topic + ": " + seq + " after " + before + " in the page's live log");
            }
            seqs.add(seq);
        }
        return seqs;
    }
}
