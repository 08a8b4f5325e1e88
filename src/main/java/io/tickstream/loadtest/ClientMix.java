package io.tickstream.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The connections a run opens and what each subscribes to: the first {@code slowShare} of them
 * slow readers and the last {@code tracedClients} traced, each on {@code stocks.*} or on random
 * symbols, and on {@code sports.>} or on random matches, as the config's shares say. The same seed and topics give the same mix.
 * Stateless.
 */
final class ClientMix {

    private ClientMix() {
    }

    /**
     * One client per connection to open, in the order they are opened.
     *
     * @param symbols the server's stock topics ({@code stocks.X})
     * @param matches the server's other topics
     */
    static List<Client> clients(LoadTest.Config config, List<String> symbols, List<String> matches) {
        Random rnd = new Random(config.seed());
        int slowCount = (int) Math.round(config.clients() * config.slowShare());
        List<Client> clients = new ArrayList<>(config.clients());
        for (int i = 0; i < config.clients(); i++) {
            JsonObject subscribe = new JsonObject().put("op", "subscribe").put("id", "load")
                    .put("snapshot", true).put("topics", topics(config, rnd, symbols, matches));
            if (i >= config.clients() - config.tracedClients()) {
                subscribe.put("trace", true);
            }
            clients.add(new Client(i < slowCount ? Client.Kind.SLOW : Client.Kind.HEALTHY, subscribe));
        }
        return clients;
    }

    private static JsonArray topics(LoadTest.Config config, Random rnd, List<String> symbols, List<String> matches) {
        JsonArray topics = new JsonArray();
        if (rnd.nextDouble() < config.allStocksShare()) {
            topics.add("stocks.*");
        } else {
            pick(topics, rnd, symbols, config.symbolsPerClient());
        }
        if (rnd.nextDouble() < config.allSportsShare()) {
            topics.add("sports.>");
        } else {
            pick(topics, rnd, matches, config.matchesPerClient());
        }
        return topics;
    }

    /** Adds up to {@code count} random topics of {@code from}, each once (a repeated draw is dropped). */
    private static void pick(JsonArray topics, Random rnd, List<String> from, int count) {
        for (int k = 0; k < Math.min(count, from.size()); k++) {
            String t = from.get(rnd.nextInt(from.size()));
            if (!topics.contains(t)) {
                topics.add(t);
            }
        }
    }
}
