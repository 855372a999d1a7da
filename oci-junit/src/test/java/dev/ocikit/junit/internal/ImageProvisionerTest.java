package dev.ocikit.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ocikit.image.AddedFile;
import dev.ocikit.image.ImageStore;
import dev.ocikit.image.build.BuiltImage;
import dev.ocikit.image.build.ImageBuilder;
import dev.ocikit.image.spi.Transports;
import dev.ocikit.junit.ContainerLaunchException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding images in the store and copying them in, without a registry (the pull is in ImageProvisionerIT). */
class ImageProvisionerTest {
    @TempDir
    Path dir;

    private ImageStore store;
    private ImageProvisioner images;

    @BeforeEach
    void setUp() throws Exception {
        store = ImageStore.open(dir.resolve("store"));
        images = new ImageProvisioner(store, Transports.load());
    }

    private BuiltImage tiny(String destination) throws Exception {
        Path file = Files.writeString(dir.resolve("hello.txt"), "hello " + destination);
        ImageBuilder b = ImageBuilder.scratch().copy(AddedFile.of(file, "/hello.txt")).cmd("/hello");
        return destination.contains(":/") || destination.startsWith("oci") ? b.commit(destination) : b.commit(store, destination);
    }

    @Test
    void anImageTheStoreHasIsUsedAsItIs() throws Exception {
        BuiltImage built = tiny("localhost/tiny:1");
        ImageProvisioner.Provided p = images.provide("localhost/tiny:1");
        assertThat(p.copied()).isFalse();
        assertThat(p.image().id()).isEqualTo(built.id());
        assertThat(images.provide("tiny:1").image().id()).as("a short name finds localhost/ first").isEqualTo(built.id());
        assertThat(images.provide(built.id().toString()).image().id()).isEqualTo(built.id());
    }

    @Test
    void aLocalhostNameTheStoreLacksIsNeverPulled() {
        assertThatThrownBy(() -> images.provide("localhost/missing:1"))
                .isInstanceOf(ContainerLaunchException.class)
                .hasMessageContaining("localhost/missing:1 is not in the image store at " + store.root())
                .hasMessageContaining("never pulled");
    }

    @Test
    void anIdTheStoreLacksCannotBePulled() {
        assertThatThrownBy(() -> images.provide("sha256:" + "0".repeat(64)))
                .isInstanceOf(ContainerLaunchException.class)
                .hasMessageContaining("an ID cannot be pulled");
    }

    @Test
    void withoutADockerTransportTheMessageSaysWhatToAdd() throws Exception {
        ImageProvisioner offline = new ImageProvisioner(store, Transports.of(List.of()));
        assertThatThrownBy(() -> offline.provide("quay.io/nobody/nothing:1"))
                .isInstanceOf(ContainerLaunchException.class)
                .hasMessageContaining("no docker:// transport is on the class path")
                .hasMessageContaining("dev.ocikit:oci-registry");
    }

    @Test
    void aTransportReferenceIsCopiedInOncePerJvm() throws Exception {
        BuiltImage built = tiny("oci:" + dir.resolve("layout") + ":tiny");
        String reference = "oci:" + dir.resolve("layout") + ":tiny";
        ImageProvisioner.Provided first = images.provide(reference);
        assertThat(first.copied()).isTrue();
        assertThat(first.image().id()).isEqualTo(built.id());
        assertThat(first.image().names().get(0).toString()).startsWith("localhost/ocikit-junit/import:");
        ImageProvisioner.Provided second = images.provide(reference);
        assertThat(second.copied()).isFalse();
        assertThat(second.image().id()).isEqualTo(built.id());
    }

    @Test
    void anArchiveIsCopiedInToo() throws Exception {
        BuiltImage built = tiny("localhost/tiny:2");
        Path archive = dir.resolve("tiny.tar");
        dev.ocikit.image.Copy.from(store.reference("localhost/tiny:2")).to("oci-archive:" + archive).run();
        ImageProvisioner.Provided p = images.provide("oci-archive:" + archive);
        assertThat(p.copied()).isTrue();
        assertThat(p.image().id()).isEqualTo(built.id());
    }

    @Test
    void aReferenceThatNamesNoImageFailsSayingWhich() {
        String reference = "oci:" + dir.resolve("nothing") + ":x";
        assertThatThrownBy(() -> images.provide(reference))
                .isInstanceOf(ContainerLaunchException.class)
                .hasMessageContaining("could not copy " + reference);
    }

    @Test
    void aBadNameIsNamed() {
        assertThatThrownBy(() -> images.provide("Bad Name"))
                .isInstanceOf(ContainerLaunchException.class)
                .hasMessageContaining("\"Bad Name\" is not an image name");
    }
}
