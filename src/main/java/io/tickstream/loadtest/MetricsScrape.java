package io.tickstream.loadtest;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's own figures over the measured window: its {@code /metrics} (derived from the
 * {@code ws://} URL as {@code /api/topics} is) scraped when the window starts and when it ends, the
 * two turned into rates by {@link ServerFigures}. A server or proxy that does not serve
 * {@code /metrics} (or answers it late) gives "not available", never a failed run.
 *
 * <p>Threading: {@link #start} and {@link #end} are called by the reporting thread; the first
 * scrape runs on the HTTP client's threads, so that it does not delay the second's progress line.
 */
final class MetricsScrape {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

    /** What one scrape read: each metric summed over its labels (the largest for {@code _max}), and when. */
    record Sample(long atNanos, Map<String, Double> values) {
    }

    private final URI url;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private CompletableFuture<Sample> first;

    /** Scrapes the server of {@code ws}; {@code token} (or null) is sent as a bearer token. */
    MetricsScrape(URI ws, String token) {
        this.url = httpOf(ws, "/metrics");
        this.token = token;
    }

    /** The {@code http(s)://} URL of {@code path} on the server of the {@code ws(s)://} URL {@code ws}. */
    static URI httpOf(URI ws, String path) {
        String scheme = ws.getScheme().equals("wss") ? "https" : "http";
        return URI.create(scheme + "://" + ws.getHost() + (ws.getPort() > 0 ? ":" + ws.getPort() : "") + path);
    }

    /** The measured window starts: scrapes in the background. Only the first call counts. */
    void start() {
        if (first == null) {
            first = scrape();
        }
    }

    /** The window ends: scrapes again and returns the server's figures between the two (see {@link ServerFigures}). */
    JsonObject end() {
        if (first == null) {
            return ServerFigures.unavailable(url, "the measured window was shorter than a second");
        }
        try {
            Sample a = first.get(TIMEOUT.toSeconds() + 1, TimeUnit.SECONDS);
            Sample b = scrape().get(TIMEOUT.toSeconds() + 1, TimeUnit.SECONDS);
            return ServerFigures.between(url, a, b);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ServerFigures.unavailable(url, "interrupted");
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return ServerFigures.unavailable(url, cause.getMessage() != null ? cause.getMessage() : cause.toString());
        }
    }

    private CompletableFuture<Sample> scrape() {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(TIMEOUT);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        long at = System.nanoTime();
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            if (r.statusCode() != 200) {
                throw new IllegalStateException("it answered " + r.statusCode());
            }
            Map<String, Double> values = parse(r.body());
            if (values.isEmpty()) {
                throw new IllegalStateException("it answered no Prometheus metrics");
            }
            return new Sample(at, values);
        });
    }

    /**
     * Prometheus text read into each metric's value, summed over its label sets ({@code _max}
     * metrics: the largest); a histogram's buckets by their bound, as {@code name_bucket{le=0.001}}.
     * Comments, and lines that are not {@code name[{labels}] value}, are skipped.
     */
    static Map<String, Double> parse(String text) {
        Map<String, Double> values = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            int nameEnd = brace >= 0 ? brace : line.indexOf(' ');
            if (nameEnd <= 0 || space < nameEnd) {
                continue;
            }
            String name = line.substring(0, nameEnd);
            double value;
            try {
                value = Double.parseDouble(line.substring(space + 1).trim());
            } catch (NumberFormatException e) {
                continue;
            }
            if (name.endsWith("_bucket")) {
                Matcher le = LE.matcher(line.substring(nameEnd, space));
                name = le.find() ? name + "{le=" + le.group(1) + "}" : name;
            }
            values.merge(name, value, name.endsWith("_max") ? Math::max : Double::sum);
        }
        return values;
    }
}
