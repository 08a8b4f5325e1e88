package io.tickstream;

import io.tickstream.auth.TokenAuthority;
import io.tickstream.config.Config;
import io.tickstream.config.PublisherConfig;
import io.tickstream.config.ServerConfig;
import io.tickstream.config.SettingOptions;
import io.tickstream.config.Settings;
import io.tickstream.config.SimulatorConfig;
import io.tickstream.feed.FeedQueue;
import io.tickstream.feed.TopicPattern;
import io.tickstream.http.EventLoops;
import io.tickstream.loadtest.ComparePage;
import io.tickstream.loadtest.LoadTest;
import io.tickstream.loadtest.LoadTestSettings;
import io.tickstream.loadtest.Report;
import io.tickstream.simulator.Scenario;
import io.tickstream.simulator.Simulator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/** The {@code tickstream} command line: one jar, a subcommand per process role. */
@Command(name = "tickstream", mixinStandardHelpOptions = true, version = "tickstream 0.1",
        description = "Live market-data streaming: a feed simulator and a WebSocket fan-out server.",
        subcommands = {Main.Simulate.class, Main.Server.class, PublishCommand.class, Main.LoadTestCommand.class, Main.Token.class,
            WsClientCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Libraries' loggers held so that the levels set on them stay set (JUL keeps loggers only weakly). */
    private static final Logger CHRONICLE = Logger.getLogger("net.openhft");
    private static final Logger VERTX = Logger.getLogger("io.vertx");
    /**
     * Vert.x registers its HTTP server gauges once per verticle instance sharing the port; Micrometer
     * keeps the first and warns about the rest, which is expected here.
     */
    private static final Logger METER_REGISTRY = Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");

    public static void main(String[] args) {
        configureProcess();
        System.exit(new CommandLine(new Main()).execute(args));
    }

    /**
     * Process-wide settings that must precede any library's first use: Chronicle's usage analytics
     * off (it would try to reach an outside host) and one-line log records.
     */
    static void configureProcess() {
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format",
                    "%1$tF %1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        }
        CHRONICLE.setLevel(Level.WARNING);
        VERTX.setLevel(Level.WARNING);
        METER_REGISTRY.setLevel(Level.SEVERE);
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** Gives each command an option for each of its settings, found by the command's name. */
    static final class SettingsOptions implements IModelTransformer {
        private static final Map<String, Settings<?>> BY_COMMAND = Map.of("simulate", SimulatorConfig.SETTINGS,
                "server", ServerConfig.SETTINGS, "loadtest", LoadTestSettings.SETTINGS, "publish", PublisherConfig.SETTINGS);

        @Override
        public CommandSpec transform(CommandSpec spec) {
            return SettingOptions.addTo(spec, BY_COMMAND.get(spec.name()));
        }
    }

    /**
     * A command whose options are its settings (see {@link SettingsOptions}): it reads them, runs
     * with them, and reports what stops it on standard error after its name ({@code server: ...}).
     */
    abstract static class SettingsCommand<C extends Config<C>> implements Callable<Integer> {

        private final Settings<C> settings;

        @Spec
        CommandSpec spec;

        SettingsCommand(Settings<C> settings) {
            this.settings = settings;
        }

        @Override
        public final Integer call() throws Exception {
            return run(SettingOptions.read(spec, settings));
        }

        /** Runs the command with its settings; returns the exit code. */
        abstract int run(C config) throws Exception;

        /** Prints {@code NAME: message} on standard error. */
        void error(String message) {
            spec.commandLine().getErr().println(spec.name() + ": " + message);
        }

        /** Prints {@code NAME: message} on standard error and returns {@code exitCode}. */
        int fail(int exitCode, String message) {
            error(message);
            return exitCode;
        }
    }

    @Command(name = "simulate", mixinStandardHelpOptions = true, modelTransformer = SettingsOptions.class,
            description = "Write simulated stock ticks and football scores to a Chronicle Queue.")
    static final class Simulate extends SettingsCommand<SimulatorConfig> {

        Simulate() {
            super(SimulatorConfig.SETTINGS);
        }

        @Override
        int run(SimulatorConfig config) {
            Simulator simulator;
            try {
                simulator = new Simulator(config, System.out);
            } catch (Simulator.SetupException | Scenario.ScenarioException e) {
                return fail(1, e.getMessage());
            }
            CountDownLatch done = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                simulator.stop();
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "simulator-shutdown"));
            System.out.printf("simulator: writing to %s at %.0f msgs/s (seed %d)%n",
                    config.get(SimulatorConfig.QUEUE).toAbsolutePath(), config.get(SimulatorConfig.RATE),
                    config.get(SimulatorConfig.SEED));
            try {
                long n = simulator.run();
                System.out.printf("simulator: stopped after %d messages, last seq %d%n", n, simulator.lastSeq());
                return 0;
            } catch (Simulator.WriteException e) {
                error(e.getMessage());
                System.out.printf("simulator: stopped after %d messages, last seq %d%n", simulator.written(),
                        simulator.lastSeq());
                return 3;
            } finally {
                done.countDown();
            }
        }
    }

    @Command(name = "server", mixinStandardHelpOptions = true, modelTransformer = SettingsOptions.class,
            description = "Tail a Chronicle Queue and fan it out to WebSocket subscribers.")
    static final class Server extends SettingsCommand<ServerConfig> {

        Server() {
            super(ServerConfig.SETTINGS);
        }

        @Override
        int run(ServerConfig config) throws Exception {
            ServerMain server;
            try {
                server = ServerMain.start(config);
            } catch (FeedQueue.UnusableQueueException e) {
                // the operator's problem, said in full by the message: no stack trace (FINE logs it)
                Logger.getLogger(Main.class.getName()).log(Level.FINE, "queue refused", e);
                for (String line : e.getMessage().split("\n")) {
                    error(line);
                }
                return 2;
            } catch (TokenAuthority.SecretFileException | EventLoops.TransportException e) {
                return fail(1, "cannot start: " + e.getMessage());
            } catch (Exception e) {
                return fail(1, "cannot start: " + e);
            }
            // SIGTERM (and Ctrl-C's SIGINT) start the graceful stop: drain, close, exit 0. Handled as
            // signals rather than in a shutdown hook, which would make the exit code 143.
            CountDownLatch stop = new CountDownLatch(1);
            for (String signal : new String[] {"TERM", "INT"}) {
                Signal.handle(new Signal(signal), s -> stop.countDown());
            }
            String listen = config.get(ServerConfig.HOST);
            String host = listen.equals("0.0.0.0") ? "localhost" : listen;
            System.out.printf("server: tailing %s from its %s; listening on http://%s:%d/ "
                            + "(WebSocket ws://%s:%d/ws, metrics /metrics)%s%n",
                    config.get(ServerConfig.QUEUE).toAbsolutePath(),
                    config.get(ServerConfig.FROM_START) ? "start" : "end", host, server.port(), host, server.port(),
                    config.get(ServerConfig.AUTH_SECRET_FILE) == null ? ""
                            : "; auth on: WebSockets need a token (see the token command)");
            stop.await();
            System.out.println("server: stopping: draining connections (up to " + config.get(ServerConfig.DRAIN_MS)
                    + " ms)");
            server.drain();
            server.close();
            System.out.println("server: stopped");
            return 0;
        }
    }

    @Command(name = "loadtest", mixinStandardHelpOptions = true, modelTransformer = SettingsOptions.class,
            description = "Open many WebSocket subscribers against a server and report latency, throughput, "
                    + "gaps and disconnects. Exits 1 when healthy readers saw a gap or a reorder. "
                    + "With --compare A.json B.json, compare two reports instead.")
    static final class LoadTestCommand extends SettingsCommand<LoadTestSettings> {

        LoadTestCommand() {
            super(LoadTestSettings.SETTINGS);
        }

        @Override
        int run(LoadTestSettings settings) throws Exception {
            LoadTest.Config config = settings.toConfig();
            List<String> compare = settings.get(LoadTestSettings.COMPARE);
            if (!compare.isEmpty()) {
                try {
                    Path page = ComparePage.write(Path.of(compare.get(0)), Path.of(compare.get(1)), config.out());
                    System.out.println("comparison: " + page);
                    return 0;
                } catch (IOException | IllegalArgumentException e) {
                    return fail(2, e.getMessage());
                }
            }
            Report report;
            try {
                report = new LoadTest(config, System.out).run();
            } catch (IOException | IllegalStateException e) {
                return fail(2, e.getMessage());
            }
            report.print(System.out);
            report.write();
            System.out.printf("reports: %s.json and %s.html%n", config.out().resolve(config.name()),
                    config.out().resolve(config.name()));
            return report.healthy() ? 0 : 1;
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = "Mint an access token (an HS256 JWT) for a server started with --auth-secret-file, "
                    + "and print it. Pass it as Authorization: Bearer TOKEN or as ws://HOST/ws?token=TOKEN.")
    static final class Token implements Callable<Integer> {

        @Option(names = "--secret-file", paramLabel = "FILE",
                defaultValue = "${env:TICKSTREAM_AUTH_SECRET_FILE}",
                description = "The server's secret, readable by its owner only (chmod 600) "
                        + "(env TICKSTREAM_AUTH_SECRET_FILE).")
        Path secretFile;

        @Option(names = "--topics", paramLabel = "LIST", split = ",",
                defaultValue = "stocks.*,sports.>",
                description = "Topic patterns the holder may subscribe within (default ${DEFAULT-VALUE}).")
        List<String> topics;

        @Option(names = "--ttl", paramLabel = "SECONDS", defaultValue = "3600",
                description = "How long the token is valid (default ${DEFAULT-VALUE}).")
        long ttlSeconds;

        @Option(names = "--subject", paramLabel = "NAME", defaultValue = "",
                description = "Who the token is for, for logs (default none).")
        String subject;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (secretFile == null) {
                throw new ParameterException(spec.commandLine(),
                        "--secret-file (or TICKSTREAM_AUTH_SECRET_FILE) is required");
            }
            if (ttlSeconds < 1) {
                throw new ParameterException(spec.commandLine(), "--ttl must be at least 1 second");
            }
            List<TopicPattern> patterns = new ArrayList<>();
            for (String t : topics) {
                try {
                    patterns.add(TopicPattern.parse(t.trim()));
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "--topics: " + e.getMessage());
                }
            }
            try {
                spec.commandLine().getOut().println(TokenAuthority.fromSecretFile(secretFile)
                        .mint(subject, patterns, ttlSeconds));
                return 0;
            } catch (IOException e) {
                spec.commandLine().getErr().println("token: " + e.getMessage());
                return 2;
            }
        }
    }
}
