package io.tickstream.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * Hosts of a test network on this machine, one Linux network namespace each: {@code lo} and an
 * {@code eth0} whose other end is a port of a bridge in a namespace of its own (the LAN), addresses
 * in one private /24. Nothing links them to the machine's own network, so the hosts reach only each
 * other, and a host's {@code lo} is its own: what one host sends another crosses the LAN. The bridge
 * has the address {@code .254}, from which {@link #fromLan} runs commands (a client outside the hosts).
 *
 * <p>Needs root and {@code ip netns}: {@link #create} skips the test (a JUnit assumption) saying which
 * is missing. {@link #close()} deletes the namespaces it made, and with them every link; a shutdown
 * hook does the same if the JVM ends first. Owned by the test thread.
 */
public final class NetNamespaces implements AutoCloseable {

    /** One host: its namespace and its address on the LAN. Immutable. */
    public record Host(String name, String namespace, String address) {

        /** {@code command} as run inside this host: {@code ip netns exec NAMESPACE command...}. */
        public List<String> exec(String... command) {
            List<String> all = new ArrayList<>(List.of(ip(), "netns", "exec", namespace));
            all.addAll(List.of(command));
            return all;
        }
    }

    /** Packets and bytes an interface received, as its counters stood. */
    public record Received(long packets, long bytes) {
    }

    private static final String IP_NOT_FOUND = "";

    private final String lan;
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private final List<String> created = new ArrayList<>();
    private final Thread cleanup = new Thread(this::deleteAll, "netns-cleanup");

    private NetNamespaces(String prefix) {
        this.lan = prefix + "-lan";
    }

    /**
     * Creates {@code hostNames.length} hosts named {@code PREFIX-NAME}, at {@code SUBNET.1}, {@code .2}, ...
     * in order, and the LAN between them ({@code PREFIX-lan}). Skips the test when this process is not
     * root or may not add a network namespace (tried, not guessed).
     *
     * @param prefix unique to this run (a PID), as namespaces are machine-wide
     * @param subnet the first three octets of a private /24, e.g. {@code 10.215.15}
     */
    public static NetNamespaces create(String prefix, String subnet, String... hostNames)
            throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/ns/net")),
                "no network namespaces on this system (Linux only)");
        Assumptions.assumeFalse(ip().equals(IP_NOT_FOUND), "no `ip` command (Debian: apt-get install iproute2)");
        String uid = run(List.of("id", "-u")).trim();
        Assumptions.assumeTrue(uid.equals("0"), "not root (uid " + uid + "): network namespaces need root");
        NetNamespaces net = new NetNamespaces(prefix);
        try {
            run(List.of(ip(), "netns", "add", net.lan));
        } catch (IOException e) {
            Assumptions.abort("cannot add a network namespace here: " + e.getMessage());
        }
        net.created.add(net.lan);
        Runtime.getRuntime().addShutdownHook(net.cleanup);
        boolean made = false;
        try {
            net.lan("link", "add", "br0", "type", "bridge");
            net.lan("addr", "add", subnet + ".254/24", "dev", "br0");
            net.lan("link", "set", "br0", "up");
            for (int i = 0; i < hostNames.length; i++) {
                net.addHost(prefix, hostNames[i], subnet + "." + (i + 1));
            }
            made = true;
            return net;
        } finally {
            if (!made) {
                net.close();
            }
        }
    }

    private void addHost(String prefix, String name, String address) throws IOException, InterruptedException {
        String namespace = prefix + "-" + name;
        run(List.of(ip(), "netns", "add", namespace));
        created.add(namespace);
        // the pair is made inside the LAN namespace, so no name is ever taken in the machine's own
        lan("link", "add", name, "type", "veth", "peer", "name", "eth0", "netns", namespace);
        lan("link", "set", name, "master", "br0", "up");
        run(List.of(ip(), "-n", namespace, "addr", "add", address + "/24", "dev", "eth0"));
        run(List.of(ip(), "-n", namespace, "link", "set", "eth0", "up"));
        run(List.of(ip(), "-n", namespace, "link", "set", "lo", "up"));
        hosts.put(name, new Host(name, namespace, address));
    }

    public Host host(String name) {
        Host h = hosts.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no host " + name + " in " + hosts.keySet());
        }
        return h;
    }

    /** {@code command} as run on the LAN, at {@code SUBNET.254}, outside every host. */
    public List<String> fromLan(String... command) {
        List<String> all = new ArrayList<>(List.of(ip(), "netns", "exec", lan));
        all.addAll(List.of(command));
        return all;
    }

    /** What the host's interface {@code device} ({@code lo} or {@code eth0}) has received so far. */
    public Received received(Host host, String device) throws IOException, InterruptedException {
        String json = run(List.of(ip(), "-n", host.namespace(), "-s", "-j", "link", "show", "dev", device));
        JsonObject rx = new JsonArray(json).getJsonObject(0).getJsonObject("stats64").getJsonObject("rx");
        return new Received(rx.getLong("packets"), rx.getLong("bytes"));
    }

    /**
     * Runs {@code command} to its end and returns its output (stdout and stderr); fails with the output
     * when it exits non-zero. For commands that end by themselves ({@code ip}, {@code curl --max-time}).
     */
    public static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out.strip());
        }
        return out;
    }

    /** Deletes every namespace made, and so every link and the bridge. */
    @Override
    public void close() {
        deleteAll();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    private synchronized void deleteAll() {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                run(List.of(ip(), "netns", "del", created.get(i)));
            } catch (IOException | InterruptedException e) {
                System.err.println("could not delete network namespace " + created.get(i) + ": " + e.getMessage());
            }
        }
        created.clear();
    }

    private void lan(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ip(), "-n", lan));
        command.addAll(List.of(args));
        run(command);
    }

    private static String ip() {
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
            Path p = Path.of(dir, "ip");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return IP_NOT_FOUND;
    }
}
