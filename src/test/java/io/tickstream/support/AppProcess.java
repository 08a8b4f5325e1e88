package io.tickstream.support;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code tickstream} (the same {@code Main} the jar runs) as a separate process, with the
 * test's class path and the JVM module flags this JVM got, so that a test can kill it, signal it
 * and restart it like an operator would.
 */
public final class AppProcess {

    private AppProcess() {
    }

    /** Starts {@code tickstream ARGS...}; its output goes to {@code log}. Stop it with {@link External.Running#close()}. */
    public static External.Running start(Path log, String... args) throws IOException {
        return startUnder(List.of(), log, args);
    }

    /**
     * Starts {@code tickstream ARGS...} through {@code prefix}, a command that runs java in a changed
     * context and replaces itself with it ({@code ip netns exec NS} does), so that the process stopped
     * and killed is java's; otherwise as {@link #start}.
     */
    public static External.Running startUnder(List<String> prefix, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports")) {
                command.add(a);
            }
        }
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.tickstream.Main");
        command.addAll(List.of(args));
        return External.start(log, command);
    }

    /** Kills the processes with SIGKILL, all at the same moment (one signal right after the other), and waits for them. */
    public static void kill9(External.Running... processes) throws InterruptedException {
        for (External.Running p : processes) {
            p.process().destroyForcibly();
        }
        for (External.Running p : processes) {
            p.process().waitFor();
        }
    }
}
