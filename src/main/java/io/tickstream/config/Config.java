package io.tickstream.config;

import java.util.Map;
import java.util.StringJoiner;

/**
 * The values of one command's {@link Settings}, each checked and resolved: read one with
 * {@code config.get(ServerConfig.PORT)}, change one with {@code config.with(ServerConfig.PORT, 0)},
 * which returns a copy. Immutable.
 *
 * @param <C> the command's config, which {@link #with} returns
 */
public abstract class Config<C extends Config<C>> {

    private final Map<Setting<?>, Object> values;

    /** @param values every setting of {@link #settings()}, checked and resolved; not copied */
    protected Config(Map<Setting<?>, Object> values) {
        this.values = values;
    }

    /** The settings this config holds a value of. */
    protected abstract Settings<C> settings();

    /** The value of {@code setting}, which must be one of this command's; {@code null} when it is unset. */
    @SuppressWarnings("unchecked")
    public final <T> T get(Setting<T> setting) {
        if (!values.containsKey(setting)) {
            throw new IllegalArgumentException(setting.flag() + " is not a setting of this command");
        }
        return (T) values.get(setting);
    }

    /**
     * A copy with {@code setting} at {@code value}, checked by that setting's own checks.
     *
     * @throws IllegalArgumentException when the value fails one, with the message the command line gives
     */
    public final <T> C with(Setting<T> setting, T value) {
        return settings().with(values, setting, value);
    }

    /** {@link #with(Setting, Object)} for a {@code long} setting, so that {@code with(DRAIN_MS, 500)} reads. */
    public final C with(Setting<Long> setting, long value) {
        return with(setting, Long.valueOf(value));
    }

    /** {@link #with(Setting, Object)} for a {@code double} setting, so that {@code with(RATE, 500)} reads. */
    public final C with(Setting<Double> setting, double value) {
        return with(setting, Double.valueOf(value));
    }

    @Override
    public final boolean equals(Object o) {
        return o instanceof Config<?> other && other.getClass() == getClass() && other.values.equals(values);
    }

    @Override
    public final int hashCode() {
        return values.hashCode();
    }

    /** Every setting as {@code --flag=value}, in the order declared. */
    @Override
    public final String toString() {
        StringJoiner out = new StringJoiner(" ", getClass().getSimpleName() + "[", "]");
        values.forEach((setting, value) -> out.add(setting.flag() + "=" + value));
        return out.toString();
    }
}
