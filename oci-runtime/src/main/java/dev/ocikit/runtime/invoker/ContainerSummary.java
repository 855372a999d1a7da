package dev.ocikit.runtime.invoker;

import java.util.Map;
import java.util.Optional;

/**
 * One entry of {@code list --format json}. runc's list entries are not runtime-spec states (no
 * annotations field, extra {@code rootfs}, {@code created}, {@code owner}), so they get their own
 * record. Immutable.
 *
 * @param id the container id
 * @param pid the init's host pid; 0 or absent once stopped
 * @param status {@code created}, {@code running}, {@code paused}, {@code stopped} …
 * @param bundle the bundle directory
 * @param rootfs the root file system path, if reported
 * @param created the creation time (RFC 3339), if reported
 * @param owner the owning user name, if reported
 * @param annotations the config's annotations, if reported
 */
public record ContainerSummary(String id, long pid, String status, String bundle, Optional<String> rootfs,
        Optional<String> created, Optional<String> owner, Map<String, String> annotations) {

    public ContainerSummary {
        rootfs = rootfs == null ? Optional.empty() : rootfs;
        created = created == null ? Optional.empty() : created;
        owner = owner == null ? Optional.empty() : owner;
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
