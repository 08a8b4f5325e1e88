package io.tickstream.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.feed.FeedQueue;
import io.tickstream.feed.Sequenced;
import io.tickstream.feed.TopicPattern;
import io.tickstream.support.Chromium;
import io.tickstream.support.Fixture;
import io.tickstream.support.PageLog;
import io.tickstream.support.Replicas;
import io.tickstream.support.RepoNginx;
import io.tickstream.support.ResumingClient;
import io.tickstream.support.ResumingClients;
import io.tickstream.support.SuiteOrder;
import io.tickstream.support.TestStack;
import io.tickstream.support.WsClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * A cluster as real processes: a feed host, three edges and a real NGINX spreading WebSockets over
 * them, on the repository's own {@code nginx/tickstream.conf} ({@link RepoNginx}: TLS,
 * {@code least_conn}, a refused connection or a {@code 503} passed to the next edge), with
 * {@value #CLIENTS} resuming clients of the whole feed and the dashboard page in a real headless
 * Chromium connected through it. One directive is changed: the file allows 100 connections per
 * client address, and every client here comes from 127.0.0.1 (tried: a local address in Vert.x's
 * WebSocket client options still reached NGINX as 127.0.0.1), so the limit is raised above
 * {@value #CLIENTS}. The first kill takes the dashboard's edge, the next two the edge holding the
 * most clients, each with SIGKILL and restarted at once on its replica, as a supervisor would: its
 * clients reconnect through NGINX onto the other edges (or onto it, once it serves again) and
 * resume from their last {@code seq}, sending the subscribe again after a {@code resume_ahead}
 * where an edge is a little behind. The next kill comes as soon as every client and the page are
 * live again, whether or not the edge killed before serves again. Each client ends with every
 * record of the origin queue from its first one on, once and in order; the page with every record
 * of its topics from its first live one on, once and in order (its {@code window.tickstream.log});
 * and each edge's replica is the origin's.
 *
 * <p>{@value #CLIENTS} clients, as issue 15 asks, pass on two cores beside the three edges, the feed
 * host, NGINX, Chromium and the simulator, all of them on the same cores: measured 85 s with the
 * cores shared with other work (load average 19), and over 4 minutes under a load average of 50 (an
 * earlier version); most of it is JVMs starting. Hence the generous timeouts. The page and TLS
 * added no time that shows through the shared machine's noise: 131 s and 161 s with them, 179 s
 * and 256 s without, run alone at load averages from 8 to 26.
 */
@Tag(SuiteOrder.LOAD)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusterFailoverTest {

    private static final int CLIENTS = 300;
    /** The simulator's messages a second: each goes to every client. */
    private static final int RATE = 100;
    private static final int KILLS = 3;
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Kept when the test fails: the processes' logs are there. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    @RegisterExtension
    final TestStack stack = new TestStack();

    @Test
    void everyClientAndTheDashboardResumeOnAnotherEdgeWithNothingMissedWhenAnEdgeIsKilledThreeTimes() throws Exception {
        LocalCluster cluster = LocalCluster.fedBySimulator(stack, dir, RATE, 9);
        Path origin = cluster.origin();
        cluster.simulator().awaitWritten(RATE, WAIT);
        cluster.startPublisher();
        cluster.addEdges(3);
        for (LocalCluster.Edge edge : cluster.edges()) {
            edge.awaitReady();
        }
        RepoNginx nginx = RepoNginx.start(dir.resolve("nginx"),
                cluster.edges().stream().map(e -> "127.0.0.1:" + e.port).toList(),
                ClusterFailoverTest::roomForEveryClient, WAIT);
        stack.add(nginx.process());
        int port = nginx.tlsPort();

        // the page first, alone: the one edge with a connection is the page's
        WebDriver page = Chromium.start(dir.resolve("chrome"), "--ignore-certificate-errors");
        stack.add(page::quit);
        page.get("https://127.0.0.1:" + port + "/");
        awaitPage(page, p -> "open".equals(js(p, "return window.tickstream.state")) && pageSeq(p) >= 0,
                "the dashboard live through NGINX");
        Fixture.await(() -> connectionsOnAll(cluster.edges()) == 1, WAIT, "the dashboard's one WebSocket counted");
        LocalCluster.Edge pageEdge = cluster.edges().stream().filter(e -> connectionsOf(e) == 1).findFirst()
                .orElseThrow();

        List<WebSocketClientOptions> loops = List.of(tls(), tls());
        List<ResumingClient> clients = ResumingClient.start(stack.vertx(), port, CLIENTS, loops);
        stack.add(() -> clients.forEach(ResumingClient::stop));
        ResumingClients.await(clients, c -> c.resumePoint() > 0, "every client receiving live messages");
        for (LocalCluster.Edge edge : cluster.edges()) {
            assertTrue(edge.connections() > 0, "NGINX gives each edge clients; edge " + edge.index + " has none");
        }

        for (int kill = 1; kill <= KILLS; kill++) {
            // the page's edge first; then the busiest (an edge restarted before may still be starting)
            LocalCluster.Edge victim = kill == 1 ? pageEdge : busiest(cluster.edges());
            double held = victim.connections();
            int[] connects = clients.stream().mapToInt(ResumingClient::connects).toArray();
            long pageReconnects = pageReconnects(page);
            victim.kill9();
            victim.launch();   // restarted at once: clients may reach it while it starts and catches up
            long target = awaitLive(clients, origin);
            awaitPage(page, p -> pageSeq(p) >= target, "the dashboard live again, beyond seq " + target);
            int moved = pageReconnects(page) > pageReconnects ? 1 : 0;
            if (kill == 1) {
                assertEquals(1, moved, "kill 1: the dashboard's edge died, and the page reconnected");
            }
            for (int i = 0; i < clients.size(); i++) {
                moved += clients.get(i).connects() > connects[i] ? 1 : 0;
            }
            assertTrue(moved >= held, "kill " + kill + ": edge " + victim.index + " held " + held
                    + " connections, and " + moved + " reconnected");
            System.out.printf("kill %d: edge %d held %.0f connections; %d reconnected and resumed%n", kill,
                    victim.index, held, moved);
        }

        for (LocalCluster.Edge edge : cluster.edges()) {
            edge.awaitStarted();
            edge.awaitReady();
        }
        cluster.simulator().stop();
        long[] records = Fixture.readQueue(cluster.origin()).stream().mapToLong(Sequenced::seq).toArray();
        long last = records[records.length - 1];
        ResumingClients.await(clients, c -> c.resumePoint() >= last, "every client to reach the origin's seq " + last);
        clients.forEach(ResumingClient::stop);
        long minOwed = ResumingClients.assertEachGotTheRecordsOnce(clients, records);
        int resumeAheads = clients.stream().mapToInt(ResumingClient::resumeAheads).sum();
        System.out.printf("%d clients, %d records in the origin, at least %d owed to each; %d resume_ahead answers%n",
                clients.size(), records.length, minOwed, resumeAheads);
        assertTrue(minOwed > 5L * RATE, "a real load across the kills: " + minOwed + " records each at least");
        assertPageGotItsRecordsOnce(page, origin);
        for (LocalCluster.Edge edge : cluster.edges()) {
            Fixture.await(() -> Fixture.lastSeq(edge.replica) == last, WAIT,
                    "edge " + edge.index + " to hold seq " + last);
            assertEquals(records.length, Replicas.assertSameRecords(cluster.origin(), edge.replica,
                    FeedQueue.rollCycle(FeedQueue.DEFAULT_ROLL_CYCLE)), "edge " + edge.index + "'s replica");
        }
    }

    /**
     * The page's log ({@code window.tickstream.log}: the topic and seq of each live message shown) is
     * every record of the origin on the page's topics from its first one on, once and each topic's in
     * order, across its reconnects. Called with the simulator stopped.
     */
    private void assertPageGotItsRecordsOnce(WebDriver page, Path origin) throws Exception {
        List<TopicPattern> patterns = new ArrayList<>();
        for (Object symbol : (List<?>) js(page, "return window.tickstream.watch")) {
            patterns.add(TopicPattern.parse("stocks." + symbol));
        }
        patterns.add(TopicPattern.parse("sports.>"));
        List<Sequenced> all = Fixture.readQueue(origin).stream()
                .filter(s -> patterns.stream().anyMatch(p -> p.matches(s.message().topic()))).toList();
        long lastOwed = all.get(all.size() - 1).seq();
        awaitPage(page, p -> pageSeq(p) == lastOwed, "the page to show seq " + lastOwed + ", its topics' last");
        List<Long> seen = PageLog.seqs((List<?>) js(page, "return window.tickstream.log"));   // each topic's in order
        long from = seen.stream().min(Comparator.naturalOrder()).orElseThrow();
        List<Long> owed = all.stream().map(Sequenced::seq).filter(seq -> seq >= from).toList();
        assertEquals(owed.size(), seen.size(), "the page's messages: as many as the origin's on its topics");
        assertEquals(owed, seen.stream().sorted().toList(),
                "the page got every message of its topics once across its edge's death");
        System.out.printf("the dashboard: %d messages from seq %d, %d reconnects%n", seen.size(), from,
                pageReconnects(page));
    }

    /** The site with its per-address connection limit raised above the clients, all from 127.0.0.1. */
    private static String roomForEveryClient(String site) {
        String limit = "limit_conn tickstream_per_ip 100;";
        if (!site.contains(limit)) {
            throw new IllegalStateException(RepoNginx.SITE + " has no '" + limit + "' to raise for " + CLIENTS
                    + " clients from one address");
        }
        return site.replace(limit, "limit_conn tickstream_per_ip " + (CLIENTS + 10) + ";");
    }

    /** The clients' options: TLS, trusting the test's self-signed certificate. */
    private static WebSocketClientOptions tls() {
        return WsClient.options().setSsl(true).setTrustAll(true).setVerifyHost(false);
    }

    private static Object js(WebDriver page, String script) {
        return ((JavascriptExecutor) page).executeScript(script);
    }

    /** The highest live seq the page received, or -1 before the first. */
    private static long pageSeq(WebDriver page) {
        Object seq = js(page, "return window.tickstream.lastSeq()");
        return seq == null ? -1 : ((Number) seq).longValue();
    }

    private static long pageReconnects(WebDriver page) {
        return ((Number) js(page, "return window.tickstream.reconnects")).longValue();
    }

    private static void awaitPage(WebDriver page, Predicate<WebDriver> condition, String what)
            throws InterruptedException {
        Fixture.await(() -> {
            try {
                return condition.test(page);
            } catch (RuntimeException notYet) {   // the page reloading, a script not run yet
                return false;
            }
        }, WAIT, what);
    }

    private static double connectionsOnAll(List<LocalCluster.Edge> edges) {
        return edges.stream().mapToDouble(ClusterFailoverTest::connectionsOf).sum();
    }

    /** An edge's open WebSockets; -1 while it does not answer. */
    private static double connectionsOf(LocalCluster.Edge edge) {
        try {
            return edge.connections();
        } catch (Exception unreachable) {
            return -1;
        }
    }

    /** The edge with the most open WebSockets, of those that answer. */
    private static LocalCluster.Edge busiest(List<LocalCluster.Edge> edges) {
        return edges.stream().max(Comparator.comparingDouble(ClusterFailoverTest::connectionsOf)).orElseThrow();
    }

    /**
     * Waits until every client has live messages beyond the origin's newest record as of the call, plus
     * half a second of the feed; returns that seq.
     */
    private static long awaitLive(List<ResumingClient> clients, Path origin) throws InterruptedException {
        long target = Fixture.lastSeq(origin) + RATE / 2;
        ResumingClients.await(clients, c -> c.resumePoint() >= target, "every client live again, up to seq " + target);
        return target;
    }
}
