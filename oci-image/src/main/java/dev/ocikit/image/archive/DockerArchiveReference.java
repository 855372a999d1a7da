package dev.ocikit.image.archive;

import dev.ocikit.image.spi.ImageDestination;
import dev.ocikit.image.spi.ImageSource;
import dev.ocikit.image.spi.InvalidTransportReferenceException;
import dev.ocikit.image.spi.Transport;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.ImageReference;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** A {@code docker-archive:} reference: a path, and a tag or an index. Immutable. */
record DockerArchiveReference(Path path, Optional<ImageReference> tag, OptionalInt index)
        implements TransportReference {

    @Override
    public Transport transport() {
        return DockerArchiveTransport.INSTANCE;
    }

    @Override
    public String withinTransport() {
        if (tag.isPresent()) {
            return path + ":" + tag.get();
        }
        if (index.isPresent()) {
            return path + ":@" + index.getAsInt();
        }
        return path.toString();
    }

    @Override
    public Optional<ImageReference> dockerReference() {
        return tag;
    }

    @Override
    public List<String> recordedNames() throws IOException {
        return DockerArchiveSource.repoTags(this);
    }

    @Override
    public ImageSource openSource() throws IOException {
        return DockerArchiveSource.open(this);
    }

    @Override
    public ImageDestination openDestination() throws IOException {
        if (index.isPresent()) {
            throw new InvalidTransportReferenceException(TransportReference.format(this),
                    "an @INDEX picks an image to read; to write, give a tag or nothing");
        }
        return DockerArchiveDestination.open(this);
    }

    @Override
    public String toString() {
        return TransportReference.format(this);
    }
}
