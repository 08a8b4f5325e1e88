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

    /** The columns of each file, in the order they are written (the header line is not read). */
    private static final List<String> SYMBOL_COLUMNS = List.of("symbol", "price", "volatility");
    private static final List<String> TEAM_COLUMNS = List.of("code", "name", "players");
    private static final List<String> FIXTURE_COLUMNS = List.of("sport", "home", "away");

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
        for (Line l : read(symbolsFile, "symbols.csv", SYMBOL_COLUMNS)) {
            try {
                String symbol = l.get("symbol");
                double price = Double.parseDouble(l.get("price"));
                double vol = Double.parseDouble(l.get("volatility"));
                if (!(price > 0) || !(vol >= 0) || symbol.isEmpty()) {
                    throw new NumberFormatException();
                }
                symbols.add(new Symbol(symbol, price, vol));
            } catch (NumberFormatException e) {
                throw l.error("expected symbol,price,volatility with a positive price");
            }
        }
        Map<String, Team> teams = new HashMap<>();
        for (Line l : read(teamsFile, "teams.csv", TEAM_COLUMNS)) {
            String code = l.get("code");
            teams.put(code, new Team(code, l.get("name"), List.of(l.get("players").split(";"))));
        }
        List<Fixture> fixtures = new ArrayList<>();
        for (Line l : read(fixturesFile, "fixtures.csv", FIXTURE_COLUMNS)) {
            Team home = teams.get(l.get("home"));
            Team away = teams.get(l.get("away"));
            if (home == null || away == null || home == away) {
                throw l.error("unknown team code, or a team playing itself");
            }
            fixtures.add(new Fixture(l.get("sport"), home, away));
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

    /** One data line: its fields in the order of {@code columns}. */
    private record Line(String source, int number, List<String> columns, String[] fields) {
        /** The field of the named column. */
        String get(String column) {
            return fields[columns.indexOf(column)];
        }

        ScenarioException error(String what) {
            return new ScenarioException(source + ":" + number + ": " + what);
        }
    }

    /** Reads data lines (skipping blanks, '#' comments and the header) with a field for each of {@code columns}. */
    private static List<Line> read(Path file, String builtInName, List<String> columns) {
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
                if (fields.length != columns.size()) {
                    throw new Line(source, n, columns, fields)
                            .error("expected " + columns.size() + " comma-separated fields");
                }
                for (int i = 0; i < fields.length; i++) {
                    fields[i] = fields[i].strip();
                }
                out.add(new Line(source, n, columns, fields));
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
