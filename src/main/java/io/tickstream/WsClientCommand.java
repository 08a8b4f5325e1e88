package io.tickstream;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code client}: a WebSocket client for the command line, the way {@code websocat} is used: connects to
 * a server's {@code /ws}, sends the given messages after the {@code welcome}, and prints every message
 * received as one JSON line (frames that carry an array are unpacked), until the answer it waits for.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
        description = "Connect to a tickstream server, send messages, print each message received as a JSON line.")
final class WsClientCommand implements Callable<Integer> {

    @Option(names = "--url", paramLabel = "URL", defaultValue = "ws://localhost:8080/ws",
            description = "The server's WebSocket (default ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:TICKSTREAM_TOKEN}",
            description = "A token, sent as Authorization: Bearer (env TICKSTREAM_TOKEN).")
    String token;

    @Option(names = "--send", paramLabel = "JSON",
            description = "A message to send after the welcome, e.g. '{\"op\":\"snapshot\",\"id\":\"s1\","
                    + "\"topics\":[\"stocks.*\"]}'. Repeat for several: each next one is sent once the last "
                    + "has its first answer (a message with its id), or at once when it has no id.")
    List<String> send = List.of();

    @Option(names = "--until", paramLabel = "TYPE",
            description = "Exit once a message of this type answers the last message sent (its id), e.g. "
                    + "replayed; an error answering it exits 1. Without it: after --seconds.")
    String until;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "10",
            description = "Most seconds to run (default ${DEFAULT-VALUE}); with --until, exit 1 if it has not come.")
    double seconds;

    @Option(names = "--timing", description = "Print to stderr how long the first answer to each message took.")
    boolean timing;

    @Spec
    CommandSpec spec;
    private PrintWriter out;
    private PrintWriter err;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        try {
            return talk();
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int talk() throws Exception {
        BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        StringBuilder partial = new StringBuilder();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    texts.add(partial.toString());
                    partial.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                texts.add("{\"type\":\"closed\",\"code\":" + code + ",\"reason\":" + Json.encode(reason) + "}");
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                texts.add("{\"type\":\"closed\",\"reason\":" + Json.encode(String.valueOf(error)) + "}");
            }
        };
        HttpClient http = HttpClient.newHttpClient();
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (token != null && !token.isBlank()) {
            builder.header("Authorization", "Bearer " + token);
        }
        WebSocket ws;
        try {
            ws = builder.buildAsync(url, listener).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            err.println("client: cannot connect to " + url + ": " + (e.getCause() != null ? e.getCause() : e));
            return 1;
        }
        String lastId = send.isEmpty() ? null : idOf(send.get(send.size() - 1));
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        int next = -1;   // the next message to send, once welcomed
        long sentAt = 0;
        String waitingFor = null;
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                String text = left > 0 ? texts.poll(left, TimeUnit.NANOSECONDS) : null;
                if (text == null) {
                    return until == null ? 0 : fail("no " + until + " within " + seconds + " s");
                }
                long now = System.nanoTime();
                for (JsonObject m : messages(text)) {
                    out.println(m.encode());
                    String type = m.getString("type", "");
                    if ("closed".equals(type)) {
                        return until == null ? 0 : fail("the server closed the connection");
                    }
                    String id = m.getString("id");
                    if (waitingFor != null && waitingFor.equals(id)) {
                        if (timing) {
                            err.printf("client: %s answered %s in %.1f ms%n", type, id, (now - sentAt) / 1e6);
                        }
                        waitingFor = null;
                    }
                    if (until != null && (lastId == null || lastId.equals(id))) {
                        if (until.equals(type)) {
                            return 0;
                        }
                        if ("error".equals(type) && lastId != null) {
                            return fail("error " + m.getString("code") + ": " + m.getString("message"));
                        }
                    }
                    if (next < 0 && "welcome".equals(type)) {
                        next = 0;
                    }
                }
                while (next >= 0 && next < send.size() && waitingFor == null) {
                    String message = send.get(next++);
                    waitingFor = idOf(message);
                    sentAt = System.nanoTime();
                    ws.sendText(message, true).get(5, TimeUnit.SECONDS);
                }
            }
        } finally {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
            ws.abort();
        }
    }

    private int fail(String why) {
        err.println("client: " + why);
        return 1;
    }

    private static List<JsonObject> messages(String text) {
        Object value;
        try {
            value = Json.decodeValue(text);
        } catch (DecodeException e) {
            return List.of(new JsonObject().put("type", "unreadable").put("text", text));
        }
        if (value instanceof JsonArray array) {
            return array.stream().map(JsonObject.class::cast).toList();
        }
        return List.of((JsonObject) value);
    }

    private static String idOf(String message) {
        try {
            return Json.decodeValue(message) instanceof JsonObject o && o.getValue("id") instanceof String s ? s : null;
        } catch (DecodeException e) {
            return null;
        }
    }
}
