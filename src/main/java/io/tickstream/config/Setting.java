package io.tickstream.config;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * One setting of a command, declared once: its flag, the label of its value, its default, its
 * description, the checks a value must pass and what a given value resolves to. Its environment
 * variable is the command's prefix and the flag's name ({@code --heartbeat-ms} is
 * {@code TICKSTREAM_HEARTBEAT_MS}) unless {@link #env(String)} names another. The command line
 * ({@link SettingOptions}) and the config ({@link Config}) both read this declaration, and a
 * setting is the key its value is read with: {@code config.get(ServerConfig.PORT)}. Immutable;
 * {@link #check}, {@link #env} and {@link #resolvedBy} return a changed copy, used while it is declared.
 *
 * @param <T> the type of its value
 */
public final class Setting<T> {

    private final String flag;
    private final String label;
    private final Class<?> optionType;
    private final T defaultValue;
    private final String description;
    private final String env;
    private final List<Function<T, String>> checks;
    private final UnaryOperator<T> resolver;

    private Setting(String flag, String label, Class<?> optionType, T defaultValue, String description, String env,
                    List<Function<T, String>> checks, UnaryOperator<T> resolver) {
        this.flag = flag;
        this.label = label;
        this.optionType = optionType;
        this.defaultValue = defaultValue;
        this.description = description;
        this.env = env;
        this.checks = List.copyOf(checks);
        this.resolver = resolver;
    }

    private static <T> Setting<T> of(String flag, String label, Class<?> optionType, T defaultValue,
                                     String description) {
        if (!flag.matches("--[a-z0-9]+(-[a-z0-9]+)*")) {
            throw new IllegalArgumentException("a flag is --lower-case-words: " + flag);
        }
        return new Setting<>(flag, label, optionType, defaultValue, description, null, List.of(),
                UnaryOperator.identity());
    }

    /**
     * A whole number.
     *
     * @param flag        the option's name, {@code --lower-case-words}
     * @param label       the value's name in the help, e.g. {@code N} or {@code MS}
     * @param description what it does, one sentence without the closing period; the help adds the
     *                    environment variable and the default
     */
    public static Setting<Integer> ofInt(String flag, String label, int defaultValue, String description) {
        return of(flag, label, int.class, defaultValue, description);
    }

    /** A whole number that may exceed an {@code int}, e.g. milliseconds or bytes. */
    public static Setting<Long> ofLong(String flag, String label, long defaultValue, String description) {
        return of(flag, label, long.class, defaultValue, description);
    }

    /** A whole number without a default: {@code null} unless given. */
    public static Setting<Long> ofOptionalLong(String flag, String label, String description) {
        return of(flag, label, Long.class, null, description);
    }

    /** A decimal number. */
    public static Setting<Double> ofDouble(String flag, String label, double defaultValue, String description) {
        return of(flag, label, double.class, defaultValue, description);
    }

    /** A switch: {@code true} when the flag is given (it takes no value). */
    public static Setting<Boolean> ofSwitch(String flag, boolean defaultValue, String description) {
        return of(flag, null, boolean.class, defaultValue, description);
    }

    /** Text; {@code defaultValue} may be {@code null} (unset). */
    public static Setting<String> ofString(String flag, String label, String defaultValue, String description) {
        return of(flag, label, String.class, defaultValue, description);
    }

    /** A file or directory; {@code defaultValue} may be {@code null} (unset). */
    public static Setting<Path> ofPath(String flag, String label, Path defaultValue, String description) {
        return of(flag, label, Path.class, defaultValue, description);
    }

    /** A URI. */
    public static Setting<URI> ofUri(String flag, String label, URI defaultValue, String description) {
        return of(flag, label, URI.class, defaultValue, description);
    }

    /**
     * A comma-separated list; the flag may also be given several times, or take several values one
     * after another ({@code --compare A.json B.json}). Its entries are trimmed and
     * empty ones dropped, so an empty value is an empty list.
     */
    public static Setting<List<String>> ofList(String flag, String label, List<String> defaultValue,
                                               String description) {
        Setting<List<String>> list = of(flag, label, List.class, List.copyOf(defaultValue), description);
        return list.resolvedBy(entries -> entries == null ? List.of()
                : entries.stream().map(String::trim).filter(e -> !e.isEmpty()).toList());
    }

    /** A copy whose value must pass {@code ok}, or the command refuses it with {@code message}. */
    public Setting<T> check(Predicate<? super T> ok, String message) {
        return check(ok, value -> message);
    }

    /** A copy whose value must pass {@code ok}, or the command refuses it with the message made of the value. */
    public Setting<T> check(Predicate<? super T> ok, Function<? super T, String> message) {
        List<Function<T, String>> all = new ArrayList<>(checks);
        all.add(value -> ok.test(value) ? null : message.apply(value));
        return new Setting<>(flag, label, optionType, defaultValue, description, env, all, resolver);
    }

    /**
     * A copy whose value {@code parser} must accept: when it throws an {@link IllegalArgumentException},
     * the command refuses the value with the flag and that exception's message.
     */
    public Setting<T> parsedBy(Consumer<? super T> parser) {
        List<Function<T, String>> all = new ArrayList<>(checks);
        all.add(value -> {
            try {
                parser.accept(value);
                return null;
            } catch (IllegalArgumentException e) {
                return flag + ": " + e.getMessage();
            }
        });
        return new Setting<>(flag, label, optionType, defaultValue, description, env, all, resolver);
    }

    /**
     * A copy whose value, once checked, is replaced by what {@code resolver} makes of it, e.g. 0
     * event loops by one per core. The resolver is given {@code null} too when the setting has no
     * default, and must give a value that resolves to itself.
     */
    public Setting<T> resolvedBy(UnaryOperator<T> resolver) {
        UnaryOperator<T> first = this.resolver;
        return new Setting<>(flag, label, optionType, defaultValue, description, env, checks,
                value -> resolver.apply(first.apply(value)));
    }

    /** A copy read from the environment variable {@code name} rather than the one its flag names. */
    public Setting<T> env(String name) {
        return new Setting<>(flag, label, optionType, defaultValue, description, name, checks, resolver);
    }

    /** This setting with its environment variable named after its flag, unless it has one already. */
    Setting<T> withEnvPrefix(String prefix) {
        return env != null ? this : env(prefix + flag.substring(2).replace('-', '_').toUpperCase(Locale.ROOT));
    }

    /** What is wrong with {@code value}, or {@code null} when it passes every check (a {@code null} value does). */
    String problem(T value) {
        if (value == null) {
            return null;
        }
        for (Function<T, String> check : checks) {
            String problem = check.apply(value);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** What {@code value} stands for, once it has passed the checks. */
    T resolve(T value) {
        return resolver.apply(value);
    }

    /** The option's name, e.g. {@code --port}. */
    public String flag() {
        return flag;
    }

    /** The name of the value in the help, or {@code null} for a switch. */
    public String label() {
        return label;
    }

    /** The environment variable that gives the default, e.g. {@code TICKSTREAM_PORT}. */
    public String env() {
        return env;
    }

    /** The value when neither the flag nor the environment variable gives one; may be {@code null}. */
    public T defaultValue() {
        return defaultValue;
    }

    /** The default as the command line would give it ({@code 20}, {@code a,b}), or {@code null} when unset. */
    public String defaultText() {
        if (defaultValue == null) {
            return null;
        }
        if (defaultValue instanceof Double d) {
            return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        if (defaultValue instanceof List<?> list) {
            return String.join(",", list.stream().map(Objects::toString).toList());
        }
        return defaultValue.toString();
    }

    /** What it does, without the environment variable and the default. */
    public String description() {
        return description;
    }

    /** The type picocli converts the text to: a primitive unless the value may be {@code null}. */
    Class<?> optionType() {
        return optionType;
    }

    /** Whether it is a list. */
    boolean isList() {
        return optionType == List.class;
    }

    @Override
    public String toString() {
        return flag;
    }
}
