package io.tickstream.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The server's /metrics read and turned into the report's figures, without a server. */
class ServerFiguresTest {

    private static final URI URL = URI.create("http://127.0.0.1:1/metrics");

    private static String scrape(double sentTick, double cpuNanos, double allocated, double pauses, double max,
                                 double... buckets) {
        return """
                # HELP tickstream_messages_sent_total Messages written to subscribers (one per subscriber)
                # TYPE tickstream_messages_sent_total counter
                tickstream_messages_sent_total{kind="score"} 100.0
                tickstream_messages_sent_total{kind="tick"} %s
                process_cpu_time_ns_total %s
                jvm_allocated_bytes_total %s
                jvm_gc_pause_seconds_count{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} %s
                jvm_gc_pause_seconds_count{action="end of minor GC",cause="Metadata GC Threshold",gc="G1 Young Generation"} 1
                jvm_gc_pause_seconds_max{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} %s
                jvm_gc_pause_seconds_max{action="end of minor GC",cause="Metadata GC Threshold",gc="G1 Young Generation"} 0.011
                tickstream_connections 300.0
                tickstream_delivery_latency_seconds_bucket{le="0.001"} %s
                tickstream_delivery_latency_seconds_bucket{le="0.005"} %s
                tickstream_delivery_latency_seconds_bucket{le="+Inf"} %s
                """.formatted(sentTick, cpuNanos, allocated, pauses, max, buckets[0], buckets[1], buckets[2]);
    }

    @Test
    void shouldSumLabelSetsAndKeepTheLargestMax() {
        Map<String, Double> v = MetricsScrape.parse(scrape(900, 4.86E9, 7.7E7, 2, 0.014, 5, 8, 9));
        assertEquals(1000.0, v.get("tickstream_messages_sent_total"));
        assertEquals(3.0, v.get("jvm_gc_pause_seconds_count"));
        assertEquals(0.014, v.get("jvm_gc_pause_seconds_max"));
        assertEquals(300.0, v.get("tickstream_connections"));
        assertEquals(8.0, v.get("tickstream_delivery_latency_seconds_bucket{le=0.005}"), "a bucket by its bound");
        assertNull(v.get("# HELP"));
    }

    @Test
    void shouldTurnTwoScrapesIntoRatesOverTheWindow() {
        MetricsScrape.Sample a = new MetricsScrape.Sample(0, MetricsScrape.parse(scrape(900, 1e9, 1e6, 2, 0.01, 100, 100, 100)));
        MetricsScrape.Sample b = new MetricsScrape.Sample(2_000_000_000L,
                MetricsScrape.parse(scrape(20_900, 3e9, 1e6 + 20_000 * 16, 5, 0.03,
                        100 + 900, 100 + 995, 100 + 1000)));
        JsonObject f = ServerFigures.between(URL, a, b);
        assertEquals(10_000.0, f.getDouble("messagesSentPerSecond"));
        assertEquals(1.0, f.getDouble("cpuCores"));
        assertEquals(16.0, f.getDouble("allocatedBytesPerDelivery"));
        assertEquals(3.0, f.getDouble("gcPauses"));
        assertEquals(30.0, f.getDouble("gcPauseMaxMs"));
        assertFalse(f.containsKey("slowConsumerCloses"), "not exposed, so not shown");
        // 1000 deliveries in the window: 900 within 1 ms, 995 within 5 ms, 5 beyond
        JsonObject latency = f.getJsonObject("deliveryLatencyMicros");
        assertEquals(1000.0, latency.getDouble("p50"));
        assertEquals(5000.0, latency.getDouble("p99"));
        assertNull(latency.getValue("p99.9"), "beyond the last bound: more than 10 s, no number");
        assertTrue(latency.containsKey("p99.9"));
    }

    @Test
    void shouldSayNotAvailableWhenTheServerHasNoMetrics() {
        JsonObject f = new MetricsScrape(URI.create("ws://127.0.0.1:1/ws"), null).end();
        assertFalse(f.getBoolean("available"));
        assertEquals("http://127.0.0.1:1/metrics", f.getString("url"));
    }
}
