package dev.ocikit.runtime;

import dev.ocikit.image.BlobStore;
import dev.ocikit.image.ImageStore;
import dev.ocikit.image.LayerContent;
import dev.ocikit.image.LayerPacker;
import dev.ocikit.image.LayerSource;
import dev.ocikit.image.PackedLayer;
import dev.ocikit.image.build.BuildNetwork;
import dev.ocikit.image.build.RunRequest;
import dev.ocikit.runtime.testing.BusyboxRootfs;
import dev.ocikit.spec.image.ContainerConfig;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A JVM that starts a long build command and waits to be killed: run by {@link BuildSweepIT} in
 * a child process, which kills it with SIGKILL while the command runs.
 *
 * <p>Arguments: scratch directory, runtime root, state root. Prints the build container's id once
 * the command runs.
 */
public final class BuildRunOwnerMain {
    private BuildRunOwnerMain() {}

    public static void main(String[] args) throws Exception {
        Path scratch = Path.of(args[0]);
        BlobStore blobs = BlobStore.open(scratch.resolve("blobs"));
        PackedLayer packed = LayerPacker.defaults().pack(LayerContent.directory(BusyboxRootfs.create(scratch.resolve("rootfs"))),
                blobs);
        List<LayerSource> layers = List.of(LayerSource.of(blobs, packed.digest(), packed.compression(), packed.diffId()));
        OciRuntime runtime = OciRuntime.builder().store(ImageStore.open(scratch.resolve("store"))).root(Path.of(args[1]))
                .stateRoot(Path.of(args[2])).sweepOnStart(false).build();
        CountDownLatch started = new CountDownLatch(1);
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                if (b == '\n') {
                    started.countDown();
                }
            }
        };
        Thread run = new Thread(() -> {
            try {
                runtime.run(RunRequest.newBuilder(layers, ContainerConfig.EMPTY, List.of("sh", "-c", "echo started; exec sleep 600"))
                        .network(BuildNetwork.NONE).output(out, OutputStream.nullOutputStream()).build());
            } catch (Exception e) {
                e.printStackTrace();
            }
        });
        run.setDaemon(true);
        run.start();
        started.await();
        try (var dirs = Files.list(Path.of(args[1]).resolve("containers"))) {
            System.out.println(dirs.findFirst().orElseThrow().getFileName());
        }
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE); // parked until the test kills this JVM
    }
}
