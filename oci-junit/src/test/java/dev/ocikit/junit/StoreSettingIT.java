package dev.ocikit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.ocikit.image.Copy;
import dev.ocikit.image.ImageStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;

/** {@code @OciContainers(store = ...)} takes the class's containers and images to a store of its own. */
@ExtendWith(TestImages.class)
class StoreSettingIT {
    static final String STORE = "target/it-store-annotated";
    static final String LAYOUT = "target/it-layout";
    private static final List<String> SEEN = new CopyOnWriteArrayList<>();

    @OciContainers(store = STORE)
    static class OwnStore {
        @Container
        static OciContainer c = OciContainer.of(ContainerSpec.of("oci:" + LAYOUT + ":bb").command("sleep", "600"));

        @Test
        void runs() throws Exception {
            SEEN.add(c.id());
            SEEN.add(Environment.forTestClass(OwnStore.class).runtime.inspect(c.id()).name());
        }
    }

    @Test
    void theAnnotationsStoreHoldsTheImageAndTheContainer() throws Exception {
        Copy.from(Environment.defaults().store.reference(TestImages.BUSYBOX)).to("oci:" + LAYOUT + ":bb").run();
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(OwnStore.class)).execute()
                .testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        assertThat(SEEN).hasSize(2);
        assertThat(SEEN.get(1)).startsWith("OwnStore-c-");
        ImageStore own = ImageStore.open(Path.of(STORE));
        assertThat(own.list()).flatMap(i -> i.names()).map(Object::toString)
                .anySatisfy(n -> assertThat(n).startsWith("localhost/ocikit-junit/import:"));
        assertThat(Environment.forTestClass(OwnStore.class).runtime.root()).isEqualTo(Path.of(STORE).toRealPath());
        assertThat(Environment.forTestClass(OwnStore.class).runtime.list()).isEmpty();
        assertThat(Environment.defaults().runtime.list()).noneMatch(c -> c.name().startsWith("OwnStore-"));
    }
}
