package dev.ocikit.image;

import dev.ocikit.image.policy.PolicyTarget;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.ImageReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** How a policy sees a transport reference: the scopes its transport's section of policy.json uses. */
final class SourcePolicyTarget {
    private SourcePolicyTarget() {}

    static PolicyTarget of(TransportReference reference) {
        String transport = reference.transport().name();
        String within = reference.withinTransport();
        Optional<ImageReference> docker = reference.dockerReference();
        switch (transport) {
            case "docker":
                if (docker.isPresent()) {
                    return PolicyTarget.docker(docker.get());
                }
                break;
            case DirTransport.NAME:
                return PolicyTarget.dir(Path.of(within));
            case "oci":
                if (reference instanceof OciTransport.Reference oci) {
                    return PolicyTarget.oci(Path.of(oci.dir()), oci.image());
                }
                return PolicyTarget.oci(Path.of(pathPart(within)), namePart(within));
            case "oci-archive":
                // As containers/image reads it: the path ends at the first colon.
                return PolicyTarget.ociArchive(Path.of(pathPart(within)), namePart(within));
            case "docker-archive":
                return PolicyTarget.dockerArchive(docker);
            default:
                break;
        }
        return PolicyTarget.of(transport, within, List.of(), docker);
    }

    private static String pathPart(String within) {
        int colon = within.indexOf(':');
        return colon < 0 ? within : within.substring(0, colon);
    }

    private static Optional<String> namePart(String within) {
        int colon = within.indexOf(':');
        return colon < 0 || colon == within.length() - 1 ? Optional.empty() : Optional.of(within.substring(colon + 1));
    }
}
