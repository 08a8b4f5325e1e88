package io.tickstream.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tickstream.config.SimulatorConfig;
import io.tickstream.support.Fixture;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioTest {

    @TempDir
    Path dir;

    @Test
    void shouldShipAUniverseOfAtLeastAHundredSymbolsAndTenMatches() {
        Scenario s = Scenario.builtIn();
        assertTrue(s.symbols().size() >= 100);
        assertTrue(s.fixtures().size() >= 20);
        assertTrue(s.fixtures().stream().allMatch(f -> f.sport().equals("football")));
    }

    @Test
    void shouldNameFileAndLineOfAMalformedRow() throws Exception {
        Path symbols = dir.resolve("symbols.csv");
        Files.writeString(symbols, "symbol,price,volatility\nAAPL,190.1,0.001\nMSFT,abc,0.001\n");
        Scenario.ScenarioException e = assertThrows(Scenario.ScenarioException.class,
                () -> Scenario.load(symbols, null, null));
        assertEquals(symbols + ":3: expected symbol,price,volatility with a positive price", e.getMessage());
    }

    @Test
    void shouldSayWhichFileCannotBeRead() {
        Path missing = dir.resolve("nope.csv");
        Scenario.ScenarioException e = assertThrows(Scenario.ScenarioException.class,
                () -> Scenario.load(null, null, missing));
        assertTrue(e.getMessage().startsWith("cannot read " + missing), e.getMessage());
    }

    @Test
    void shouldRefuseAQueueDirectoryThatCannotBeCreated() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        SimulatorConfig config = Fixture.simulator(file.resolve("queue"), 100, 1)
                .with(SimulatorConfig.MATCHES, 1).with(SimulatorConfig.MATCH_MINUTE_MS, 100);
        Simulator.SetupException e = assertThrows(Simulator.SetupException.class,
                () -> new Simulator(config, new PrintStream(OutputStream.nullOutputStream())));
        assertTrue(e.getMessage().startsWith("cannot create queue directory " + file.resolve("queue")),
                e.getMessage());
    }
}
