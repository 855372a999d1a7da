package dev.ocikit.image.spi;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The transports available to a program: those on the class path (found with
 * {@link ServiceLoader}) or an explicit set. Immutable and thread-safe. Two transports with the
 * same name are an error at construction, not a silent choice.
 */
public final class Transports {
    private final Map<String, Transport> byName;

    private Transports(Map<String, Transport> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** Every transport on the class path of this class's loader. */
    public static Transports load() {
        return load(Transports.class.getClassLoader());
    }

    /** Every transport that {@code loader} can see. */
    public static Transports load(ClassLoader loader) {
        return of(ServiceLoader.load(Transport.class, loader).stream().map(ServiceLoader.Provider::get).toList());
    }

    /** Exactly these transports. */
    public static Transports of(Collection<? extends Transport> transports) {
        Map<String, Transport> map = new TreeMap<>();
        for (Transport t : transports) {
            Transport previous = map.put(Objects.requireNonNull(t.name(), "name"), t);
            if (previous != null && previous.getClass() != t.getClass()) {
                throw new IllegalStateException("two transports are named '" + t.name() + "': "
                        + previous.getClass().getName() + " and " + t.getClass().getName());
            }
        }
        return new Transports(map);
    }

    /** The transport with that name. */
    public Optional<Transport> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The names, sorted. */
    public Collection<String> names() {
        return byName.keySet();
    }

    /**
     * Parses {@code transport:reference}, as Skopeo does: {@code oci:/srv/layout:tag},
     * {@code docker://quay.io/fedora/fedora:40}, {@code dir:/tmp/img}.
     *
     * @throws InvalidTransportReferenceException if there is no transport prefix, the transport
     *     is unknown (the message lists the known ones), or the transport refuses the rest
     */
    public TransportReference parse(String reference) {
        Objects.requireNonNull(reference, "reference");
        int colon = reference.indexOf(':');
        if (colon <= 0) {
            throw new InvalidTransportReferenceException(reference,
                    "expected transport:reference, with a transport among " + byName.keySet());
        }
        String name = reference.substring(0, colon);
        Transport t = byName.get(name);
        if (t == null) {
            String hint = name.contains(".") || name.contains("/")
                    ? " (a registry image needs the docker:// prefix)" : "";
            throw new InvalidTransportReferenceException(reference, "unknown transport '" + name + "'" + hint
                    + "; known transports: " + byName.keySet());
        }
        return t.parse(reference.substring(colon + 1));
    }
}
