package io.tickstream.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The settings of one command, in the order they are declared, with the checks that span several
 * of them; makes that command's {@link Config} from given values. Filled by the static initialiser
 * of its config class (each setting's {@link #add}), read-only once that class is initialised.
 *
 * @param <C> the command's config
 */
public final class Settings<C extends Config<C>> {

    private final String envPrefix;
    private final Function<Map<Setting<?>, Object>, C> factory;
    private final List<Setting<?>> all = new ArrayList<>();
    private final List<Rule<C>> rules = new ArrayList<>();

    private record Rule<C>(Predicate<C> ok, String message) {
    }

    /**
     * @param envPrefix what a setting's environment variable starts with, e.g. {@code TICKSTREAM_}
     * @param factory   the config's constructor, given every setting's checked and resolved value
     */
    public Settings(String envPrefix, Function<Map<Setting<?>, Object>, C> factory) {
        this.envPrefix = envPrefix;
        this.factory = factory;
    }

    /** Declares {@code setting} as one of this command's; returns it, with its environment variable named. */
    public <T> Setting<T> add(Setting<T> setting) {
        Setting<T> named = setting.withEnvPrefix(envPrefix);
        for (Setting<?> s : all) {
            if (s.flag().equals(named.flag()) || s.env().equals(named.env())) {
                throw new IllegalArgumentException("declared twice: " + named.flag() + " / " + named.env());
            }
        }
        all.add(named);
        return named;
    }

    /**
     * Declares a check that spans several settings, run after each setting's own checks when the
     * command line is read (not by {@link Config#with}, so that a test may change them one at a time).
     */
    public void require(Predicate<C> ok, String message) {
        rules.add(new Rule<>(ok, message));
    }

    /** Every setting, in the order declared. */
    public List<Setting<?>> all() {
        return Collections.unmodifiableList(all);
    }

    /** The config with every setting at its default (environment variables are not read). */
    public C defaults() {
        Map<Setting<?>, Object> values = new LinkedHashMap<>();
        for (Setting<?> s : all) {
            values.put(s, s.defaultValue());
        }
        return create(values);
    }

    /**
     * The config of {@code given} (a value for every setting, {@code null} where unset), checked:
     * each setting's own checks in declaration order, then the rules that span several.
     *
     * @throws IllegalArgumentException with the first problem's message, which names the flag
     */
    C create(Map<Setting<?>, Object> given) {
        C config = factory.apply(resolved(given, all));
        for (Rule<C> rule : rules) {
            if (!rule.ok().test(config)) {
                throw new IllegalArgumentException(rule.message());
            }
        }
        return config;
    }

    /** {@code current} with {@code setting} changed to {@code value}, checked by that setting's own checks. */
    <T> C with(Map<Setting<?>, Object> current, Setting<T> setting, T value) {
        if (!current.containsKey(setting)) {
            throw new IllegalArgumentException(setting.flag() + " is not a setting of this command");
        }
        Map<Setting<?>, Object> changed = new LinkedHashMap<>(current);
        changed.put(setting, value);
        return factory.apply(resolved(changed, List.of(setting)));
    }

    /** {@code values} with each of {@code toCheck} checked and resolved. */
    private static Map<Setting<?>, Object> resolved(Map<Setting<?>, Object> values, List<Setting<?>> toCheck) {
        Map<Setting<?>, Object> out = new LinkedHashMap<>(values);
        for (Setting<?> s : toCheck) {
            out.put(s, checkedAndResolved(s, values.get(s)));
        }
        return Collections.unmodifiableMap(out);
    }

    @SuppressWarnings("unchecked")
    private static <T> T checkedAndResolved(Setting<T> setting, Object value) {
        T typed = (T) value;
        String problem = setting.problem(typed);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return setting.resolve(typed);
    }
}
