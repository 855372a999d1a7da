package dev.ocikit.image.policy;

import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.ImageReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An image as the trust policy sees it: the transport it is read through, its identity within
 * that transport (what a policy.json scope names), the broader scopes that also cover it (most
 * specific first), and its Docker reference if it has one (what {@code signedIdentity} compares
 * signatures with). Immutable. Use the factories, which compute the scopes as containers/image's
 * transports do.
 *
 * @param transport the transport name, as a key of policy.json's {@code transports}
 * @param identity the most specific scope naming exactly this image
 * @param namespaces broader scopes, most specific first (without "", the transport default)
 * @param dockerReference the image's Docker reference, if it has one
 * @param instance for one image of an index: that image's manifest digest (see {@link #instance(Digest)})
 */
public record PolicyTarget(String transport, String identity, List<String> namespaces,
        Optional<ImageReference> dockerReference, Optional<Digest> instance) {

    public PolicyTarget {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(identity, "identity");
        namespaces = List.copyOf(namespaces);
        dockerReference = dockerReference == null ? Optional.empty() : dockerReference;
        instance = instance == null ? Optional.empty() : instance;
    }

    PolicyTarget(String transport, String identity, List<String> namespaces, Optional<ImageReference> dockerReference) {
        this(transport, identity, namespaces, dockerReference, Optional.empty());
    }

    /**
     * One image of the index this target names, as containers/image checks each image it copies
     * out of an index: the same scopes and reference, but the manifest decided on is the image's,
     * which must have this digest (rather than the digest the reference names, which is the
     * index's), and the signatures are the ones stored for it.
     */
    public PolicyTarget instance(Digest manifestDigest) {
        return new PolicyTarget(transport, identity, namespaces, dockerReference, Optional.of(manifestDigest));
    }

    /**
     * An image in a registry ({@code docker://}). Scopes: {@code host/ns/repo:tag} or
     * {@code host/ns/repo@digest}, then {@code host/ns/repo}, each parent namespace, the host
     * (with its port, if any), then {@code *.example.com}-style wildcards of the host name.
     * A reference without tag or digest means {@code :latest}, as a pull does; one with both
     * is identified by its digest (the tag is dropped), since the digest is what is fetched.
     */
    public static PolicyTarget docker(ImageReference reference) {
        return registry("docker", reference);
    }

    /** The docker transport for a reference string; see {@link #docker(ImageReference)}. */
    public static PolicyTarget docker(String reference) {
        return docker(ImageReference.parse(reference));
    }

    /** The deprecated {@code atomic:} transport, scoped like {@code docker}. */
    public static PolicyTarget atomic(ImageReference reference) {
        return registry("atomic", reference);
    }

    /** A {@code dir:} directory: its absolute path, then each parent directory except {@code /}. */
    public static PolicyTarget dir(Path directory) {
        String resolved = resolve(directory);
        return new PolicyTarget("dir", resolved, parents(resolved, false), Optional.empty());
    }

    /**
     * An OCI layout ({@code oci:}) and a name in it: {@code /path:name} (just {@code /path}
     * without a name), then {@code /path}, then each parent directory except {@code /}.
     */
    public static PolicyTarget oci(Path layout, Optional<String> imageName) {
        return pathAndName("oci", layout, imageName);
    }

    /** An OCI archive ({@code oci-archive:}), scoped like {@link #oci}. */
    public static PolicyTarget ociArchive(Path archive, Optional<String> imageName) {
        return pathAndName("oci-archive", archive, imageName);
    }

    /**
     * A {@code docker-archive:} file. Like containers/image, this transport has no scopes but its
     * default (""); the reference, if the archive names one, is what signatures are matched to.
     */
    public static PolicyTarget dockerArchive(Optional<ImageReference> reference) {
        return new PolicyTarget("docker-archive", "", List.of(), reference);
    }

    /**
     * How the policy sees an image in any transport: the scopes of that transport's section of
     * policy.json, computed as above for the transports ocikit knows ({@code docker},
     * {@code dir}, {@code oci}, {@code oci-archive}, {@code docker-archive}); any other transport
     * is scoped by its reference text alone.
     */
    public static PolicyTarget of(TransportReference reference) {
        String transport = reference.transport().name();
        String within = reference.withinTransport();
        Optional<ImageReference> docker = reference.dockerReference();
        switch (transport) {
            case "docker":
                if (docker.isPresent()) {
                    return docker(docker.get());
                }
                break;
            case "dir":
                return dir(Path.of(within));
            case "oci":
                // As containers/image reads both: the path ends at the first colon.
                return oci(Path.of(pathPart(within)), namePart(within));
            case "oci-archive":
                return ociArchive(Path.of(pathPart(within)), namePart(within));
            case "docker-archive":
                return dockerArchive(docker);
            default:
                break;
        }
        return of(transport, within, List.of(), docker);
    }

    private static String pathPart(String within) {
        int colon = within.indexOf(':');
        return colon < 0 ? within : within.substring(0, colon);
    }

    private static Optional<String> namePart(String within) {
        int colon = within.indexOf(':');
        return colon < 0 || colon == within.length() - 1 ? Optional.empty() : Optional.of(within.substring(colon + 1));
    }

    /** Any other transport: exactly these scopes. */
    public static PolicyTarget of(String transport, String identity, List<String> namespaces,
            Optional<ImageReference> dockerReference) {
        return new PolicyTarget(transport, identity, namespaces, dockerReference);
    }

    /** All scopes to try, most specific first, ending with "" (the transport default). */
    List<String> scopes() {
        List<String> all = new ArrayList<>();
        all.add(identity);
        all.addAll(namespaces);
        all.add("");
        return all;
    }

    @Override
    public String toString() {
        return transport + ":" + dockerReference.map(ImageReference::toString).orElse(identity)
                + instance.map(d -> " (image " + d + ")").orElse("");
    }

    private static PolicyTarget registry(String transport, ImageReference reference) {
        ImageReference ref = reference.tag().isPresent() && reference.digest().isPresent() ? reference.withoutTag()
                : reference.withDefaultTag();
        List<String> namespaces = new ArrayList<>();
        String name = ref.repository();
        while (true) {
            namespaces.add(name);
            int slash = name.lastIndexOf('/');
            if (slash < 0) {
                break;
            }
            name = name.substring(0, slash);
        }
        // name is now the host (maybe with a port): its wildcards drop the port and one label at a time.
        int colon = name.startsWith("[") ? name.indexOf(':', name.indexOf(']')) : name.indexOf(':');
        String host = colon < 0 ? name : name.substring(0, colon);
        for (int dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.')) {
            host = host.substring(dot + 1);
            namespaces.add("*." + host);
        }
        return new PolicyTarget(transport, ref.toString(), namespaces, Optional.of(ref));
    }

    private static PolicyTarget pathAndName(String transport, Path path, Optional<String> imageName) {
        String resolved = resolve(path);
        String name = imageName.orElse("");
        String identity = name.isEmpty() ? resolved : resolved + ":" + name;
        return new PolicyTarget(transport, identity, parents(resolved, !name.isEmpty()), Optional.empty());
    }

    /** Parent directories of an absolute path, never "/" (which would shadow ""); with the path itself first if asked. */
    private static List<String> parents(String resolved, boolean includeSelf) {
        List<String> result = new ArrayList<>();
        String p = resolved;
        if (includeSelf && !p.equals("/")) {
            result.add(p);
        }
        for (int slash = p.lastIndexOf('/'); slash > 0; slash = p.lastIndexOf('/')) {
            p = p.substring(0, slash);
            result.add(p);
        }
        return result;
    }

    /** Absolute, normalised, and with symbolic links resolved as far as the path exists, as containers/image does. */
    private static String resolve(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs.toString();
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(abs)).normalize().toString();
        } catch (IOException e) {
            return abs.toString();
        }
    }
}
