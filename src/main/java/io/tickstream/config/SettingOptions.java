package io.tickstream.config;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * A command's {@link Settings} as its picocli options, and the options' values read back as its
 * {@link Config}. Each option's default is its environment variable, else the setting's default; its
 * help says both. Stateless.
 */
public final class SettingOptions {

    private SettingOptions() {
    }

    /** Adds an option for each of {@code settings} to {@code spec}; returns {@code spec}. */
    public static CommandSpec addTo(CommandSpec spec, Settings<?> settings) {
        for (Setting<?> setting : settings.all()) {
            spec.addOption(option(setting));
        }
        return spec;
    }

    /**
     * The config the command line parsed into {@code spec} gives, checked.
     *
     * @throws ParameterException when a value fails a check: picocli prints its message and the
     *                            usage, and the command exits 2
     */
    public static <C extends Config<C>> C read(CommandSpec spec, Settings<C> settings) {
        Map<Setting<?>, Object> given = new LinkedHashMap<>();
        for (Setting<?> setting : settings.all()) {
            given.put(setting, spec.findOption(setting.flag()).getValue());
        }
        try {
            return settings.create(given);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static OptionSpec option(Setting<?> setting) {
        String fallback = setting.defaultText();
        OptionSpec.Builder option = OptionSpec.builder(setting.flag())
                .type(setting.optionType())
                .defaultValue("${env:" + setting.env() + (fallback == null ? "" : ":-" + fallback) + "}")
                .description(setting.description() + " (env " + setting.env()
                        + (fallback == null ? "" : fallback.isEmpty() ? ", default none" : ", default ${DEFAULT-VALUE}")
                        + ").");
        if (setting.label() != null) {
            option.paramLabel(setting.label());
        }
        if (setting.isList()) {
            option.auxiliaryTypes(String.class).splitRegex(",").arity("1..*");
        }
        return option.build();
    }
}
