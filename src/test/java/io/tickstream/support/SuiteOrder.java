package io.tickstream.support;

import java.util.Comparator;
import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The suite's order (see {@code junit-platform.properties}): first the classes that run beside the
 * others ({@code @Execution(CONCURRENT)}, the soak), then the classes that do not load the machine,
 * then those tagged {@value #LOAD} (many clients, killed processes, a saturated feed), so that the
 * soak shares the machine with light tests only, and its heap and gap checks with no kill test.
 * Within each group, by class name.
 */
public final class SuiteOrder implements ClassOrderer {

    /** The tag of a class whose tests load the machine. */
    public static final String LOAD = "load";

    @Override
    public void orderClasses(ClassOrdererContext context) {
        context.getClassDescriptors().sort(Comparator.comparingInt(SuiteOrder::group)
                .thenComparing(d -> d.getTestClass().getName()));
    }

    private static int group(ClassDescriptor d) {
        if (d.findAnnotation(Execution.class).map(e -> e.value() == ExecutionMode.CONCURRENT).orElse(false)) {
            return 0;
        }
        return d.findRepeatableAnnotations(Tag.class).stream().anyMatch(t -> LOAD.equals(t.value())) ? 2 : 1;
    }
}
