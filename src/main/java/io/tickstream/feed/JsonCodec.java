package io.tickstream.feed;

/**
 * Encodes feed messages as the protocol's {@code tick} and {@code score} JSON objects.
 *
 * <p>Not thread-safe (it reuses one {@link JsonWriter}): one instance per encoding thread.
 */
public final class JsonCodec {

    private final JsonWriter w = new JsonWriter(512);

    /** The message's JSON object, as UTF-8 bytes. */
    public byte[] encode(long seq, FeedMessage message) {
        w.reset().beginObject().field("type", message.kind().wireName()).field("topic", message.topic())
                .field("seq", seq).field("ts", message.ts());
        if (message instanceof Tick t) {
            w.field("symbol", t.symbol()).field("bid", t.bid()).field("ask", t.ask())
                    .field("last", t.last()).field("size", t.size()).field("volume", t.volume());
        } else if (message instanceof Score s) {
            w.field("sport", s.sport()).field("match", s.match()).field("home", s.home())
                    .field("away", s.away()).field("homeScore", s.homeScore())
                    .field("awayScore", s.awayScore()).field("clock", s.clock())
                    .field("status", s.status().wireName());
            ScoreEvent e = s.event();
            if (e != null) {
                // an event of a record written before ids (versions 1 and 2) is named by its record's
                // seq: as stable and unique as an id, and never of the simulator's "<run>-<n>" form
                w.key("event").beginObject().field("id", e.id() != null ? e.id() : Long.toString(seq))
                        .field("kind", e.kind().wireName()).field("minute", e.minute());
                if (e.team() != null) {
                    w.field("team", e.team().wireName());
                }
                if (e.player() != null) {
                    w.field("player", e.player());
                }
                if (e.detail() != null && e.kind().detailKey() != null) {
                    w.field(e.kind().detailKey(), e.detail());
                }
                if (e.retracts() != null) {
                    w.field("retracts", e.retracts()).field("reason", e.reason());
                }
                w.endObject();
            }
        }
        return w.endObject().toBytes();
    }
}
