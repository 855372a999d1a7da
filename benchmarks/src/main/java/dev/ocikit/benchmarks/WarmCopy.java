package dev.ocikit.benchmarks;

import dev.ocikit.image.Copy;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.registry.DockerTransport;
import dev.ocikit.registry.RegistryClient;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.image.ImageLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One copy, repeated inside one JVM so that class loading and JIT are out of the figure: the
 * "warm" number the registry benchmark reports beside the whole-process one. Each round copies
 * to a fresh repository (or a fresh layout), so nothing is skipped as already present.
 *
 * <pre>java -cp ocikit.jar:benchmarks/target/classes dev.ocikit.benchmarks.WarmCopy push|pull LAYOUT:TAG HOST:PORT ROUNDS WORKDIR</pre>
 */
public final class WarmCopy {
    private WarmCopy() {}

    public static void main(String[] args) throws Exception {
        String direction = args[0];
        String layoutRef = args[1];
        String registry = args[2];
        int rounds = Integer.parseInt(args[3]);
        Path work = Path.of(args[4]);
        int colon = layoutRef.indexOf(':');
        Path layout = Path.of(layoutRef.substring(0, colon));
        String tag = layoutRef.substring(colon + 1);
        DockerTransport docker = new DockerTransport(RegistryClient.builder().plainHttp(registry).build());
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            if (direction.equals("push")) {
                TransportReference to = docker.reference(ImageReference.parse(registry + "/warm/push-" + round + ":" + tag));
                Copy.from(ImageLayout.open(layout).reference(Optional.of(tag))).to(to).run();
            } else {
                Path dest = work.resolve("warm-pull-" + round);
                Files.createDirectories(work);
                TransportReference from = docker.reference(ImageReference.parse(registry + "/bench/source:" + tag));
                Copy.from(from).to(ImageLayout.create(dest).reference(Optional.of(tag))).run();
            }
            System.out.printf("round %d: %.2f s%n", round, (System.nanoTime() - start) / 1e9);
        }
    }
}
