package io.tickstream.support;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Real external programs for integration tests (nginx, prometheus, openssl), started and stopped by PID. */
public final class External {

    private External() {
    }

    /** The path of a program on PATH; fails with the fix when it is missing. */
    public static String require(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin"}) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new AssertionError(program + " is not installed: `make test` installs it (apt-get)");
    }

    /** Runs a command to completion and returns its output; fails on a non-zero exit. */
    public static String run(Path log, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        String out = Files.readString(log);
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + out);
        }
        return out;
    }

    /** A started program; {@link #close()} stops it (SIGTERM, then SIGKILL) and waits. */
    public record Running(Process process, Path log) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }

        public String output() throws IOException {
            return Files.readString(log);
        }
    }

    public static Running start(Path log, List<String> command) throws IOException {
        return new Running(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start(),
                log);
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A loopback UDP port whose next port is free as well: a feed host's --listen (PORT+1: its archive's control). */
    public static int freeUdpPortPair() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 60_000);
            try (DatagramSocket a = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                 DatagramSocket b = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                         port + 1))) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free pair of UDP ports");
    }

    /** Waits until something accepts connections on 127.0.0.1:port, or the program dies. */
    public static void awaitPort(Running program, int port, Duration timeout) throws Exception {
        Await.result(() -> {
            if (!program.process().isAlive()) {
                throw new AssertionError("exited " + program.process().exitValue() + ":\n" + program.output());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return Boolean.TRUE;
            }
        }, timeout, () -> "nothing listens on " + port + " after " + timeout + ":\n" + outputOf(program));
    }

    private static String outputOf(Running program) {
        try {
            return program.output();
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
