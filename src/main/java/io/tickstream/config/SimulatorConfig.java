package io.tickstream.config;

import java.nio.file.Path;

/**
 * Everything the simulator is started with. Immutable; built by the {@code simulate} command from
 * flags and environment variables (see {@link SimulateOptions} for each one's name and default).
 *
 * @param queueDir          Chronicle Queue directory to append to (created if missing)
 * @param rate              total messages per second outside bursts
 * @param seed              seed of every random choice: the same seed gives the same feed
 * @param burstMultiplier   rate multiplier during a burst
 * @param burstSeconds      length of each burst
 * @param burstEverySeconds time between burst starts; 0 for no bursts
 * @param matches           football matches played at once
 * @param matchMinuteMs     wall milliseconds per match minute
 * @param symbolsFile       symbol universe CSV, or {@code null} for the built-in one
 * @param teamsFile         teams CSV, or {@code null} for the built-in one
 * @param fixturesFile      fixtures CSV, or {@code null} for the built-in one
 * @param count             stop after this many messages; 0 for no limit
 * @param durationSeconds   stop after this long; 0 for no limit
 * @param statsEverySeconds print a progress line this often; 0 for never
 * @param rollCycle         queue roll cycle name (see {@code FeedQueue.ROLL_CYCLES})
 * @param retainCycles      queue files kept, the newest; older ones are deleted as the queue rolls (0 keeps all)
 * @param minFreeMb         the simulator stops, with a clear error, before the queue's file system has less free
 *                          space than this (a write into a full memory-mapped file would kill the process)
 */
public record SimulatorConfig(Path queueDir, double rate, long seed, double burstMultiplier, double burstSeconds,
                              double burstEverySeconds, int matches, long matchMinuteMs, Path symbolsFile,
                              Path teamsFile, Path fixturesFile, long count, double durationSeconds,
                              double statsEverySeconds, String rollCycle, int retainCycles, long minFreeMb) {

    /** Free space kept on the queue's file system unless told otherwise. */
    public static final long DEFAULT_MIN_FREE_MB = 64;

    /** The same with the default {@code minFreeMb}. */
    public SimulatorConfig(Path queueDir, double rate, long seed, double burstMultiplier, double burstSeconds,
                           double burstEverySeconds, int matches, long matchMinuteMs, Path symbolsFile,
                           Path teamsFile, Path fixturesFile, long count, double durationSeconds,
                           double statsEverySeconds, String rollCycle, int retainCycles) {
        this(queueDir, rate, seed, burstMultiplier, burstSeconds, burstEverySeconds, matches, matchMinuteMs,
                symbolsFile, teamsFile, fixturesFile, count, durationSeconds, statsEverySeconds, rollCycle,
                retainCycles, DEFAULT_MIN_FREE_MB);
    }
}
