package io.tickstream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tickstream.loadtest.LoadTestSettings;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

class SettingsTest {

    private static <C extends Config<C>> C parse(Settings<C> settings, String... args) {
        CommandSpec spec = SettingOptions.addTo(CommandSpec.create(), settings);
        new CommandLine(spec).parseArgs(args);
        return SettingOptions.read(spec, settings);
    }

    private static void assumeNoTickstreamVariables() {
        assumeTrue(System.getenv().keySet().stream().noneMatch(k -> k.startsWith("TICKSTREAM_")),
                "a TICKSTREAM_ variable would change the command line's defaults");
    }

    @Test
    void shouldGiveTheCommandLineAndTheConfigTheSameDefaults() {
        assumeNoTickstreamVariables();
        assertEquals(ServerConfig.defaults(Path.of("data/queue")), parse(ServerConfig.SETTINGS));
        SimulatorConfig simulator = parse(SimulatorConfig.SETTINGS);
        assertEquals(SimulatorConfig.defaults(Path.of("data/queue")).with(SimulatorConfig.SEED,
                simulator.get(SimulatorConfig.SEED)), simulator);
        assertEquals(LoadTestSettings.SETTINGS.defaults(), parse(LoadTestSettings.SETTINGS));
    }

    @Test
    void shouldNameEachEnvironmentVariableAfterItsFlagUnlessNamed() {
        assertEquals("TICKSTREAM_HEARTBEAT_MS", ServerConfig.HEARTBEAT_MS.env());
        assertEquals("TICKSTREAM_MAX_INFLIGHT_BATCHES", ServerConfig.MAX_INFLIGHT_BATCHES.env());
        assertEquals("TICKSTREAM_BURST_EVERY", SimulatorConfig.BURST_EVERY.env());
        assertEquals("TICKSTREAM_LOADTEST_CLIENTS", LoadTestSettings.CLIENTS.env());
        assertEquals("TICKSTREAM_LOADTEST_ALL_STOCKS", LoadTestSettings.ALL_STOCKS_SHARE.env());
    }

    @Test
    void shouldRunOneEventLoopPerCoreAndAtLeastTwoWhenGivenZero() {
        int perCore = Math.max(2, Runtime.getRuntime().availableProcessors());
        assertEquals(perCore, ServerConfig.defaults(Path.of("q")).get(ServerConfig.EVENT_LOOPS));
        assertEquals(perCore, parse(ServerConfig.SETTINGS, "--event-loops", "0").get(ServerConfig.EVENT_LOOPS));
        assertEquals(3, parse(ServerConfig.SETTINGS, "--event-loops", "3").get(ServerConfig.EVENT_LOOPS));
    }

    @Test
    void shouldRefuseAValueOutOfRangeWithTheMessageTheCommandLineGives() {
        ServerConfig defaults = ServerConfig.defaults(Path.of("q"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> defaults.with(ServerConfig.PORT, 70_000));
        assertEquals("--port must be 0 to 65535", e.getMessage());
        ParameterException p = assertThrows(ParameterException.class,
                () -> parse(ServerConfig.SETTINGS, "--port", "70000"));
        assertEquals("--port must be 0 to 65535", p.getMessage());
    }

    @Test
    void shouldChangeACopyAndLeaveTheOriginalAsItWas() {
        ServerConfig defaults = ServerConfig.defaults(Path.of("q"));
        ServerConfig changed = defaults.with(ServerConfig.DRAIN_MS, 500).with(ServerConfig.HOST, "127.0.0.1");
        assertEquals(500L, changed.get(ServerConfig.DRAIN_MS));
        assertEquals("127.0.0.1", changed.get(ServerConfig.HOST));
        assertEquals(5_000L, defaults.get(ServerConfig.DRAIN_MS));
        assertEquals("0.0.0.0", defaults.get(ServerConfig.HOST));
        assertNotEquals(defaults, changed);
    }

    @Test
    void shouldRefuseASettingOfAnotherCommand() {
        ServerConfig config = ServerConfig.defaults(Path.of("q"));
        assertThrows(IllegalArgumentException.class, () -> config.get(SimulatorConfig.RATE));
        assertThrows(IllegalArgumentException.class, () -> config.with(SimulatorConfig.QUEUE, Path.of("q")));
    }

    @Test
    void shouldTrimTheEntriesOfAListAndDropEmptyOnes() {
        ServerConfig config = parse(ServerConfig.SETTINGS, "--allowed-origins", " https://a.example, ,",
                "--trusted-proxies", "");
        assertEquals(List.of("https://a.example"), config.get(ServerConfig.ALLOWED_ORIGINS));
        assertEquals(List.of(), config.get(ServerConfig.TRUSTED_PROXIES));
    }

    @Test
    void shouldCheckSettingsThatSpanSeveralOnlyWhenTheCommandLineIsRead() {
        ParameterException e = assertThrows(ParameterException.class,
                () -> parse(ServerConfig.SETTINGS, "--heartbeat-ms", "200", "--idle-timeout-ms", "100"));
        assertEquals("--idle-timeout-ms must be longer than --heartbeat-ms", e.getMessage());
        // a test may change them one at a time, passing through a combination the command line refuses
        ServerConfig config = ServerConfig.defaults(Path.of("q")).with(ServerConfig.HEARTBEAT_MS, 100_000)
                .with(ServerConfig.IDLE_TIMEOUT_MS, 200_000);
        assertEquals(200_000L, config.get(ServerConfig.IDLE_TIMEOUT_MS));
    }

    @Test
    void shouldLeaveASettingWithoutDefaultUnsetUnlessGiven() {
        assumeNoTickstreamVariables();
        assertNull(parse(ServerConfig.SETTINGS).get(ServerConfig.AUTH_SECRET_FILE));
        assertNull(parse(LoadTestSettings.SETTINGS).get(LoadTestSettings.TOKEN));
        assertEquals("secret", parse(LoadTestSettings.SETTINGS, "--token", "secret").get(LoadTestSettings.TOKEN));
    }
}
