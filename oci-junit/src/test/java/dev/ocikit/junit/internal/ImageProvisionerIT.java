package dev.ocikit.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.Copy;
import dev.ocikit.image.ImageStore;
import dev.ocikit.image.spi.Transports;
import dev.ocikit.junit.ContainerLaunchException;
import dev.ocikit.junit.TestImages;
import dev.ocikit.registry.DockerTransport;
import dev.ocikit.registry.RegistryClient;
import dev.ocikit.registry.testing.TestRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulling into a store from a real registry: once, however many ask at the same time. */
class ImageProvisionerIT {
    private static TestRegistry registry;
    private static Transports transports;
    private static String pushed;

    @TempDir
    Path dir;

    @BeforeAll
    static void pushATestImage() throws Exception {
        ImageStore source = TestImages.ensure();
        registry = TestRegistry.plain();
        transports = Transports.of(List.of(new DockerTransport(RegistryClient.builder().plainHttp(registry.host()).build())));
        pushed = registry.host() + "/team/busybox:1";
        Copy.from(source.reference(TestImages.BUSYBOX)).to(transports.parse("docker://" + pushed)).run();
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void manyAskingAtOnceMakeOnePull() throws Exception {
        ImageStore store = ImageStore.open(dir.resolve("store"));
        ImageProvisioner first = new ImageProvisioner(store, transports);
        ImageProvisioner second = new ImageProvisioner(ImageStore.open(dir.resolve("store")), transports);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<ImageProvisioner.Provided>> asks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ImageProvisioner images = i % 2 == 0 ? first : second;
                asks.add(threads.submit(() -> {
                    go.await();
                    return images.provide(pushed);
                }));
            }
            go.countDown();
            List<ImageProvisioner.Provided> got = new ArrayList<>();
            for (Future<ImageProvisioner.Provided> ask : asks) {
                got.add(ask.get(120, TimeUnit.SECONDS));
            }
            assertThat(got).filteredOn(ImageProvisioner.Provided::copied).hasSize(1);
            assertThat(got).extracting(p -> p.image().id()).containsOnly(got.get(0).image().id());
            assertThat(store.find(pushed)).isPresent();
            assertThat(first.provide(pushed).copied()).as("found afterwards without a pull").isFalse();
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void anImageTheRegistryLacksFailsNamingIt() throws Exception {
        ImageStore store = ImageStore.open(dir.resolve("store"));
        String missing = registry.host() + "/team/nothing:1";
        assertThatThrownBy(() -> new ImageProvisioner(store, transports).provide(missing))
                .isInstanceOf(ContainerLaunchException.class)
                .hasMessageContaining("could not pull " + missing + " into the image store at " + store.root());
    }
}
