package dev.ocikit.image;

import dev.ocikit.image.internal.LibC;
import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.InvalidReferenceException;
import dev.ocikit.spec.OciException;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.Manifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.Parsed;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local image store, in the role of Podman's local storage: named images that can be listed,
 * tagged, untagged, removed, and found by name, full or short ID, or digest.
 *
 * <h2>Layout on disk</h2>
 * The store's root is an OCI image layout: each name is an entry of {@code index.json} whose
 * {@code org.opencontainers.image.ref.name} is the fully qualified name
 * ({@code docker.io/library/busybox:latest}), and an image without names is an entry without
 * one. So skopeo and umoci read the store directly, for example
 * {@code skopeo inspect oci:$ROOT:docker.io/library/busybox:latest}. (skopeo finds only entries
 * of OCI media types by name; the store also keeps Docker v2 schema 2 manifests unchanged, so
 * that their registry digests stay valid.)
 *
 * <h2>Names and IDs</h2>
 * A new name ({@link #tag}, a {@linkplain #reference destination}) is normalised with
 * {@link ImageReference}; a short name gets {@code localhost/}, as {@code podman tag} does, and a
 * name without tag or digest gets {@code :latest}. Looking up a short name tries
 * {@code localhost/NAME} and then {@code docker.io/library/NAME}. An image's ID is its config's
 * digest (for an index, the index's digest); it can be given in full ({@code sha256:…} or the
 * 64 hex characters) or as a unique prefix, as Podman shows them (12 hex characters) or shorter;
 * one config under several manifests is one image by its ID.
 * A name moves: tagging an image with a name another image had leaves that one unnamed, as
 * pulling a newer {@code busybox:latest} does in Podman.
 *
 * <h2>Concurrency</h2>
 * Thread-safe, and several JVMs may use one store: each change of names is one atomic
 * replacement of {@code index.json} under a lock held across JVMs, and images are written
 * through {@linkplain #reference destinations} whose blobs garbage collection spares until they
 * are committed or closed. Removing an image only drops its names and entry; its blobs go at the
 * next {@link #collectGarbage()}.
 *
 * <h2>Writing images</h2>
 * The copy engine writes into the store through {@link #reference(String)}, a
 * {@link TransportReference} of the {@code ocikit:} transport ({@link StoreTransport}).
 */
public final class ImageStore {
    private static final Logger LOG = LoggerFactory.getLogger(ImageStore.class);
    /** The root when running as root, as Podman's is {@code /var/lib/containers/storage}. */
    static final Path SYSTEM_ROOT = Path.of("/var/lib/ocikit");
    private static final Pattern FULL_ID = Pattern.compile("(?:sha256:)?[0-9a-f]{64}");
    private static final Pattern SHORT_ID = Pattern.compile("[0-9a-f]{12,63}");
    /** A prefix too short to be taken for an ID before names are tried. */
    private static final Pattern SHORT_PREFIX = Pattern.compile("[0-9a-f]{1,11}");
    private static final String LOCALHOST = "localhost/";

    private final ImageLayout layout;
    /** Manifest digest to config digest; content-addressed, so never stale. */
    private final Map<Digest, Digest> configOfManifest = new ConcurrentHashMap<>();

    private ImageStore(ImageLayout layout) {
        this.layout = layout;
    }

    /** Opens (creating if needed) the store at {@link #defaultRoot()}. */
    public static ImageStore open() throws IOException {
        return open(defaultRoot());
    }

    /**
     * Opens (creating if needed) the store at {@code root}.
     *
     * @throws ImageLayoutException if {@code root} has other content and is not a store
     */
    public static ImageStore open(Path root) throws IOException {
        return new ImageStore(ImageLayout.create(Objects.requireNonNull(root, "root")));
    }

    /**
     * The store's default root: {@code /var/lib/ocikit} for root, else
     * {@code $XDG_DATA_HOME/ocikit}, with {@code XDG_DATA_HOME} defaulting to
     * {@code ~/.local/share} (a relative value is ignored, as the XDG spec says).
     */
    public static Path defaultRoot() {
        boolean root = LibC.available() ? LibC.geteuid() == 0 : "root".equals(System.getProperty("user.name"));
        return defaultRoot(System.getenv(), root, Path.of(System.getProperty("user.home")));
    }

    static Path defaultRoot(Map<String, String> env, boolean root, Path home) {
        if (root) {
            return SYSTEM_ROOT;
        }
        String xdg = env.get("XDG_DATA_HOME");
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "ocikit");
        }
        return home.resolve(".local/share/ocikit");
    }

    /** The store's directory. */
    public Path root() {
        return layout.root();
    }

    /**
     * The store's blobs, for tools that write layers straight into it, as the image builder does
     * with the layers it packs. A blob no image refers to is deleted by {@link #collectGarbage()}.
     */
    public BlobStore blobStore() throws IOException {
        return layout.blobStore();
    }

    /** The image layout the store is. */
    ImageLayout layout() {
        return layout;
    }

    // ---- names -------------------------------------------------------------------------------

    /**
     * The fully qualified name the store gives {@code name}: {@code localhost/} before a short
     * name, {@code :latest} when it has neither tag nor digest.
     *
     * @throws InvalidReferenceException if it is not a valid image name
     */
    public static ImageReference normalizeName(String name) {
        Objects.requireNonNull(name, "name");
        ImageReference ref = ImageReference.isShortName(name) ? ImageReference.parse(LOCALHOST + name)
                : ImageReference.parse(name);
        return ref.withDefaultTag();
    }

    /** The names a lookup of {@code name} tries, in order. */
    static List<ImageReference> lookupCandidates(String name) {
        if (ImageReference.isShortName(name)) {
            return List.of(ImageReference.parse(LOCALHOST + name).withDefaultTag(),
                    ImageReference.parse(name).withDefaultTag());
        }
        return List.of(ImageReference.parse(name).withDefaultTag());
    }

    static boolean isIdLike(String s) {
        return FULL_ID.matcher(s).matches() || SHORT_ID.matcher(s).matches();
    }

    // ---- reading -----------------------------------------------------------------------------

    /** One image of {@code index.json}: its entries grouped by content. */
    private record Entry(Descriptor descriptor, List<ImageReference> names) {
        Digest digest() {
            return descriptor.digest();
        }
    }

    private static List<Entry> entries(ImageIndex index) {
        Map<Digest, Descriptor> descriptors = new LinkedHashMap<>();
        Map<Digest, List<ImageReference>> names = new LinkedHashMap<>();
        for (Descriptor d : index.manifests()) {
            descriptors.putIfAbsent(d.digest(), ImageLayout.withoutRefName(d));
            List<ImageReference> list = names.computeIfAbsent(d.digest(), k -> new ArrayList<>());
            d.refName().flatMap(ImageStore::parseStoredName).filter(n -> !list.contains(n)).ifPresent(list::add);
        }
        List<Entry> out = new ArrayList<>();
        descriptors.forEach((digest, d) -> out.add(new Entry(d, names.get(digest))));
        return out;
    }

    /** A ref name another tool wrote may not be an image name; the store then shows no name for it. */
    private static Optional<ImageReference> parseStoredName(String refName) {
        try {
            ImageReference ref = ImageReference.parse(refName);
            return ref.toString().equals(refName) ? Optional.of(ref) : Optional.empty();
        } catch (InvalidReferenceException e) {
            LOG.debug("ignoring ref name {} in the image store: not a fully qualified image name", refName);
            return Optional.empty();
        }
    }

    /** The image ID: the config digest of a manifest, the digest of an index or anything else. */
    private Digest idOf(Descriptor d) throws IOException {
        if (!MediaTypes.isManifest(d.mediaType())) {
            return d.digest();
        }
        Digest cached = configOfManifest.get(d.digest());
        if (cached != null) {
            return cached;
        }
        Manifest m = layout.manifest(d).model();
        Digest config = ((ImageManifest) m).config().digest();
        configOfManifest.put(d.digest(), config);
        return config;
    }

    private StoredImage toImage(Entry e) throws IOException {
        return new StoredImage(idOf(e.descriptor()), e.descriptor(), e.names());
    }

    /**
     * Every image, in the order they were first stored.
     *
     * @throws BlobUnknownException if an image's manifest is missing (the store is damaged;
     *     remove that image by name)
     */
    public List<StoredImage> list() throws IOException {
        List<StoredImage> out = new ArrayList<>();
        for (Entry e : entries(layout.index())) {
            out.add(toImage(e));
        }
        return out;
    }

    /**
     * What a lookup found, and whether it was by one of the image's names. Found by ID, it is
     * every entry with that ID ({@code sameId}): one config reached through several manifests
     * (from an OCI layout, a Docker registry and an archive) is one image to Podman.
     */
    private record Match(Entry entry, Optional<ImageReference> name, List<Entry> sameId) {
        Match(Entry entry, Optional<ImageReference> name) {
            this(entry, name, List.of(entry));
        }
    }

    private Optional<Match> lookup(ImageIndex index, String input) throws IOException {
        Objects.requireNonNull(input, "nameOrId");
        List<Entry> entries = entries(index);
        boolean idLike = isIdLike(input);
        if (idLike) {
            Optional<Match> byId = byId(entries, input);
            if (byId.isPresent()) {
                return byId;
            }
        }
        List<ImageReference> candidates;
        try {
            candidates = lookupCandidates(input);
        } catch (InvalidReferenceException e) {
            if (idLike) {
                return Optional.empty();
            }
            throw e;
        }
        for (ImageReference candidate : candidates) {
            for (Entry e : entries) {
                if (e.names().contains(candidate)) {
                    return Optional.of(new Match(e, Optional.of(candidate)));
                }
            }
        }
        for (ImageReference candidate : candidates) {
            if (candidate.digest().isPresent()) {
                for (Entry e : entries) {
                    boolean sameRepository = e.names().stream().anyMatch(n -> n.repository().equals(candidate.repository()));
                    if (e.digest().equals(candidate.digest().get()) && sameRepository) {
                        return Optional.of(new Match(e, Optional.empty()));
                    }
                }
            }
        }
        // A shorter ID prefix, as Podman takes any: tried after names, which it may also spell
        if (!idLike && SHORT_PREFIX.matcher(input).matches()) {
            return byId(entries, input);
        }
        return Optional.empty();
    }

    /** The entries whose ID (or, given in full, manifest digest) is {@code input} or starts with it. */
    private Optional<Match> byId(List<Entry> entries, String input) throws IOException {
        String hex = input.startsWith("sha256:") ? input.substring("sha256:".length()) : input;
        List<Entry> matches = new ArrayList<>();
        Set<Digest> ids = new LinkedHashSet<>();
        for (Entry e : entries) {
            if (hex.length() == 64 && e.digest().encoded().equals(hex)) {
                return Optional.of(new Match(e, Optional.empty()));
            }
            Digest id;
            try {
                id = idOf(e.descriptor());
            } catch (OciException ex) {
                LOG.warn("image {} in {} cannot be read ({}); it is skipped in lookups by ID", e.digest(), root(),
                        ex.getMessage());
                continue;
            }
            if (hex.length() == 64 ? id.encoded().equals(hex) : id.encoded().startsWith(hex)) {
                matches.add(e);
                ids.add(id);
            }
        }
        if (matches.isEmpty()) {
            return Optional.empty();
        }
        if (ids.size() == 1) {
            return Optional.of(new Match(matches.get(0), Optional.empty(), List.copyOf(matches)));
        }
        List<String> candidates = new ArrayList<>();
        for (Entry e : matches) {
            candidates.add(idOf(e.descriptor()) + " " + e.names());
        }
        throw new AmbiguousImageException(input, candidates, "\"" + input + "\" matches " + ids.size()
                + " images in " + root() + ": " + candidates + "; give more of the ID, or a name");
    }

    private Match require(ImageIndex index, String nameOrId) throws IOException {
        return lookup(index, nameOrId).orElseThrow(() -> new ImageUnknownException(nameOrId,
                "image \"" + nameOrId + "\" is not in the image store at " + root()));
    }

    /**
     * The image with that name, ID (full, or a unique prefix: one of 12 or more hex characters
     * before names are tried, a shorter one after) or manifest digest, if the store has it.
     *
     * @throws AmbiguousImageException if a short ID matches several images
     * @throws InvalidReferenceException if it is neither an ID nor a valid name
     */
    public Optional<StoredImage> find(String nameOrId) throws IOException {
        Optional<Match> match = lookup(layout.index(), nameOrId);
        return match.isEmpty() ? Optional.empty() : Optional.of(toImage(match.get().entry()));
    }

    /**
     * Like {@link #find}, but the image must be there.
     *
     * @throws ImageUnknownException if it is not
     */
    public StoredImage resolve(String nameOrId) throws IOException {
        return find(nameOrId).orElseThrow(() -> new ImageUnknownException(nameOrId,
                "image \"" + nameOrId + "\" is not in the image store at " + root()));
    }

    /**
     * The image manifest of {@code image} for {@code platform}: the image itself, or, for an
     * index, the entry that suits the platform best (through nested indexes).
     *
     * @throws ImageUnknownException if the index has no image for the platform
     */
    public Parsed<ImageManifest> manifest(StoredImage image, Platform platform) throws IOException {
        return layout.imageManifest(image.descriptor(), platform);
    }

    /** The verified config of an image manifest of this store. */
    public Parsed<ImageConfig> config(ImageManifest manifest) throws IOException {
        return layout.config(manifest);
    }

    /** Opens a blob. The caller closes the stream. */
    public InputStream openBlob(Digest digest) throws IOException {
        return layout.openBlob(digest);
    }

    // ---- changing names ----------------------------------------------------------------------

    /**
     * Gives the image {@code nameOrId} finds the name {@code newName} (normalised as
     * {@link #normalizeName} says). The image that had the name loses it.
     *
     * @return the image with its new name
     */
    public StoredImage tag(String nameOrId, String newName) throws IOException {
        ImageReference name = normalizeName(newName);
        Digest[] tagged = new Digest[1];
        ImageIndex after = layout.update(index -> {
            Entry e = require(index, nameOrId).entry();
            tagged[0] = e.digest();
            return ImageLayout.withRef(index, Optional.of(name.toString()), e.descriptor());
        });
        return imageWithDigest(after, tagged[0]);
    }

    /**
     * Removes the name {@code name} from its image; an image left without names stays in the
     * store (Podman's {@code <none>}) until removed.
     *
     * @throws ImageUnknownException if no image has that name
     */
    public void untag(String name) throws IOException {
        List<ImageReference> candidates = lookupCandidates(name);
        layout.update(index -> {
            for (ImageReference candidate : candidates) {
                for (Entry e : entries(index)) {
                    if (e.names().contains(candidate)) {
                        return withoutName(index, candidate.toString());
                    }
                }
            }
            throw new ImageUnknownException(name, "no image in " + root() + " is named \"" + name + "\"");
        });
    }

    /**
     * What {@link #remove} did.
     *
     * @param untagged the names removed
     * @param removed the manifest digest of the image removed from the store, if it was (not
     *     when only a name was removed)
     */
    public record Removal(List<ImageReference> untagged, Optional<Digest> removed) {
        public Removal {
            untagged = List.copyOf(untagged);
            Objects.requireNonNull(removed, "removed");
        }
    }

    /**
     * Removes an image, as {@code podman rmi} does: given one of several names, only that name
     * is removed; given a name it is the only one of, or its ID or digest, the image is removed
     * with its names. An image found by ID or digest that has several names is refused unless
     * {@code force}. Blobs are deleted by {@link #collectGarbage()}.
     *
     * @throws ImageUnknownException if no image matches
     * @throws ImageConflictException if the image has several names, was given by ID, and
     *     {@code force} is false; nothing changes then
     */
    public Removal remove(String nameOrId, boolean force) throws IOException {
        Removal[] result = new Removal[1];
        layout.update(index -> {
            Match match = require(index, nameOrId);
            Entry e = match.entry();
            if (match.name().isPresent() && e.names().size() > 1) {
                result[0] = new Removal(List.of(match.name().get()), Optional.empty());
                return withoutName(index, match.name().get().toString());
            }
            List<ImageReference> names = match.sameId().stream().flatMap(m -> m.names().stream()).distinct().toList();
            if (match.name().isEmpty() && names.size() > 1 && !force) {
                throw new ImageConflictException("image " + nameOrId + " has several names " + names
                        + "; remove them one by one, or force the removal of the image and all its names");
            }
            Set<Digest> gone = new HashSet<>();
            match.sameId().forEach(m -> gone.add(m.digest()));
            result[0] = new Removal(names, Optional.of(e.digest()));
            return index.withManifests(index.manifests().stream().filter(d -> !gone.contains(d.digest())).toList());
        });
        return result[0];
    }

    /** {@code index} without the name; an image left without names stays as one unnamed entry. */
    static ImageIndex withoutName(ImageIndex index, String name) {
        List<Descriptor> out = new ArrayList<>();
        for (Descriptor d : index.manifests()) {
            out.add(d.refName().filter(name::equals).isPresent() ? ImageLayout.withoutRefName(d) : d);
        }
        return index.withManifests(ImageLayout.dropRedundantUnnamed(out));
    }

    private StoredImage imageWithDigest(ImageIndex index, Digest digest) throws IOException {
        for (Entry e : entries(index)) {
            if (e.digest().equals(digest)) {
                return toImage(e);
            }
        }
        throw new ImageUnknownException(digest.toString(), "image " + digest + " vanished from " + root());
    }

    // ---- space and transports ----------------------------------------------------------------

    /**
     * Re-hashes every blob and checks that every image has all it needs; see
     * {@link ImageLayout#verify()}. Changes nothing.
     */
    public VerifyReport verify() throws IOException {
        return layout.verify();
    }

    /**
     * The DiffIDs of every layer of every image in the store, through indexes to the images of
     * them the store holds: the layer snapshots worth keeping for it.
     */
    public Set<Digest> layerDiffIds() throws IOException {
        Set<Digest> out = new HashSet<>();
        for (Entry e : entries(layout.index())) {
            addDiffIds(e.descriptor(), out, 0);
        }
        return out;
    }

    private void addDiffIds(Descriptor d, Set<Digest> out, int depth) throws IOException {
        if (depth > 8 || !layout.contains(d.digest())) {
            return; // a platform of an index not pulled; or an absurd nesting
        }
        Manifest m = layout.manifest(d).model();
        if (m instanceof ImageManifest image) {
            if (MediaTypes.isConfig(image.config().mediaType()) && layout.contains(image.config().digest())) {
                out.addAll(layout.config(image).model().diffIds());
            }
        } else if (m instanceof ImageIndex index) {
            for (Descriptor child : index.manifests()) {
                addDiffIds(child, out, depth + 1);
            }
        }
    }

    /**
     * Deletes the blobs no image uses (nor any write in progress, in any JVM).
     *
     * @see ImageLayout#collectGarbage()
     */
    public GarbageReport collectGarbage() throws IOException {
        GarbageReport report = layout.collectGarbage();
        signatures().retainOnly(manifest -> {
            try {
                return layout.blobSize(manifest).isPresent();
            } catch (IOException e) {
                return true; // unsure: keep them
            }
        });
        return report;
    }

    /** The signatures kept with the store's images (see {@link StoreSignatures}). */
    StoreSignatures signatures() {
        return new StoreSignatures(root());
    }

    /**
     * The {@code ocikit:} reference to an image of this store, for the copy engine: as a source,
     * {@code nameOrId} is looked up like {@link #resolve}; as a destination it is the name the
     * image gets (normalised like {@link #normalizeName}), or empty for no name.
     *
     * @throws dev.ocikit.image.spi.InvalidTransportReferenceException if it is neither an ID nor
     *     a valid name
     */
    public TransportReference reference(String nameOrId) {
        return StoreTransport.reference(root(), nameOrId);
    }

    @Override
    public String toString() {
        return "ImageStore[" + root() + "]";
    }
}
