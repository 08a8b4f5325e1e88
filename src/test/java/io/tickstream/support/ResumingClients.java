package io.tickstream.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/** Waits and checks over many {@link ResumingClient}s at once, reporting the first one that fails. */
public final class ResumingClients {

    private static final Duration WAIT = Duration.ofSeconds(120);

    private ResumingClients() {
    }

    /** Waits for every client to satisfy {@code condition}; on a timeout says how many did and where the others are. */
    public static void await(List<ResumingClient> clients, Predicate<ResumingClient> condition, String what)
            throws InterruptedException {
        try {
            Fixture.await(() -> clients.stream().allMatch(condition), WAIT, what);
        } catch (AssertionError e) {
            List<ResumingClient> behind = clients.stream().filter(condition.negate()).toList();
            ResumingClient first = behind.get(0);
            throw new AssertionError(e.getMessage() + ": " + behind.size() + " of " + clients.size()
                    + " did not; the first of them: " + first.connects() + " connects, resume point "
                    + first.resumePoint() + ", " + first.received() + " received, closes " + first.closes() + " "
                    + first.problems(), e);
        }
    }

    /**
     * Asserts that each client's live messages are exactly the records {@code intact} (seqs, in
     * order) from its first one on, and that none saw what a resuming client must not. Reports how
     * many clients fail, and how the first of them does. Returns the fewest records owed to a client.
     */
    public static long assertEachGotTheRecordsOnce(List<ResumingClient> clients, long[] intact) {
        int failed = 0;
        String firstFailure = null;
        long minOwed = Long.MAX_VALUE;
        for (int i = 0; i < clients.size(); i++) {
            ResumingClient c = clients.get(i);
            long[] got = c.seqs();
            int from = got.length == 0 ? -1 : Arrays.binarySearch(intact, got[0]);
            long[] owed = from < 0 ? new long[0] : Arrays.copyOfRange(intact, from, intact.length);
            minOwed = Math.min(minOwed, owed.length);
            String wrong = c.problems();
            if (got.length == 0 || !Arrays.equals(owed, got)) {
                try {
                    Fixture.assertSameSeqs(boxed(owed), boxed(got), "the live messages");
                } catch (AssertionError e) {
                    wrong += (wrong.isEmpty() ? "" : "; ") + e.getMessage();
                }
            }
            if (!wrong.isEmpty()) {
                failed++;
                if (firstFailure == null) {
                    firstFailure = "client " + i + " (closes " + c.closes() + "): " + wrong;
                }
            }
        }
        assertEquals(0, failed, failed + " of " + clients.size() + " clients did not get every record of the queue "
                + "once after their first, or saw what a resuming client must not; " + firstFailure);
        return minOwed;
    }

    private static List<Long> boxed(long[] seqs) {
        return Arrays.stream(seqs).boxed().toList();
    }
}
