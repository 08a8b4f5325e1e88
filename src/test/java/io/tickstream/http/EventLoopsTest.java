package io.tickstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.transport.Transport;
import org.junit.jupiter.api.Test;

/** Which network transport --transport gives, and the operator's answer when it cannot load. */
class EventLoopsTest {

    @Test
    void nioIsAlwaysThereAndAutoGivesOneThatLoads() {
        assertSame(Transport.NIO, EventLoops.transport("nio"));
        Transport auto = EventLoops.transport("auto");
        assertTrue(auto.available(), auto.name());
    }

    @Test
    void aTransportThatDoesNotLoadIsRefusedWithTheFlagAndTheWayOut() {
        EventLoops.TransportException e = assertThrows(EventLoops.TransportException.class,
                () -> EventLoops.loaded("io_uring", null));
        assertEquals("--transport io_uring does not load here (its classes are missing): use --transport auto or nio",
                e.getMessage());
    }
}
