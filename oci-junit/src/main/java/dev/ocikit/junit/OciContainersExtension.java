package dev.ocikit.junit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * The extension behind {@link OciContainers}: starts the {@link dev.ocikit.junit.Container}
 * fields' containers before all tests (static fields) or each test (instance fields), and removes
 * them after. The started containers are kept in the context's store, which also closes them
 * should the matching after-callback not run.
 */
final class OciContainersExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(OciContainersExtension.class);
    private static final String CLASS_CONTAINERS = "class containers";
    private static final String TEST_CONTAINERS = "test containers";

    static {
        // Native bindings and JSON mappings load while JUnit discovers and sets up the class.
        dev.ocikit.runtime.OciRuntime.warmUpInBackground();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Class<?> testClass = context.getRequiredTestClass();
        List<ContainerGroup.Member> members = new ArrayList<>();
        for (Field field : fields(testClass, true)) {
            members.add(member(field, null, testClass));
        }
        start(context, CLASS_CONTAINERS, testClass, members);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop(context, CLASS_CONTAINERS);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        List<ContainerGroup.Member> members = new ArrayList<>();
        // outer instances of @Nested classes too: their instance fields are per test as well
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            for (Field field : fields(instance.getClass(), false)) {
                members.add(member(field, instance, instance.getClass()));
            }
        }
        start(context, TEST_CONTAINERS, context.getRequiredTestClass(), members);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        stop(context, TEST_CONTAINERS);
    }

    private static void start(ExtensionContext context, String key, Class<?> testClass, List<ContainerGroup.Member> members)
            throws InterruptedException {
        if (members.isEmpty()) {
            return;
        }
        ContainerGroup group = ContainerGroup.start(Environment.forTestClass(testClass), members);
        context.getStore(NAMESPACE).put(key, group);
    }

    private static void stop(ExtensionContext context, String key) {
        ContainerGroup group = context.getStore(NAMESPACE).remove(key, ContainerGroup.class);
        if (group != null) {
            group.close();
        }
    }

    /** The class's (and its superclasses') {@code @Container} fields of the one kind, superclasses' first. */
    private static List<Field> fields(Class<?> type, boolean statics) {
        return AnnotationSupport.findAnnotatedFields(type, Container.class,
                f -> Modifier.isStatic(f.getModifiers()) == statics, HierarchyTraversalMode.TOP_DOWN);
    }

    private static ContainerGroup.Member member(Field field, Object instance, Class<?> testClass) {
        String where = field.getDeclaringClass().getSimpleName() + "." + field.getName();
        if (!OciContainer.class.isAssignableFrom(field.getType())) {
            throw new ExtensionConfigurationException("@Container field " + where + " is a " + field.getType().getName()
                    + "; declare it as an OciContainer: OciContainer " + field.getName() + " = OciContainer.of(spec)");
        }
        Object value;
        try {
            field.setAccessible(true);
            value = field.get(instance);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExtensionConfigurationException("cannot read @Container field " + where + ": " + e, e);
        }
        if (value == null) {
            throw new ExtensionConfigurationException("@Container field " + where + " is null; initialise it where it"
                    + " is declared: OciContainer " + field.getName() + " = OciContainer.of(ContainerSpec.of(image))");
        }
        return new ContainerGroup.Member((OciContainer) value,
                OciContainer.nameFor(testClass.getSimpleName() + "-" + field.getName()));
    }
}
