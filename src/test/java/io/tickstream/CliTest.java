package io.tickstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.auth.Grant;
import io.tickstream.auth.TokenAuthority;
import io.tickstream.feed.TopicPattern;
import io.tickstream.support.AppProcess;
import io.tickstream.support.External;
import io.tickstream.support.Fixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {

    @TempDir
    Path dir;

    private record Result(int exit, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void shouldPrintHelpForEverySubcommand() {
        for (String sub : new String[] {"simulate", "server", "publish"}) {
            Result r = run(sub, "--help");
            assertEquals(0, r.exit());
            assertTrue(r.out().contains("--queue=DIR"), r.out());
            assertTrue(r.out().contains("TICKSTREAM_QUEUE"), "env variable documented");
        }
        assertTrue(run("--help").out().contains("simulate"));
    }

    @Test
    void shouldRejectABadFlagWithUsage() {
        Result r = run("server", "--port", "eighty");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("Invalid value for option '--port'"), r.err());
        Result range = run("server", "--port", "70000");
        assertEquals(2, range.exit());
        assertTrue(range.err().contains("--port must be 0 to 65535"), range.err());
        Result rate = run("simulate", "--rate", "0");
        assertEquals(2, rate.exit());
        assertTrue(rate.err().contains("--rate must be a positive number"), rate.err());
        Result listen = run("publish", "--listen", "9400");
        assertEquals(2, listen.exit());
        assertTrue(listen.err().contains("--listen must be HOST:PORT with a port 1 to 65534"), listen.err());
        Result upstream = run("server", "--upstream", "feed:65535");
        assertEquals(2, upstream.exit());
        assertTrue(upstream.err().contains("--upstream must be HOST:PORT with a port 1 to 65534"), upstream.err());
        Result idle = run("server", "--aeron-idle-ms", "0");
        assertEquals(2, idle.exit());
        assertTrue(idle.err().contains("--aeron-idle-ms must be 0.01 to 100"), idle.err());
        Result transport = run("server", "--transport", "netmap");
        assertEquals(2, transport.exit());
        assertTrue(transport.err().contains("--transport must be auto, epoll, io_uring or nio"), transport.err());
        Result retain = run("server", "--retain-cycles", "3");
        assertEquals(2, retain.exit());
        assertTrue(retain.err().contains("--retain-cycles applies to an edge's replica (with --upstream)"), retain.err());
        Result unknown = run("simulate", "--bogus");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("Unknown option: '--bogus'"), unknown.err());
    }

    @Test
    void shouldFailClearlyOnAnUnwritableQueueDirectory() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        Result r = run("simulate", "--queue", file.resolve("q").toString(), "--count", "1");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("simulate: cannot create queue directory " + file.resolve("q")), r.err());
    }

    @Test
    void shouldFailClearlyOnAnUnreadableScenarioFile() {
        Result r = run("simulate", "--queue", dir.resolve("q").toString(), "--symbols",
                dir.resolve("missing.csv").toString(), "--count", "1");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("simulate: cannot read " + dir.resolve("missing.csv")), r.err());
    }

    @Test
    void shouldWriteTheRequestedCountAndStop() {
        Result r = run("simulate", "--queue", dir.resolve("q").toString(), "--count", "500", "--rate", "50000",
                "--seed", "1", "--stats-every", "0");
        assertEquals(0, r.exit());
        assertEquals(500, Fixture.readQueue(dir.resolve("q")).size());
    }

    @Test
    void shouldMintATokenTheServerAcceptsAndRefuseBadArguments() throws Exception {
        Path secret = Fixture.writeSecret(dir.resolve("secret"), "s3cret-".repeat(6) + "\n");
        Result r = run("token", "--secret-file", secret.toString(), "--topics", "stocks.AAPL,sports.>", "--ttl", "60",
                "--subject", "alice");
        assertEquals(0, r.exit(), r.err());
        Grant grant = TokenAuthority.fromSecretFile(secret).verify(r.out().trim());
        assertEquals("alice", grant.subject());
        assertEquals(List.of("stocks.AAPL", "sports.>"),
                grant.topics().stream().map(TopicPattern::text).toList());
        assertTrue(grant.expiresAt() <= System.currentTimeMillis() / 1000 + 60);

        assertEquals(2, run("token", "--secret-file", secret.toString(), "--topics", "bonds.X").exit(),
                "a malformed pattern is a usage error");
        assertEquals(2, run("token", "--secret-file", secret.toString(), "--ttl", "0").exit());
        Path shortSecret = Fixture.writeSecret(dir.resolve("short"), "too-short");
        Result weak = run("token", "--secret-file", shortSecret.toString());
        assertEquals(2, weak.exit());
        assertTrue(weak.err().contains("at least 32 bytes"), weak.err());
        assertTrue(run("server", "--help").out().contains("TICKSTREAM_AUTH_SECRET_FILE"));
    }

    /** As ssh refuses a private key others can read: one line with the file, its mode and the fix. */
    @Test
    void shouldRefuseASecretFileThatGroupOrOthersCanAccess() throws Exception {
        Path secret = Fixture.writeSecret(dir.resolve("secret"), "s3cret-".repeat(6));
        Map<String, String> modes = Map.of("rw-r--r--", "0644", "rw-r-----", "0640", "rw----r--", "0604",
                "rw--w----", "0620", "rw------x", "0601");
        for (var mode : modes.entrySet()) {
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString(mode.getKey()));
            String octal = mode.getValue();
            Result r = run("token", "--secret-file", secret.toString());
            assertEquals(2, r.exit(), octal);
            assertEquals("token: " + secret + ": mode " + octal + " gives group or others access to the secret; "
                    + "make it private: chmod 600 " + secret, r.err().strip());
            assertEquals("", r.out());
        }
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("r--------"));
        assertEquals(0, run("token", "--secret-file", secret.toString()).exit(), "0400 is private too");

        // the server, as an operator starts it: exits at once with the same line, no stack trace
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        External.Running server = AppProcess.start(dir.resolve("server.log"), "server", "--queue",
                dir.resolve("queue").toString(), "--port", "0", "--host", "127.0.0.1",
                "--auth-secret-file", secret.toString());
        try {
            assertTrue(server.process().waitFor(30, TimeUnit.SECONDS), "the server refuses to start");
            assertEquals(1, server.process().exitValue(), server.output());
            assertEquals("server: cannot start: " + secret + ": mode 0644 gives group or others access to the "
                    + "secret; make it private: chmod 600 " + secret, server.output().strip());
        } finally {
            server.close();
        }
    }
}
