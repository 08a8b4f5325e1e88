package io.tickstream.support;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test whose clients received a message that breaks the protocol's AsyncAPI document, even
 * when the test never closes them: each {@link ProtocolCheck} belongs to the test (or, made in a
 * {@code @BeforeAll}, the class) that was running on the thread that made it, and is reported after
 * it. Registered for every test class by JUnit's extension auto-detection
 * ({@code src/test/resources/junit-platform.properties} and {@code META-INF/services}).
 */
public final class ProtocolCheckExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        ProtocolCheck.running(context.getUniqueId());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        ProtocolCheck.running(context.getUniqueId());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        ProtocolCheck.running(context.getParent().map(ExtensionContext::getUniqueId).orElse(null));
        fail(ProtocolCheck.takeReports(context.getUniqueId()));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ProtocolCheck.running(null);
        fail(ProtocolCheck.takeReports(context.getUniqueId()));
    }

    private static void fail(String reports) {
        if (reports != null) {
            throw new AssertionError(reports);
        }
    }
}
