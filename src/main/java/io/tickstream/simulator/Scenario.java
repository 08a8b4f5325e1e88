package io.tickstream.simulator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The simulator's scenario: the symbol universe, the football teams and the fixtures, read from
 * CSV files (by default the copies under {@code simulator/} that ship inside the jar).
 *
 * @param symbols  the stock universe
 * @param teams    teams by code
 * @param fixtures matches to play, in order
 */
public record Scenario(List<Symbol> symbols, Map<String, Team> teams, List<Fixture> fixtures) {

    /** One stock: its ticker, start price and per-tick volatility (relative standard deviation). */
    public record Symbol(String symbol, double price, double volatility) {
    }

    /** A football team. */
    public record Team(String code, String name, List<String> players) {
    }

    /** A match to play; its id is {@code HOME-AWAY}. */
    public record Fixture(String sport, Team home, Team away) {
        public String matchId() {
            return home.code() + "-" + away.code();
        }
    }

    /** Thrown for an unreadable or malformed scenario file, with a message that names it. */
    public static final class ScenarioException extends RuntimeException {
        public ScenarioException(String message) {
            super(message);
        }
    }

    /**
     * Loads a scenario. A {@code null} path means the built-in file of that name.
     *
     * @throws ScenarioException when a file cannot be read or a line is malformed
     */
    public static Scenario load(Path symbolsFile, Path teamsFile, Path fixturesFile) {
        List<Symbol> symbols = new ArrayList<>();
        for (Line l : read(symbolsFile, "symbols.csv", 3)) {
            try {
                double price = Double.parseDouble(l.fields[1]);
                double vol = Double.parseDouble(l.fields[2]);
                if (!(price > 0) || !(vol >= 0) || l.fields[0].isEmpty()) {
                    throw new NumberFormatException();
                }
                symbols.add(new Symbol(l.fields[0], price, vol));
            } catch (NumberFormatException e) {
                throw l.error("expected symbol,price,volatility with a positive price");
            }
        }
        Map<String, Team> teams = new HashMap<>();
        for (Line l : read(teamsFile, "teams.csv", 3)) {
            teams.put(l.fields[0], new Team(l.fields[0], l.fields[1], List.of(l.fields[2].split(";"))));
        }
        List<Fixture> fixtures = new ArrayList<>();
        for (Line l : read(fixturesFile, "fixtures.csv", 3)) {
            Team home = teams.get(l.fields[1]);
            Team away = teams.get(l.fields[2]);
            if (home == null || away == null || home == away) {
                throw l.error("unknown team code, or a team playing itself");
            }
            fixtures.add(new Fixture(l.fields[0], home, away));
        }
        if (symbols.isEmpty()) {
            throw new ScenarioException("the symbol universe is empty");
        }
        return new Scenario(List.copyOf(symbols), Map.copyOf(teams), List.copyOf(fixtures));
    }

    /** The built-in scenario. */
    public static Scenario builtIn() {
        return load(null, null, null);
    }

    private record Line(String source, int number, String[] fields) {
        ScenarioException error(String what) {
            return new ScenarioException(source + ":" + number + ": " + what);
        }
    }

    /** Reads data lines (skipping blanks, '#' comments and the header) with {@code columns} fields. */
    private static List<Line> read(Path file, String builtInName, int columns) {
        String source = file == null ? "built-in simulator/" + builtInName : file.toString();
        List<Line> out = new ArrayList<>();
        try (BufferedReader r = open(file, builtInName, source)) {
            String line;
            int n = 0;
            boolean header = true;
            while ((line = r.readLine()) != null) {
                n++;
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                if (header) {
                    header = false;
                    continue;
                }
                String[] fields = t.split(",", -1);
                if (fields.length != columns) {
                    throw new Line(source, n, fields).error("expected " + columns + " comma-separated fields");
                }
                for (int i = 0; i < fields.length; i++) {
                    fields[i] = fields[i].strip();
                }
                out.add(new Line(source, n, fields));
            }
        } catch (IOException | UncheckedIOException e) {
            throw new ScenarioException("cannot read " + source + ": " + e.getMessage());
        }
        return out;
    }

    private static BufferedReader open(Path file, String builtInName, String source) throws IOException {
        if (file != null) {
            return Files.newBufferedReader(file, StandardCharsets.UTF_8);
        }
        InputStream in = Scenario.class.getResourceAsStream("/simulator/" + builtInName);
        if (in == null) {
            throw new IOException("not found in the jar");
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
}
