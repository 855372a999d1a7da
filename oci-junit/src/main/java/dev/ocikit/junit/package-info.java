/**
 * Real containers in JUnit Jupiter tests, run through an OCI runtime (runc) from an image store,
 * with no daemon: the test kit of ocikit, meant for a project's test scope.
 *
 * <pre>{@code
 * @OciContainers
 * class OrderServiceTest {
 *     @Container   // static: one for the class; an instance field gets one per test
 *     static OciContainer db = OciContainer.of(ContainerSpec.of("docker.io/library/postgres:16")
 *             .env("POSTGRES_PASSWORD", "test")
 *             .copyFile(Path.of("src/test/resources/schema.sql"), "/docker-entrypoint-initdb.d/schema.sql")
 *             .publish(5432)
 *             .memory(512L << 20)
 *             .waitingFor(WaitStrategy.forLogLine("ready to accept connections").times(2))
 *             .waitingFor(WaitStrategy.forPort(5432)));
 *
 *     @Test
 *     void storesAnOrder() throws Exception {
 *         String url = "jdbc:postgresql://" + db.host() + ":" + db.mappedPort(5432) + "/postgres";
 *         ...
 *         assertThat(db.exec("psql", "-U", "postgres", "-c", "select count(*) from orders").stdout()).contains("1");
 *     }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link dev.ocikit.junit.OciContainers} on the class runs its
 *       {@link dev.ocikit.junit.Container} fields; it may name the image store and runtime root.
 *   <li>{@link dev.ocikit.junit.ContainerSpec} says what container: immutable, fluent.
 *   <li>{@link dev.ocikit.junit.OciContainer} is the field's value: where the container
 *       listens, its output, exec; {@link dev.ocikit.junit.RunningContainer} is that view alone.
 *   <li>{@link dev.ocikit.junit.WaitStrategy} and its built-ins tell when a container is ready;
 *       {@link dev.ocikit.junit.ContainerLaunchException} and
 *       {@link dev.ocikit.junit.WaitTimeoutException} say why one is not, with its last output.
 * </ul>
 *
 * <p>Integration tests of this kind need runc, and root (or a rootless setup with user
 * namespaces and slirp4netns for published ports).
 */
package dev.ocikit.junit;
