package dev.ocikit.registry;

import dev.ocikit.spec.Digest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a client has seen blobs: which repositories of which registry hold a digest, learned from
 * the manifests it read. A push to another repository of the same registry can then ask for a
 * cross-repository mount instead of uploading the bytes again, as containers/image does with its
 * blob info cache. In memory, one for the JVM (the two ends of a copy usually have clients of their
 * own), bounded (the least recently recorded digests go first), thread-safe. Only a hint: a mount
 * the registry refuses, or one the caller's credentials do not allow, falls back to an upload.
 */
final class BlobLocations {
    static final int MAX_DIGESTS = 10_000;
    private static final int MAX_REPOSITORIES_PER_DIGEST = 8;

    private final Map<Digest, Set<String>> locations = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Digest, Set<String>> eldest) {
            return size() > MAX_DIGESTS;
        }
    };

    /** Records that {@code registry}'s repository {@code path} holds {@code digest}. */
    synchronized void record(String registry, String path, Digest digest) {
        Set<String> repos = locations.computeIfAbsent(digest, d -> new LinkedHashSet<>());
        String key = registry + "/" + path;
        repos.remove(key);
        repos.add(key); // most recent last
        if (repos.size() > MAX_REPOSITORIES_PER_DIGEST) {
            repos.remove(repos.iterator().next());
        }
    }

    /** Repositories of {@code registry} other than {@code exceptPath} known to hold {@code digest}, most recent first. */
    synchronized List<String> repositories(String registry, Digest digest, String exceptPath) {
        Set<String> repos = locations.get(digest);
        if (repos == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        String prefix = registry + "/";
        for (String key : repos) {
            if (key.startsWith(prefix) && !key.substring(prefix.length()).equals(exceptPath)) {
                out.add(0, key.substring(prefix.length()));
            }
        }
        return out;
    }
}
