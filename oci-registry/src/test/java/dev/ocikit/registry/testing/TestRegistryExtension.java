package dev.ocikit.registry.testing;

import java.io.IOException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link TestRegistry} for all tests of a class:
 * {@code @RegisterExtension static final TestRegistryExtension REGISTRY = TestRegistryExtension.plain();}
 * then {@code REGISTRY.registry()} in tests. Started before all tests, stopped after them.
 */
public final class TestRegistryExtension implements BeforeAllCallback, AfterAllCallback {
    @FunctionalInterface
    private interface Starter {
        TestRegistry start() throws IOException;
    }

    private final Starter starter;
    private volatile TestRegistry registry;

    private TestRegistryExtension(Starter starter) {
        this.starter = starter;
    }

    public static TestRegistryExtension plain() {
        return new TestRegistryExtension(TestRegistry::plain);
    }

    public static TestRegistryExtension basicAuth(String username, String password) {
        return new TestRegistryExtension(() -> TestRegistry.basicAuth(username, password));
    }

    public static TestRegistryExtension tls() {
        return new TestRegistryExtension(TestRegistry::tls);
    }

    public static TestRegistryExtension tokenAuth(String username, String password) {
        return new TestRegistryExtension(() -> TestRegistry.tokenAuth(username, password));
    }

    /** The running registry. */
    public TestRegistry registry() {
        TestRegistry r = registry;
        if (r == null) {
            throw new IllegalStateException("the registry starts before all tests; register the extension on a static field");
        }
        return r;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        registry = starter.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TestRegistry r = registry;
        registry = null;
        if (r != null) {
            r.close();
        }
    }
}
