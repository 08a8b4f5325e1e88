package io.tickstream.support;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * JavaScript under {@code node} for tests: the scripts of {@code src/test/node} with the npm packages
 * their {@code package-lock.json} pins, installed into {@code target/node} by {@code npm ci} (from
 * the npm registry the first time, from npm's cache after), and a script run as a process that
 * speaks one JSON object a line on stdout and takes lines on stdin.
 */
public final class Node {

    private static final Path SOURCES = Path.of("src/test/node");
    private static final Path DIR = Path.of("target/node");
    private static final int MIN_MAJOR = 18;

    private Node() {
    }

    /**
     * {@code target/node}: {@code src/test/node}'s files and their {@code node_modules}, installed
     * with {@code npm ci} unless the same lock file was installed there already. Fails saying what is
     * missing when node or npm is not installed.
     */
    public static synchronized Path prepared() throws IOException, InterruptedException {
        String node = External.require("node");
        String npm = External.require("npm");
        String version = run(Path.of("."), DIR.resolve("node-version.log"), Duration.ofSeconds(30), node, "--version").trim();
        int major = Integer.parseInt(version.replaceAll("^v(\\d+).*", "$1"));
        if (major < MIN_MAJOR) {
            throw new AssertionError("node " + version + " is too old: the tests need node " + MIN_MAJOR + " or later");
        }
        Files.createDirectories(DIR);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(SOURCES, Files::isRegularFile)) {
            for (Path f : files) {
                Files.copy(f, DIR.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path lock = DIR.resolve("package-lock.json");
        Path installed = DIR.resolve("node_modules/.installed-lock.json");
        if (!Files.exists(installed) || Files.mismatch(lock, installed) != -1) {
            run(DIR, DIR.resolve("npm-ci.log"), Duration.ofSeconds(180), npm, "ci", "--no-audit", "--no-fund",
                    "--update-notifier=false");
            Files.copy(lock, installed, StandardCopyOption.REPLACE_EXISTING);
        }
        return DIR;
    }

    /** Starts {@code node SCRIPT ARGS...} in {@link #prepared()}'s directory; its stderr goes to {@code log}. */
    public static Script start(Path log, String script, String... args) throws IOException, InterruptedException {
        Path dir = prepared();
        List<String> command = new ArrayList<>(List.of(External.require("node"), script));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(log.toFile()).start();
        return new Script(p, log);
    }

    /**
     * A running script: its stdout lines as JSON objects (each with an {@code event}), in order; a
     * line {@code {"event":"failed","why":...}} or an exit fails whoever waits.
     */
    public static final class Script implements AutoCloseable {
        private final Process process;
        private final Path log;
        private final BlockingQueue<JsonObject> lines = new LinkedBlockingQueue<>();
        private final List<JsonObject> seen = new ArrayList<>();
        private final OutputStream stdin;

        Script(Process process, Path log) {
            this.process = process;
            this.log = log;
            this.stdin = process.getOutputStream();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        try {
                            lines.add(new JsonObject(line));
                        } catch (DecodeException e) {
                            lines.add(new JsonObject().put("event", "output").put("line", line));
                        }
                    }
                } catch (IOException e) {
                    // the process is gone
                }
            }, "node-script-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits for the next line whose event is {@code event} (earlier lines are kept in {@link #seen()}). */
        public JsonObject await(String event, Duration timeout) throws Exception {
            long end = System.nanoTime() + timeout.toNanos();
            while (true) {
                JsonObject line = lines.poll(Math.min(200, Math.max(1, (end - System.nanoTime()) / 1_000_000)),
                        TimeUnit.MILLISECONDS);
                if (line != null) {
                    seen.add(line);
                    if ("failed".equals(line.getString("event"))) {
                        throw new AssertionError("the node script failed: " + line.getString("why") + "\n" + stderr());
                    }
                    if (event.equals(line.getString("event"))) {
                        return line;
                    }
                } else if (!process.isAlive() && lines.isEmpty()) {
                    throw new AssertionError("the node script exited " + process.exitValue() + " before '" + event
                            + "'; its lines: " + seen + "\n" + stderr());
                } else if (System.nanoTime() > end) {
                    throw new AssertionError("no '" + event + "' from the node script in " + timeout + "; its lines: "
                            + seen + "\n" + stderr());
                }
            }
        }

        /** Every line taken so far by {@link #await}. */
        public List<JsonObject> seen() {
            return seen;
        }

        /** Writes one line to the script's stdin. */
        public void send(JsonObject line) throws IOException {
            stdin.write((line.encode() + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }

        /** Waits for the script to exit; its exit code. */
        public int awaitExit(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the node script did not exit in " + timeout);
            }
            return process.exitValue();
        }

        private String stderr() {
            try {
                return "stderr:\n" + Files.readString(log);
            } catch (IOException e) {
                return "(no stderr: " + e + ")";
            }
        }

        /** Stops the script (SIGTERM, then SIGKILL) if it still runs. */
        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** Runs a command in {@code dir} to completion; its output, or a failure with it. */
    private static String run(Path dir, Path log, Duration timeout, String... command)
            throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", command) + " did not finish in " + timeout + ":\n"
                    + Files.readString(log));
        }
        String out = Files.readString(log);
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " (in " + dir + ") exited " + p.exitValue() + ":\n" + out);
        }
        return out;
    }
}
