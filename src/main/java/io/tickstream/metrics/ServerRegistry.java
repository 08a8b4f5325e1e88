package io.tickstream.metrics;

import com.sun.management.ThreadMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;

/**
 * The server's registry, scraped at {@code /metrics}, with the JVM's and the process's meters bound;
 * the server's own are {@link Meters}'. Stateless.
 */
public final class ServerRegistry {

    private ServerRegistry() {
    }

    /** A new registry with the JVM's and the process's meters. */
    public static PrometheusMeterRegistry create() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        allocatedBytes(registry);
        return registry;
    }

    /**
     * {@code jvm_allocated_bytes_total}: the heap bytes every thread has allocated, read from the JVM at
     * scrape time. Unlike {@code jvm_gc_memory_allocated_bytes_total}, which moves only at a collection
     * (a window with one or two collections reads as a whole young generation or nothing), it counts to
     * the byte: the allocation per delivery of issue 16 over a window of seconds. Absent where the JVM
     * does not measure it.
     */
    private static void allocatedBytes(MeterRegistry registry) {
        if (ManagementFactory.getThreadMXBean() instanceof ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            try {
                threads.getTotalThreadAllocatedBytes();
            } catch (UnsupportedOperationException e) {
                return;   // a JVM that measures threads one by one only
            }
            FunctionCounter.builder("jvm_allocated_bytes", threads, ThreadMXBean::getTotalThreadAllocatedBytes)
                    .description("Heap bytes allocated by all threads since the JVM started").baseUnit("bytes")
                    .register(registry);
        }
    }
}
