package dev.ocikit.registry;

import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.OciException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses where to read an image from among its registries.conf pull sources, as the
 * containers/image {@code docker} transport does when it opens an image: the first source whose
 * manifest fetch succeeds wins; every failure moves on to the next; if none works, the registry's
 * own failure is reported with the mirrors' ones.
 */
final class PullSources {
    private static final Logger LOG = LoggerFactory.getLogger(PullSources.class);

    private PullSources() {}

    private record Attempt(ImageReference reference, Exception failure) {}

    static ImageLocation locate(RegistryClient client, ImageReference image) throws IOException {
        List<RegistriesConf.PullSource> sources = client.pullSources(image);
        List<Attempt> failed = new ArrayList<>();
        for (RegistriesConf.PullSource source : sources) {
            LOG.debug("trying to read {} from {}{}", image, source.reference(), source.mirror() ? " (mirror)" : "");
            try {
                RegistryRepository repo = client.pullRepository(source, image);
                ManifestBlob manifest = repo.manifest(ImageLocation.tagOrDigest(source.reference()));
                LOG.debug("{} is read from {}{}", image, source.reference(), source.mirror() ? " (mirror)" : "");
                return new ImageLocation(image, source, repo, manifest);
            } catch (IOException | OciException | UncheckedIOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw e; // the caller wants us to stop, not to try elsewhere
                }
                LOG.debug("reading {} from {} failed: {}", image, source.reference(), e.toString());
                failed.add(new Attempt(source.reference(), e));
            }
        }
        throw failure(failed);
    }

    /**
     * With one attempt, its failure unchanged; with several, the last one's (the registry's own)
     * type where it is one of ours, its message prefixed with the mirrors' failures.
     */
    private static IOException failure(List<Attempt> attempts) {
        Attempt primary = attempts.get(attempts.size() - 1);
        Exception e = primary.failure();
        if (attempts.size() == 1) {
            return rethrow(e);
        }
        StringBuilder m = new StringBuilder("(mirrors also failed: ");
        for (int i = 0; i < attempts.size() - 1; i++) {
            Attempt a = attempts.get(i);
            m.append(i > 0 ? ", " : "").append('[').append(a.reference()).append(": ").append(a.failure().getMessage()).append(']');
        }
        m.append("): ").append(primary.reference()).append(": ").append(e.getMessage());
        String message = m.toString();
        Exception combined;
        if (e instanceof ManifestUnknownException r) {
            combined = new ManifestUnknownException(message, r.status(), r.errors());
        } else if (e instanceof UnauthorizedException r) {
            combined = new UnauthorizedException(message, r.status(), r.errors());
        } else if (e.getClass() == RegistryException.class) {
            RegistryException r = (RegistryException) e;
            combined = new RegistryException(message, r.status(), r.errors());
        } else if (e instanceof ConnectException) {
            combined = new ConnectException(message);
        } else if (e instanceof HttpTimeoutException) {
            combined = new HttpTimeoutException(message);
        } else {
            combined = new IOException(message);
        }
        combined.initCause(e);
        for (int i = 0; i < attempts.size() - 1; i++) {
            combined.addSuppressed(attempts.get(i).failure());
        }
        return rethrow(combined);
    }

    /** Throws a runtime exception as is; returns an IOException for the caller to throw. */
    private static IOException rethrow(Exception e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        return (IOException) e;
    }
}
