package io.tickstream.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tickstream.feed.EncodedMessage;
import io.tickstream.feed.FeedMessage;
import io.tickstream.feed.MicroClock;
import org.junit.jupiter.api.Test;

/** Per-loop delivery counts reach the shared meters at flush, each live message's latency once. */
class DeliveryMetersTest {

    private static EncodedMessage message(long seq) {
        return new EncodedMessage("stocks.S" + seq, seq, MicroClock.nowMicros(), FeedMessage.Kind.TICK, true,
                new byte[] {'{', '}'}, 0);
    }

    @Test
    void shouldObserveEachLiveMessageOnceWhateverSubsetEachConnectionWrote() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Meters meters = new Meters(registry);
        DeliveryMeters delivery = new DeliveryMeters(meters);
        EncodedMessage m10 = message(10);
        EncodedMessage m11 = message(11);
        EncodedMessage m12 = message(12);
        // connection A holds 10 and 12, connection B holds 11, connection C all three
        for (EncodedMessage m : new EncodedMessage[] {m10, m12, m11, m10, m11, m12}) {
            delivery.writtenLive(m);
            delivery.sent(m.kind(), 1);
        }
        delivery.frame(100);
        delivery.frame(50);
        assertEquals(0, registry.get("tickstream_delivery_latency").timer().count(), "nothing before the flush");
        delivery.flush();
        assertEquals(3, registry.get("tickstream_delivery_latency").timer().count());
        assertEquals(6, meters.messagesSent(FeedMessage.Kind.TICK).count());
        assertEquals(2, meters.framesSent().count());
        assertEquals(150, meters.bytesSent().count());
        delivery.flush();
        assertEquals(3, registry.get("tickstream_delivery_latency").timer().count(), "a flush counts once");
    }
}
