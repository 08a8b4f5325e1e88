package io.tickstream.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which peers may tell the server the client's address: only a connection from one of these
 * addresses or CIDR ranges has its {@code X-Real-IP} / {@code X-Forwarded-For} believed; anyone
 * else could put anything there. Immutable and thread-safe.
 */
public final class TrustedProxies {

    private record Range(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Range> ranges;

    private TrustedProxies(List<Range> ranges) {
        this.ranges = ranges;
    }

    /**
     * Parses addresses and CIDR ranges, e.g. {@code 127.0.0.1}, {@code 10.0.0.0/8}, {@code ::1}.
     *
     * @throws IllegalArgumentException for anything that is not a literal address or range
     */
    public static TrustedProxies parse(List<String> entries) {
        List<Range> ranges = new ArrayList<>();
        for (String entry : entries) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int slash = e.indexOf('/');
            byte[] address = literal(slash < 0 ? e : e.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("not an IP address or CIDR range: " + entry);
            }
            int prefix = address.length * 8;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(e.substring(slash + 1));
                } catch (NumberFormatException ex) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > address.length * 8) {
                    throw new IllegalArgumentException("bad prefix length in " + entry);
                }
            }
            ranges.add(new Range(address, prefix));
        }
        return new TrustedProxies(List.copyOf(ranges));
    }

    public boolean trusts(String ip) {
        byte[] a = literal(ip);
        return a != null && ranges.stream().anyMatch(r -> r.contains(a));
    }

    /**
     * The client's address: the TCP peer's, unless the peer is a trusted proxy; then
     * {@code X-Real-IP} if given, else the right-most {@code X-Forwarded-For} entry that is not
     * itself a trusted proxy.
     */
    public String clientAddress(String peer, String xRealIp, String xForwardedFor) {
        if (peer == null || !trusts(peer)) {
            return peer;
        }
        if (xRealIp != null && literal(xRealIp.strip()) != null) {
            return xRealIp.strip();
        }
        if (xForwardedFor != null) {
            String[] hops = xForwardedFor.split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                String hop = hops[i].strip();
                if (literal(hop) != null && !trusts(hop)) {
                    return hop;
                }
            }
        }
        return peer;
    }

    /** The bytes of a literal IPv4 or IPv6 address, or null; never a DNS lookup. */
    private static byte[] literal(String s) {
        boolean ipv4 = s != null && s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = s != null && s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+");
        if (!ipv4 && !ipv6) {
            return null;
        }
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
