package io.tickstream.replication;

import io.aeron.archive.client.AeronArchive;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;

/**
 * The feed host's UDP address, {@code HOST:PORT}: {@code PORT} carries the live stream (the edges'
 * control endpoint of a multi-destination publication), {@code PORT + 1} the archive's control
 * channel, which edges catch up through. Immutable.
 */
public record Endpoint(String host, int port) {

    /** Parses {@code HOST:PORT} (checked by the settings: see {@code ReplicationSettings.isEndpoint}). */
    public static Endpoint parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new Endpoint(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** The live stream as the feed host publishes it: any number of edges join it by its control address. */
    String publication(String alias) {
        return "aeron:udp?control=" + host + ":" + port + "|control-mode=dynamic|term-length=" + Media.TERM_LENGTH
                + "|alias=" + alias;
    }

    /** The live stream as an edge subscribes to it: from any local port, through the feed host's control address. */
    String subscription() {
        return "aeron:udp?control=" + host + ":" + port;
    }

    /** Where the feed host's archive takes requests. */
    String archiveControl() {
        return "aeron:udp?endpoint=" + host + ":" + (port + 1);
    }

    /** A client of the feed host's archive whose answers come to {@code localAddress} (any free port). */
    AeronArchive.Context archiveClient(String localAddress) {
        return new AeronArchive.Context()
                .controlRequestChannel(archiveControl())
                .controlResponseChannel(Media.anyPort(localAddress));
    }

    /**
     * The local address the feed host can answer: the one the system routes toward it from. Nothing is
     * sent to find it.
     */
    String localAddressToward() {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(new InetSocketAddress(host, port));
            return socket.getLocalAddress().getHostAddress();
        } catch (IOException e) {
            throw new UncheckedIOException("no route to the upstream " + this, e);
        }
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
