package io.tickstream.http;

import static io.tickstream.config.ServerConfig.EVENT_LOOPS;

import io.micrometer.core.instrument.MeterRegistry;
import io.tickstream.config.ServerConfig;
import io.tickstream.metrics.Meters;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.logging.Logger;

/**
 * The Vert.x instance the server's event loops run on: how many ({@code --event-loops}), on which of
 * Netty's network transports ({@code --transport}), with Vert.x's meters in the server's registry.
 * The transport is said in the log and in {@code /metrics} ({@code tickstream_network_transport}).
 *
 * <p>Why a native transport: it writes a direct buffer by its address, where NIO makes two
 * {@code java.nio.ByteBuffer} views of every buffer it writes, garbage paid per delivery (issue 16).
 */
public final class EventLoops {

    private static final Logger LOG = Logger.getLogger(EventLoops.class.getName());

    /** A transport asked for by name that cannot run here, with the reason. */
    public static final class TransportException extends RuntimeException {
        TransportException(String message) {
            super(message);
        }
    }

    private EventLoops() {
    }

    /** Starts the event loops on {@code transport} (see {@link #transport}). */
    public static Vertx start(ServerConfig config, Transport transport, MeterRegistry registry, Meters meters) {
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions().setEventLoopPoolSize(config.get(EVENT_LOOPS))
                        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .withTransport(transport)
                .build();
        meters.networkTransport(transport.name());
        LOG.info(config.get(EVENT_LOOPS) + " event loops on the " + transport.name() + " transport");
        return vertx;
    }

    /**
     * The transport {@code asked} ({@code --transport}) names; for {@code auto}, epoll, else io_uring,
     * else NIO.
     *
     * @throws TransportException when it names a transport that does not load here
     */
    public static Transport transport(String asked) {
        switch (asked) {
            case "nio":
                return Transport.NIO;
            case "epoll":
                return loaded("epoll", Transport.EPOLL);
            case "io_uring":
                return loaded("io_uring", Transport.IO_URING);
            default:
                Transport native0 = Transport.nativeTransport();
                if (native0 != null && native0.available()) {
                    return native0;
                }
                LOG.info("no native transport loads here (" + (native0 == null ? "not Linux"
                        : native0.unavailabilityCause()) + "): the event loops use NIO");
                return Transport.NIO;
        }
    }

    static Transport loaded(String name, Transport transport) {
        if (transport == null || !transport.available()) {
            throw new TransportException("--transport " + name + " does not load here ("
                    + (transport == null ? "its classes are missing" : transport.unavailabilityCause())
                    + "): use --transport auto or nio");
        }
        return transport;
    }
}
