package dev.ocikit.junit.internal;

import dev.ocikit.image.Copy;
import dev.ocikit.image.policy.TrustPolicy;
import dev.ocikit.image.ImageStore;
import dev.ocikit.image.StoredImage;
import dev.ocikit.image.spi.Transports;
import dev.ocikit.junit.ContainerLaunchException;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.InvalidReferenceException;
import dev.ocikit.spec.OciException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a test's image in the store, pulling or copying it in first when needed, once per store:
 * the first test (of any JVM on the machine) that needs an image the store lacks pulls it while
 * holding a lock on the image's name under {@code <store>/junit/}; the others wait, then find it.
 *
 * <ul>
 *   <li>A name or ID the store has is used as it is.
 *   <li>A name it lacks is pulled through the {@code docker://} transport (a short name from
 *       {@code docker.io}, as skopeo does; mirrors from {@code registries.conf} apply) under its
 *       fully qualified name. {@code localhost/} names are never pulled.
 *   <li>A transport reference ({@code oci:/dir:tag}, {@code oci-archive:/file.tar}, ...) is
 *       copied in under {@code localhost/ocikit-junit/import:<hash of the reference>}, once per
 *       JVM (it may have changed since the last run; blobs the store has are not copied again).
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class ImageProvisioner {
    private static final Logger LOG = LoggerFactory.getLogger(ImageProvisioner.class);
    private static final Pattern ID = Pattern.compile("(?:sha256:)?[0-9a-f]{12,64}");
    private static final String DOCKER = "docker://";
    /** Transport references copied in by this JVM, per store: copied once, whoever asks next. */
    private static final Set<String> IMPORTED = ConcurrentHashMap.newKeySet();

    private final ImageStore store;
    private final Transports transports;
    private final Path lockDir;

    /** What {@link #provide} found: the image, and whether this call pulled or copied it into the store. */
    public record Provided(StoredImage image, boolean copied) {}

    public ImageProvisioner(ImageStore store, Transports transports) {
        this.store = Objects.requireNonNull(store, "store");
        this.transports = Objects.requireNonNull(transports, "transports");
        this.lockDir = store.root().resolve("junit");
    }

    /**
     * The store's image for {@code image} (a name, ID or transport reference), pulled or copied
     * in if the store lacks it.
     *
     * @throws ContainerLaunchException saying why it could not be had and what to do
     */
    public Provided provide(String image) throws IOException, InterruptedException {
        Objects.requireNonNull(image, "image");
        if (image.startsWith(DOCKER)) {
            return provideName(image.substring(DOCKER.length()));
        }
        int colon = image.indexOf(':');
        if (colon > 0 && transports.get(image.substring(0, colon)).isPresent() && !parsesAsName(image)) {
            return importReference(image);
        }
        return provideName(image);
    }

    private static boolean parsesAsName(String image) {
        try {
            ImageReference.parse(image);
            return true;
        } catch (InvalidReferenceException e) {
            return false;
        }
    }

    private Provided provideName(String name) throws IOException, InterruptedException {
        Optional<StoredImage> found = find(name);
        if (found.isPresent()) {
            return new Provided(found.get(), false);
        }
        if (ID.matcher(name).matches()) { // also read as a name (repository "sha256"), but meant as an ID
            throw new ContainerLaunchException("there is no image with ID " + name + " in the image store at "
                    + store.root() + "; an ID cannot be pulled: name the image instead");
        }
        ImageReference ref;
        try {
            ref = ImageReference.parse(name).withDefaultTag();
        } catch (InvalidReferenceException e) {
            throw new ContainerLaunchException("\"" + name + "\" is not an image name, ID or transport reference: "
                    + e.getMessage(), e);
        }
        if (ref.domain().equals("localhost")) {
            throw new ContainerLaunchException("image " + ref + " is not in the image store at " + store.root()
                    + ", and localhost/ names are never pulled: build it into that store first (for example with"
                    + " ImageBuilder...commit(store, \"" + ref + "\")), or name an image of a registry");
        }
        String full = ref.toString();
        return FileLocks.withLock(lockDir.resolve("pull-" + shortHash(full) + ".lock"), () -> {
            Optional<StoredImage> pulledMeanwhile = store.find(full);
            if (pulledMeanwhile.isPresent()) {
                return new Provided(pulledMeanwhile.get(), false); // another test or JVM pulled it while we waited
            }
            if (transports.get("docker").isEmpty()) {
                throw new ContainerLaunchException("image " + full + " is not in the image store at " + store.root()
                        + " and cannot be pulled: no docker:// transport is on the class path; add the"
                        + " dev.ocikit:oci-registry dependency, or put the image in the store first");
            }
            LOG.info("pulling {} into the image store at {}", full, store.root());
            try {
                withMachinePolicy(Copy.from(transports.parse(DOCKER + full)).to(store.reference(full))).run();
            } catch (OciException | IOException e) {
                throw new ContainerLaunchException("could not pull " + full + " into the image store at " + store.root()
                        + ": " + e.getMessage() + ". Check the image's name, the network, and registries.conf (mirrors,"
                        + " credentials), or put the image in the store first", e);
            }
            return new Provided(store.resolve(full), true);
        });
    }

    /** As Podman pulls: judged by the machine's policy.json when it has one. */
    private static Copy withMachinePolicy(Copy copy) throws IOException {
        Optional<TrustPolicy> policy = TrustPolicy.loadIfPresent();
        return policy.isPresent() ? copy.policy(policy.get()) : copy;
    }

    private Optional<StoredImage> find(String name) throws IOException {
        try {
            return store.find(name);
        } catch (InvalidReferenceException e) {
            throw new ContainerLaunchException("\"" + name + "\" is not an image name, ID or transport reference: "
                    + e.getMessage(), e);
        }
    }

    private Provided importReference(String reference) throws IOException, InterruptedException {
        String hash = shortHash(reference);
        String name = "localhost/ocikit-junit/import:" + hash;
        String key = store.root() + "\n" + reference;
        if (IMPORTED.contains(key)) {
            Optional<StoredImage> found = store.find(name);
            if (found.isPresent()) {
                return new Provided(found.get(), false);
            }
        }
        return FileLocks.withLock(lockDir.resolve("import-" + hash + ".lock"), () -> {
            if (IMPORTED.contains(key)) {
                Optional<StoredImage> found = store.find(name);
                if (found.isPresent()) {
                    return new Provided(found.get(), false);
                }
            }
            LOG.info("copying {} into the image store at {} as {}", reference, store.root(), name);
            try {
                withMachinePolicy(Copy.from(transports.parse(reference)).to(store.reference(name))).run();
            } catch (OciException | IOException e) {
                throw new ContainerLaunchException("could not copy " + reference + " into the image store at "
                        + store.root() + ": " + e.getMessage() + ". Check that the reference names an image", e);
            }
            IMPORTED.add(key);
            return new Provided(store.resolve(name), true);
        });
    }

    static String shortHash(String text) {
        return HexFormat.of().formatHex(LaunchDefinition.sha256().digest(text.getBytes(StandardCharsets.UTF_8)))
                .substring(0, 16);
    }
}
