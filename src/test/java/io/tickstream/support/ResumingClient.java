package io.tickstream.support;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tickstream.session.ErrorCode;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A subscriber of the whole feed that, whenever its connection drops, reconnects and subscribes
 * again with {@code from} = its resume point (the highest {@code seq} it received on a message that
 * is neither a snapshot nor a replay), as the protocol tells clients to; such a subscribe leaves
 * {@code snapshot} out, so none is owed.
 *
 * <p>Small enough to run a thousand on two cores: each frame is read with a streaming parser
 * (no JSON objects built), and the seqs of the live messages go to a {@link SeqLog}. Anything a
 * resuming client must not see is recorded as a problem, with the connection it came on: a
 * snapshot on a connection that resumed, a {@code conflated} message (updates lost to it), a
 * message marked {@code replay}, a {@code seq} not above the resume point, an {@code error} other
 * than {@code resume_ahead}. That one says that the server reached (an edge of a cluster just
 * behind the one the client came from) has not yet received the resume point and subscribed
 * nothing: as the protocol allows, the client sends the same subscribe again a moment later.
 *
 * <p>Each connection's first {@value #CHECKED_PER_CONNECTION} ticks and scores, and every other
 * message, are also checked against the protocol's AsyncAPI document ({@link ProtocolCheck}): a
 * message that breaks it is a problem too.
 *
 * <p>Threading: the state is touched on the client's event loop under this object's lock; the
 * test reads it through the synchronized accessors.
 */
public final class ResumingClient {

    private static final JsonFactory JSON = new JsonFactory();
    private static final int PROBLEMS_KEPT = 3;
    /** How long after a {@code resume_ahead} the subscribe is sent again (the server has waited already). */
    private static final long RESUME_AHEAD_RETRY_MS = 100;
    /** Ticks and scores checked against the AsyncAPI document on each connection (every other message is). */
    private static final int CHECKED_PER_CONNECTION = 5;

    private final Vertx vertx;
    private final WebSocketClient client;
    private final int port;
    private final SeqLog seqs = new SeqLog();
    private final ProtocolCheck check;
    /** Ticks and scores still to be checked on the current connection. */
    private int checksLeft;
    /** Close codes of the connections the server ended, and how often (1006: no close frame, as after kill -9). */
    private final TreeMap<Integer, Integer> closes = new TreeMap<>();
    private final List<String> problems = new ArrayList<>();
    private int problemCount;
    private long resumePoint;
    private int connects;
    private int resumeAheads;
    /** Whether the current connection subscribed with {@code from}. */
    private boolean resuming;
    private volatile boolean stopped;
    private ClientWebSocket ws;

    private ResumingClient(Vertx vertx, WebSocketClient client, int port) {
        this.vertx = vertx;
        this.client = client;
        this.port = port;
        this.check = new ProtocolCheck("a ResumingClient of port " + port);
    }

    /**
     * Starts {@code count} clients connecting to {@code 127.0.0.1:port/ws}, each subscribing to
     * everything, with snapshots. They are spread over {@code loops} event loops (one deployment,
     * and so one context, each): connections opened from a thread outside Vert.x would all share one.
     */
    public static List<ResumingClient> start(Vertx vertx, int port, int count, int loops) {
        List<WebSocketClientOptions> groups = new ArrayList<>();
        for (int loop = 0; loop < loops; loop++) {
            groups.add(WsClient.options());
        }
        return start(vertx, port, count, groups);
    }

    /**
     * As {@link #start(Vertx, int, int, int)}, with one event loop per entry of {@code groups}, whose
     * clients connect with its options (TLS, for instance).
     */
    public static List<ResumingClient> start(Vertx vertx, int port, int count, List<WebSocketClientOptions> groups) {
        List<ResumingClient> all = new ArrayList<>();
        for (int loop = 0; loop < groups.size(); loop++) {
            WebSocketClient client = vertx.createWebSocketClient(groups.get(loop));
            List<ResumingClient> group = new ArrayList<>();
            for (int i = loop; i < count; i += groups.size()) {
                group.add(new ResumingClient(vertx, client, port));
            }
            all.addAll(group);
            vertx.deployVerticle((Deployable) context -> {
                group.forEach(ResumingClient::connect);
                return Future.succeededFuture();
            }).await();
        }
        return all;
    }

    private void connect() {
        if (stopped) {
            return;
        }
        ClientWebSocket socket = client.webSocket();
        socket.textMessageHandler(this::onText);
        socket.closeHandler(v -> {
            synchronized (this) {
                closes.merge(socket.closeStatusCode() == null ? -1 : (int) socket.closeStatusCode(), 1, Integer::sum);
            }
            retry();
        });
        socket.connect(port, "127.0.0.1", "/ws").onSuccess(v -> {
            String subscribe;
            synchronized (this) {
                ws = socket;
                connects++;
                checksLeft = CHECKED_PER_CONNECTION;
                resuming = resumePoint > 0;
                subscribe = subscribe();
            }
            socket.writeTextMessage(subscribe);
        }).onFailure(e -> retry());
    }

    /** The subscribe of the current connection: from the resume point when there is one. */
    private String subscribe() {
        JsonObject subscribe = Fixture.subscribeAll("c" + connects);
        if (resuming) {
            subscribe.put("from", resumePoint);   // snapshot left out: with from it defaults to false
        }
        return subscribe.encode();
    }

    /** After a {@code resume_ahead}: the same subscribe again on the same connection, if it is still open. */
    private void subscribeAgainLater() {
        ClientWebSocket socket = ws;
        vertx.setTimer(RESUME_AHEAD_RETRY_MS, t -> {
            String subscribe;
            synchronized (this) {
                if (socket != ws || socket.isClosed()) {
                    return;   // the connection dropped meanwhile: its reconnect resumes
                }
                subscribe = subscribe();
            }
            socket.writeTextMessage(subscribe);
        });
    }

    /** Reconnects a little later, spread so that a thousand clients do not knock at the same instant. */
    private void retry() {
        if (!stopped) {
            vertx.setTimer(100 + ThreadLocalRandom.current().nextInt(100), t -> connect());
        }
    }

    private synchronized void onText(String text) {
        try (JsonParser p = JSON.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    message(p, text);
                }
            } else if (t == JsonToken.START_OBJECT) {
                message(p, text);
            } else {
                problem("a frame that is not a JSON object or array: " + abbreviate(text));
            }
        } catch (IOException | RuntimeException e) {
            problem("an unreadable frame (" + e.getMessage() + "): " + abbreviate(text));
        }
    }

    /** One message: {@code p} is at its start, in {@code frame}. */
    private void message(JsonParser p, String frame) throws IOException {
        int start = (int) p.currentTokenLocation().getCharOffset();
        String type = null;
        long seq = -1;
        boolean snapshot = false;
        long conflated = 0;
        String replay = null;
        String code = null;
        String text = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "type" -> type = p.getText();
                case "seq" -> seq = p.getLongValue();
                case "snapshot" -> snapshot = value == JsonToken.VALUE_TRUE;
                case "conflated" -> conflated = p.getLongValue();
                case "replay" -> replay = p.getText();
                case "code" -> code = p.getText();
                case "message" -> text = p.getText();
                default -> p.skipChildren();
            }
        }
        boolean stream = "tick".equals(type) || "score".equals(type);
        if (!stream || checksLeft > 0) {
            checksLeft -= stream ? 1 : 0;
            int end = (int) p.currentLocation().getCharOffset();
            List<String> wrong = check.check(new JsonObject(frame.substring(start, end)));
            if (!wrong.isEmpty()) {
                problem("a message that breaks the AsyncAPI document: " + String.join("; ", wrong));
            }
        }
        if ("error".equals(type) && ErrorCode.RESUME_AHEAD.equals(code) && resuming) {
            resumeAheads++;
            subscribeAgainLater();
        } else if ("error".equals(type)) {
            problem("error " + code + ": " + text);
        } else if ("tick".equals(type) || "score".equals(type)) {
            if (snapshot) {
                if (resuming) {
                    problem("a snapshot of seq " + seq + " after a resume from " + resumePoint);
                }
                return;   // the first subscribe asked for snapshots: not part of the stream
            }
            if (conflated > 0) {
                problem("seq " + seq + " conflated " + conflated + " updates");
            }
            if (replay != null) {
                problem("seq " + seq + " marked replay " + replay + ", which no subscribe asked for");
            }
            if (seq <= resumePoint) {
                problem("seq " + seq + " after seq " + resumePoint);
            }
            seqs.add(seq);
            resumePoint = Math.max(resumePoint, seq);
        }
    }

    private void problem(String what) {
        if (problemCount++ < PROBLEMS_KEPT) {
            problems.add("connection " + connects + ": " + what);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** Stops reconnecting and closes the connection. */
    public void stop() {
        stopped = true;
        ClientWebSocket socket;
        synchronized (this) {
            socket = ws;
        }
        if (socket != null && !socket.isClosed()) {
            socket.close();
        }
    }

    public synchronized long resumePoint() {
        return resumePoint;
    }

    public synchronized int connects() {
        return connects;
    }

    /** The {@code resume_ahead} answers received (each followed by the same subscribe again). */
    public synchronized int resumeAheads() {
        return resumeAheads;
    }

    /** The seqs of the live messages received, in arrival order. */
    public synchronized long[] seqs() {
        return seqs.toArray();
    }

    public synchronized int received() {
        return seqs.size();
    }

    /** Bytes this client holds for its seqs. */
    public synchronized int seqBytes() {
        return seqs.bytes();
    }

    /** The first few problems, and how many there were in all; empty when none. */
    public synchronized String problems() {
        return problemCount == 0 ? "" : problemCount + " problems, first: " + String.join("; ", problems);
    }

    /** How the server ended this client's connections: close code → count. */
    public synchronized String closes() {
        return closes.toString();
    }
}
