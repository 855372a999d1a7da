package dev.ocikit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the test class's {@link Container @Container} fields as real containers, through an OCI
 * runtime (runc) and an image store, with no daemon.
 *
 * <ul>
 *   <li>A {@code static} field's container is started before the class's first test (before
 *       {@code @BeforeAll} methods) and removed after its last ({@code @AfterAll} methods run
 *       first). An instance field's container is started before each test and removed after it.
 *   <li>The fields of one scope are started at once, in parallel; the test waits until every one
 *       has passed its wait strategies. If one fails, the others are removed and the failure,
 *       with the container's last lines of output, fails the class or the test.
 *   <li>Containers are removed whatever the outcome: after a failed test, after a failed start,
 *       at JVM exit (a shutdown hook); those of a JVM killed outright are removed by the next run's
 *       sweep. Containers {@linkplain ContainerSpec#reuse(boolean) marked for reuse} are kept.
 *   <li>Images come from the image store: an image it lacks is pulled once, through
 *       {@code docker://}, by whichever test or JVM needs it first; the others wait and share it.
 * </ul>
 *
 * <p>The store is {@link #store()}, else the system property {@code ocikit.store}, else
 * {@link dev.ocikit.image.ImageStore#open()}'s default; the runtime keeps its containers under
 * {@link #root()}, else the system property {@code ocikit.root}, else the store's root. One
 * runtime serves every class using the same store and root in a JVM.
 *
 * <pre>{@code
 * @OciContainers
 * class ApiTest {
 *     @Container
 *     static OciContainer web = OciContainer.of(ContainerSpec.of("docker.io/library/nginx:1.27")
 *             .publish(80)
 *             .waitingFor(WaitStrategy.forHttp(80, "/")));
 *
 *     @Test
 *     void answers() throws Exception {
 *         URI uri = URI.create("http://" + web.host() + ":" + web.mappedPort(80) + "/");
 *         ...
 *     }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(OciContainersExtension.class)
public @interface OciContainers {
    /**
     * The image store's directory; empty (the default) means the system property
     * {@code ocikit.store}, else the default store ({@code /var/lib/ocikit} for root, else
     * {@code $XDG_DATA_HOME/ocikit}).
     */
    String store() default "";

    /**
     * Where the runtime keeps containers and layer snapshots; empty (the default) means the
     * system property {@code ocikit.root}, else the store's directory.
     */
    String root() default "";
}
