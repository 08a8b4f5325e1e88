package io.tickstream.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tickstream.auth.Grant;
import io.tickstream.auth.InvalidTokenException;
import io.tickstream.fanout.Shard;
import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.JsonWriter;
import io.tickstream.feed.TopicPattern;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * The server's HTTP endpoints: {@code /health/live}, {@code /health/ready}, {@code /metrics},
 * {@code /api/topics}, the WebSocket endpoint (the {@link WebSocketAcceptor}'s) and the dashboard's
 * static files; one router per event loop.
 *
 * <p>Threading: immutable, shared by every event loop; a router's handlers run on its loop.
 */
public final class HttpRoutes {

    private final PrometheusMeterRegistry registry;
    private final Supplier<String> notReady;
    private final Admission admission;

    /**
     * @param notReady  why the server is not ready ({@code null} when it is), for {@code /health/ready}
     * @param admission who may read {@code /api/topics} (the WebSocket's rules), and from when
     */
    public HttpRoutes(PrometheusMeterRegistry registry, Supplier<String> notReady, Admission admission) {
        this.registry = registry;
        this.notReady = notReady;
        this.admission = admission;
    }

    /** The routes of one event loop, whose topics are those of {@code shard}. On that loop. */
    Router router(Vertx vertx, Shard shard, WebSocketAcceptor acceptor) {
        Router router = Router.router(vertx);
        router.get("/health/live").handler(ctx -> ctx.response().putHeader("content-type", "application/json")
                .end("{\"status\":\"live\"}"));
        router.get("/health/ready").handler(this::ready);
        router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
        router.get("/api/topics").handler(ctx -> topics(ctx, shard, acceptor));
        acceptor.route(router);
        router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
        return router;
    }

    private void ready(RoutingContext ctx) {
        String why = notReady.get();
        ctx.response().setStatusCode(why == null ? 200 : 503).putHeader("content-type", "application/json")
                .end(new JsonObject().put("status", why == null ? "ready" : why).encode());
    }

    /**
     * The known topics with their latest message; with auth on, those the token allows, and 401
     * without one. {@code 503 starting} until the shards are seeded (the list would be incomplete).
     */
    private void topics(RoutingContext ctx, Shard shard, WebSocketAcceptor acceptor) {
        if (!admission.isOpen()) {
            ctx.response().setStatusCode(Admission.STARTING.status()).putHeader("content-type", "application/json")
                    .end(Admission.STARTING.json());
            return;
        }
        Grant grant;
        try {
            grant = admission.authorize(ctx.request().getHeader("Authorization"), ctx.request().getParam("token"));
        } catch (InvalidTokenException e) {
            String address = ctx.request().remoteAddress() == null ? "?" : ctx.request().remoteAddress().hostAddress();
            acceptor.refuse(ctx, address, new Admission.Refusal(401, e.getMessage()));
            return;
        }
        List<EncodedMessage> latest = new ArrayList<>(shard.latest());
        if (grant != null) {
            latest.removeIf(m -> !grant.allows(TopicPattern.parse(m.topic())));
        }
        latest.sort(Comparator.comparing(EncodedMessage::topic));
        JsonWriter w = new JsonWriter(256 * latest.size() + 16).beginArray();
        for (EncodedMessage m : latest) {
            w.beginObject().field("topic", m.topic()).key("latest").raw(m.json()).endObject();
        }
        ctx.response().putHeader("content-type", "application/json").end(w.endArray().toString());
    }
}
