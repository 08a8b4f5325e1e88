package io.tickstream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedMessage;
import io.tickstream.feed.FeedQueue;
import io.tickstream.feed.JsonCodec;
import io.tickstream.feed.MatchStatus;
import io.tickstream.feed.QueueCodec;
import io.tickstream.feed.Score;
import io.tickstream.feed.Tick;
import io.tickstream.feed.TopicPattern;
import io.tickstream.support.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads of the queue's past against a real queue of three cycle files, checked against the records
 * as written: a snapshot at any seq is each topic's latest record up to it, whether it lies in the
 * checkpoint interval, before the last checkpoint or in an earlier cycle (a match silent for
 * most of the queue); a time window is exactly the records written in it.
 */
class HistoryTest {

    private static final int INTERVAL = 100;
    private static final long T0 = 1_700_000_000_000_000L;

    @TempDir
    Path dir;
    private ChronicleQueue queue;
    private FeedIndex index;
    private History history;
    /** Every record as written: its seq, topic and ts. */
    private final List<long[]> written = new ArrayList<>();
    private final List<String> topics = new ArrayList<>();

    @BeforeEach
    void write() throws Exception {
        SetTimeProvider clock = new SetTimeProvider(System.currentTimeMillis() * 1_000_000L);
        queue = SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(FeedQueue.rollCycle("TEST_SECONDLY"))
                .timeProvider(clock).build();
        Random random = new Random(7);
        long ts = T0;
        try (ExcerptAppender appender = queue.createAppender()) {
            for (int cycle = 0; cycle < 3; cycle++) {
                for (int i = 0; i < 1_000; i++) {
                    ts += 1_000 + random.nextInt(3);
                    FeedMessage m;
                    if (cycle == 0 && i == 10) {
                        // a match heard once, in the first cycle only
                        m = new Score(ts, "football", "OLD-ONE", "Old", "One", 1, 0, 5400, MatchStatus.FINAL, null);
                    } else if (random.nextInt(50) == 0) {
                        m = new Score(ts, "football", "ARS-CHE", "Arsenal", "Chelsea", i % 3, 0, i, MatchStatus.LIVE,
                                null);
                    } else {
                        m = new Tick(ts, "S" + random.nextInt(7), 1, 2, 1.5, 1, i);
                    }
                    try (DocumentContext dc = appender.writingDocument()) {
                        QueueCodec.write(m, dc.wire().bytes());
                    }
                    int topic = topics.indexOf(m.topic());
                    if (topic < 0) {
                        topics.add(m.topic());
                        topic = topics.size() - 1;
                    }
                    written.add(new long[] {appender.lastIndexAppended(), topic, ts});
                }
                clock.advanceMillis(1_000);
            }
        }
        index = new FeedIndex(queue, INTERVAL).start();
        history = new History(queue, index);
        Await.until(() -> index.checkpoints().length == written.size() / INTERVAL, Duration.ofSeconds(20),
                "the index to reach the queue's end");
    }

    @AfterEach
    void close() throws Exception {
        history.close();
        queue.close();
    }

    @Test
    void snapshotAtAnySeqIsEachTopicsLatestRecordUpToIt() {
        JsonCodec codec = new JsonCodec();
        Random random = new Random(11);
        List<Integer> picks = new ArrayList<>(List.of(0, 10, 99, 100, 101, 999, 1_000, written.size() - 1));
        for (int i = 0; i < 40; i++) {
            picks.add(random.nextInt(written.size()));
        }
        assertTrue(queue.rollCycle().toCycle(written.get(0)[0])
                != queue.rollCycle().toCycle(written.get(written.size() - 1)[0]), "the records span cycles");
        for (Predicate<String> filter : List.<Predicate<String>>of(t -> true,
                TopicPattern.parse("sports.>")::matches, TopicPattern.parse("stocks.S3")::matches)) {
            for (int pick : picks) {
                long at = written.get(pick)[0];
                Map<String, Long> expected = new TreeMap<>();
                for (long[] r : written) {
                    if (r[0] <= at && filter.test(topics.get((int) r[1]))) {
                        expected.put(topics.get((int) r[1]), r[0]);
                    }
                }
                List<EncodedMessage> found = history.snapshotAt(at, filter, codec);
                Map<String, Long> actual = new TreeMap<>();
                long previous = -1;
                for (EncodedMessage m : found) {
                    actual.put(m.topic(), m.seq());
                    assertTrue(m.seq() > previous, "in seq order");
                    previous = m.seq();
                }
                assertEquals(expected, actual, "the snapshot at seq " + at + " (record " + pick + ")");
            }
        }
        assertTrue(history.snapshotAt(written.get(written.size() - 1)[0], t -> true, codec).stream()
                .anyMatch(m -> m.topic().equals("sports.football.OLD-ONE")), "a topic silent since the first cycle");
    }

    @Test
    void aSnapshotBeforeTheQueueStartIsUnavailable() {
        assertNull(history.snapshotAt(written.get(0)[0] - 1, t -> true, new JsonCodec()));
    }

    @Test
    void aWindowIsExactlyTheRecordsWrittenInIt() throws Exception {
        Random random = new Random(13);
        long firstTs = written.get(0)[2];
        long lastTs = written.get(written.size() - 1)[2];
        Predicate<String> stocks = TopicPattern.parse("stocks.*")::matches;
        for (int i = 0; i < 30; i++) {
            long from = firstTs + (long) (random.nextDouble() * (lastTs - firstTs));
            long to = from + random.nextInt(1_500_000);
            long upTo = i % 3 == 0 ? written.get(random.nextInt(written.size()))[0] : Long.MAX_VALUE;
            long fromSeq = -1;
            long toSeq = -1;
            long count = 0;
            for (long[] r : written) {
                if (r[2] >= from && r[2] <= to && r[0] <= upTo) {
                    fromSeq = fromSeq < 0 ? r[0] : fromSeq;
                    toSeq = r[0];
                    count += stocks.test(topics.get((int) r[1])) ? 1 : 0;
                }
            }
            History.Window w = history.window(from, to, upTo, stocks);
            if (fromSeq < 0) {
                assertEquals(0, w.count(), "an empty window");
            } else {
                assertEquals(new History.Window(fromSeq, toSeq, count), w, "the window " + from + ".." + to);
            }
        }
        History.Unavailable gone = assertThrows(History.Unavailable.class,
                () -> history.window(firstTs - 1, lastTs, Long.MAX_VALUE, stocks));
        assertTrue(gone.getMessage().contains("the queue starts at"), gone.getMessage());
    }
}
