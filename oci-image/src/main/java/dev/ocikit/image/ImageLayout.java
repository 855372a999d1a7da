package dev.ocikit.image;

import dev.ocikit.image.spi.TransportReference;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.InvalidDigestException;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.OciException;
import dev.ocikit.spec.Platform;
import dev.ocikit.spec.image.Annotations;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageConfig;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.Manifest;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.OciLayout;
import dev.ocikit.spec.image.Parsed;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OCI image layout directory: the {@code oci-layout} file, {@code index.json} naming images
 * with {@link Annotations#REF_NAME} ("refs", or tags), and the content-addressed
 * {@code blobs/<algorithm>/<encoded>}. Layouts written by skopeo's {@code oci:} transport and by
 * umoci are read as they are, and those written here are read by both.
 *
 * <h2>Reading</h2>
 * {@link #open} opens an existing layout without changing it (nothing is created until the
 * first write). {@link #refs()}, {@link #resolve} and {@link #soleImage()} find an entry of
 * {@code index.json}; {@link #manifest}, {@link #imageManifest} (through nested indexes, choosing
 * a platform) and {@link #config} read and verify documents; {@link #openBlob} streams a blob.
 *
 * <h2>Writing</h2>
 * {@link #create} makes a new layout or opens an existing one. Blobs are written through a
 * {@link BlobStore} (verified while they stream, published by atomic rename); {@code index.json}
 * is replaced atomically (temporary file, fsync, rename) under a lock held across threads and
 * JVMs ({@code index.lock}), so concurrent {@link #tag}s never lose each other's entries.
 * {@link #collectGarbage()} deletes blobs that nothing in {@code index.json} reaches, sparing
 * those that an open destination ({@link #reference(Optional)}) has written or reused but
 * not yet committed. Writing a blob with {@link #putBlob} and then tagging it is not protected
 * that way: a collection in between removes the blob and the tag is refused; use a destination
 * for writes that must survive a concurrent collection.
 *
 * <p>Besides the layout's own files, writing adds {@code index.lock}, {@code lock}, and the
 * directories {@code ingest/} and {@code pins/}; other tools ignore them.
 *
 * <p>Instances are immutable handles and thread-safe; nothing is cached, so every call sees
 * what is on disk now. Streams returned are closed by the caller.
 */
public final class ImageLayout {
    private static final Logger LOG = LoggerFactory.getLogger(ImageLayout.class);

    /** The name of the index file. */
    public static final String INDEX_FILE = "index.json";
    /** Largest manifest or index read, as containers/image limits them. */
    public static final long MAX_MANIFEST_SIZE = 4L * 1024 * 1024;
    /** Largest image config read. */
    public static final long MAX_CONFIG_SIZE = 8L * 1024 * 1024;
    /** Largest {@code index.json} read (some hundred thousand entries). */
    public static final long MAX_INDEX_SIZE = 64L * 1024 * 1024;
    /** How deep indexes may nest inside each other. */
    static final int MAX_DEPTH = 8;
    static final String INDEX_LOCK = "index.lock";

    /** The grammar the image spec gives for {@code org.opencontainers.image.ref.name}. */
    private static final Pattern REF_NAME = Pattern.compile(
            "[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*");
    /**
     * The entries of a layout directory that the image spec defines; a program archiving a
     * layout (as {@code oci-archive:} does) takes these and leaves ocikit's working files
     * ({@code index.lock}, {@code lock}, {@code ingest/}, {@code pins/}) out.
     */
    public static final Set<String> SPEC_ENTRIES = Set.of(OciLayout.FILE_NAME, INDEX_FILE, "blobs");

    private final Path root;
    private final StoreLock indexLock;
    private volatile BlobStore blobs;

    private ImageLayout(Path root) {
        this.root = root;
        this.indexLock = StoreLock.of(root.resolve(INDEX_LOCK));
    }

    /**
     * Opens an existing layout. Nothing is written.
     *
     * @throws ImageLayoutException if the directory does not exist, has no {@code oci-layout}
     *     file, has one of a version other than 1.x, or has no {@code index.json}
     * @throws MalformedDocumentException if {@code oci-layout} is not valid JSON of its kind
     */
    public static ImageLayout open(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) {
            throw new ImageLayoutException("image layout " + dir + " does not exist (or is not a directory)");
        }
        ImageLayout layout = new ImageLayout(dir.toRealPath());
        if (!layout.checkHeader()) {
            throw new ImageLayoutException(dir + " is not an OCI image layout: it has no " + OciLayout.FILE_NAME
                    + " file");
        }
        if (!Files.isRegularFile(layout.root.resolve(INDEX_FILE))) {
            throw new ImageLayoutException("image layout " + dir + " has no " + INDEX_FILE
                    + "; the image spec requires one (an empty layout has {\"schemaVersion\":2,\"manifests\":[]})");
        }
        return layout;
    }

    /**
     * Opens the layout at {@code dir}, creating it (and missing parent directories) if the
     * directory does not exist or is empty: {@code oci-layout}, an empty {@code index.json} and
     * {@code blobs/}.
     *
     * @throws ImageLayoutException if the directory has other content but is not a layout (it is
     *     left untouched), or is a layout of an unsupported version
     */
    public static ImageLayout create(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ImageLayoutException("cannot create an image layout at " + dir + ": it is not a directory");
        }
        // Refuse before touching anything, unless another create of this directory left its lock.
        if (Files.isDirectory(dir) && !Files.exists(dir.resolve(OciLayout.FILE_NAME))
                && !Files.exists(dir.resolve(INDEX_LOCK)) && hasForeignContent(dir, Set.of())) {
            throw notALayout(dir);
        }
        Files.createDirectories(dir);
        ImageLayout layout = new ImageLayout(dir.toRealPath());
        try (StoreLock.Held held = layout.indexLock.exclusive()) {
            if (!layout.checkHeader()) {
                // What an earlier create, interrupted before it wrote oci-layout, may have left.
                if (hasForeignContent(layout.root, Set.of("blobs", INDEX_FILE))) {
                    throw notALayout(dir);
                }
                Files.createDirectories(layout.root.resolve("blobs"));
                AtomicFiles.write(layout.root.resolve(INDEX_FILE), ImageIndex.builder().build().toJson());
                // oci-layout last: a directory with it is a complete layout.
                AtomicFiles.write(layout.root.resolve(OciLayout.FILE_NAME), OciLayout.CURRENT.toJson());
                LOG.debug("created image layout {}", layout.root);
            } else if (!Files.exists(layout.root.resolve(INDEX_FILE))) {
                AtomicFiles.write(layout.root.resolve(INDEX_FILE), ImageIndex.builder().build().toJson());
            }
        }
        return layout;
    }

    private static ImageLayoutException notALayout(Path dir) {
        return new ImageLayoutException("refusing to write an image layout into " + dir
                + ": it is not empty and is not an OCI image layout (no " + OciLayout.FILE_NAME
                + " file); give an empty or new directory");
    }

    private static boolean hasForeignContent(Path dir, Set<String> alsoOwn) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!name.equals(INDEX_LOCK) && !alsoOwn.contains(name) && !isOwnTemporary(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The temporary files {@link AtomicFiles#write} makes for the layout's own files. */
    private static boolean isOwnTemporary(String name) {
        return (name.startsWith("." + INDEX_FILE + ".") || name.startsWith("." + OciLayout.FILE_NAME + "."))
                && name.endsWith(".tmp");
    }

    /** Whether {@code oci-layout} exists; throws if it exists but is unusable. */
    private boolean checkHeader() throws IOException {
        Path file = root.resolve(OciLayout.FILE_NAME);
        byte[] bytes;
        try {
            if (Files.size(file) > 64 * 1024) {
                throw new ImageLayoutException(file + " is " + Files.size(file) + " bytes: not an oci-layout file");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return false;
        }
        OciLayout header = Json.parse(bytes, OciLayout.class, "oci-layout file of " + root);
        if (!header.supported()) {
            throw new ImageLayoutException("image layout " + root + " has version " + header.imageLayoutVersion()
                    + "; ocikit reads layouts of version 1.x");
        }
        return true;
    }

    /** The layout's directory (a real path). */
    public Path root() {
        return root;
    }

    // ---- index.json --------------------------------------------------------------------------

    /**
     * {@code index.json} as it is now.
     *
     * @throws MalformedDocumentException if it is not a valid image index
     */
    public ImageIndex index() throws IOException {
        Path file = root.resolve(INDEX_FILE);
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_INDEX_SIZE) {
                throw new MalformedDocumentException("index.json of image layout " + root, "",
                        "it is " + size + " bytes, more than the " + MAX_INDEX_SIZE + " ocikit reads");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ImageLayoutException("image layout " + root + " has no " + INDEX_FILE);
        }
        ParsedIndex last = lastIndex;
        if (last != null && Arrays.equals(last.bytes(), bytes)) {
            return last.index(); // the same bytes as last time: the same (immutable) index, not parsed again
        }
        ImageIndex index = Json.parse(bytes, ImageIndex.class, "index.json of image layout " + root);
        lastIndex = new ParsedIndex(bytes, index);
        return index;
    }

    /** The last index.json read, with its bytes: a store reads it at every lookup and it seldom changes. */
    private record ParsedIndex(byte[] bytes, ImageIndex index) {}

    private volatile ParsedIndex lastIndex;

    /** The ref names ({@link Annotations#REF_NAME}) of {@code index.json}, in its order, each once. */
    public List<String> refs() throws IOException {
        Set<String> out = new LinkedHashSet<>();
        for (Descriptor d : index().manifests()) {
            d.refName().ifPresent(out::add);
        }
        return List.copyOf(out);
    }

    /** The entry of {@code index.json} tagged {@code ref}, if any (the first, if several are). */
    public Optional<Descriptor> find(String ref) throws IOException {
        Objects.requireNonNull(ref, "ref");
        return index().manifests().stream().filter(d -> d.refName().filter(ref::equals).isPresent()).findFirst();
    }

    /**
     * The manifest or index that {@code refOrDigest} names: the entry of {@code index.json}
     * tagged with it, else, if it is a digest ({@code sha256:…}), the entry with that digest or a
     * manifest or index reachable from one (an image inside a nested index).
     *
     * @throws ImageUnknownException if nothing matches
     */
    public Descriptor resolve(String refOrDigest) throws IOException {
        Objects.requireNonNull(refOrDigest, "refOrDigest");
        ImageIndex index = index();
        for (Descriptor d : index.manifests()) {
            if (d.refName().filter(refOrDigest::equals).isPresent()) {
                return d;
            }
        }
        Optional<Digest> digest = parseDigest(refOrDigest);
        if (digest.isPresent()) {
            Optional<Descriptor> found = findByDigest(index, digest.get());
            if (found.isPresent()) {
                return found.get();
            }
        }
        throw new ImageUnknownException(refOrDigest, "image layout " + root + " has no image named \"" + refOrDigest
                + "\"" + (digest.isPresent() ? " or with that digest" : "") + "; it has " + describeRefs(index));
    }

    /**
     * The only entry of {@code index.json}, as skopeo reads {@code oci:DIR} without a reference.
     *
     * @throws ImageUnknownException if the index is empty
     * @throws AmbiguousImageException if it lists several entries
     */
    public Descriptor soleImage() throws IOException {
        ImageIndex index = index();
        if (index.manifests().isEmpty()) {
            throw new ImageUnknownException("", "image layout " + root + " holds no image (index.json is empty)");
        }
        if (index.manifests().size() > 1) {
            List<String> candidates = index.manifests().stream()
                    .map(d -> d.refName().orElse(d.digest().toString())).toList();
            throw new AmbiguousImageException("", candidates, "image layout " + root + " holds "
                    + index.manifests().size() + " images; name one of " + candidates);
        }
        return index.manifests().get(0);
    }

    private static String describeRefs(ImageIndex index) {
        List<String> refs = index.manifests().stream().flatMap(d -> d.refName().stream()).distinct().toList();
        if (refs.isEmpty()) {
            return index.manifests().isEmpty() ? "no images" : "no named images";
        }
        return refs.size() > 20 ? refs.subList(0, 20) + " and " + (refs.size() - 20) + " more" : refs.toString();
    }

    private static Optional<Digest> parseDigest(String s) {
        if (s.indexOf(':') < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(Digest.parse(s));
        } catch (InvalidDigestException e) {
            return Optional.empty();
        }
    }

    private Optional<Descriptor> findByDigest(ImageIndex index, Digest digest) throws IOException {
        for (Descriptor d : index.manifests()) {
            if (d.digest().equals(digest)) {
                return Optional.of(d);
            }
        }
        // Breadth-first through nested indexes, as far as they are present.
        Deque<Descriptor> queue = new ArrayDeque<>(index.manifests());
        Set<Digest> seen = new HashSet<>();
        while (!queue.isEmpty()) {
            Descriptor d = queue.removeFirst();
            if (!MediaTypes.isIndex(d.mediaType()) || !seen.add(d.digest()) || !contains(d.digest())) {
                continue;
            }
            ImageIndex nested = (ImageIndex) manifest(d).model();
            for (Descriptor child : nested.manifests()) {
                if (child.digest().equals(digest)) {
                    return Optional.of(child);
                }
                queue.addLast(child);
            }
        }
        return Optional.empty();
    }

    // ---- reading content ---------------------------------------------------------------------

    /** Whether the layout has the blob. */
    public boolean contains(Digest digest) {
        return Files.isRegularFile(blobPath(digest));
    }

    /**
     * Opens a blob. The caller closes the stream; content is not verified here (blobs written by
     * ocikit were verified when written; {@link #readBlob} verifies).
     *
     * @throws BlobUnknownException if the layout does not have it
     */
    public InputStream openBlob(Digest digest) throws IOException {
        try {
            return Files.newInputStream(blobPath(digest));
        } catch (NoSuchFileException e) {
            throw new BlobUnknownException(digest, "the image layout at " + root);
        }
    }

    /**
     * Reads the blob {@code d} describes, whole, verifying its digest and size.
     *
     * @throws BlobUnknownException if it is missing
     * @throws DigestMismatchException if the content is not what {@code d} says
     * @throws MalformedDocumentException if it is larger than {@code maxSize}
     */
    public byte[] readBlob(Descriptor d, long maxSize) throws IOException {
        Path file = blobPath(d.digest());
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new BlobUnknownException(d.digest(), "the image layout at " + root);
        }
        if (size > maxSize || d.size() > maxSize) {
            throw new MalformedDocumentException("blob " + d.digest() + " (" + d.mediaType() + ")", "",
                    "it is " + Math.max(size, d.size()) + " bytes, more than the " + maxSize + " ocikit reads for this kind of content");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BlobUnknownException(d.digest(), "the image layout at " + root);
        }
        Digest actual = Digest.compute(d.digest().algorithm(), bytes);
        if (!actual.equals(d.digest())) {
            throw new DigestMismatchException("blob " + d.digest() + " in image layout " + root + " is corrupt: its content hashes to "
                    + actual, d.digest(), actual);
        }
        if (bytes.length != d.size()) {
            throw new DigestMismatchException("blob " + d.digest() + " in image layout " + root + " is " + bytes.length
                    + " bytes but its descriptor says " + d.size(), d.digest(), actual);
        }
        return bytes;
    }

    /**
     * Reads and verifies the manifest or index {@code d} describes. Its media type must agree
     * with the document's own.
     *
     * @throws dev.ocikit.spec.UnsupportedManifestException if {@code d} is not a manifest or index type
     */
    public Parsed<Manifest> manifest(Descriptor d) throws IOException {
        requireManifestType(d);
        return Parsed.manifest(readBlob(d, MAX_MANIFEST_SIZE), Optional.of(d.mediaType()));
    }

    /**
     * The image manifest {@code d} leads to: {@code d} itself if it is an image manifest, else
     * the entry of the index (through nested indexes) that suits {@code platform} best, as
     * {@link ImageIndex#manifestFor} chooses. An image manifest is returned whatever its
     * platform.
     *
     * @throws ImageUnknownException if an index has no entry for the platform
     */
    public Parsed<ImageManifest> imageManifest(Descriptor d, Platform platform) throws IOException {
        Objects.requireNonNull(platform, "platform");
        Set<String> offered = new LinkedHashSet<>();
        return select(d, platform, 0, offered).orElseThrow(() -> new ImageUnknownException(platform.toString(),
                "image " + d.digest() + " has no image for " + platform + "; it has " + offered));
    }

    private Optional<Parsed<ImageManifest>> select(Descriptor d, Platform platform, int depth, Set<String> offered)
            throws IOException {
        if (depth > MAX_DEPTH) {
            throw new MalformedDocumentException("image index " + d.digest(), "",
                    "indexes nest more than " + MAX_DEPTH + " deep");
        }
        Parsed<Manifest> parsed = manifest(d);
        Optional<Parsed<ImageManifest>> image = parsed.as(ImageManifest.class);
        if (image.isPresent()) {
            return image;
        }
        ImageIndex index = (ImageIndex) parsed.model();
        index.manifests().forEach(e -> e.platform().ifPresent(p -> offered.add(p.toString())));
        // The entries for the platform, best first; then nested indexes that say no platform
        // (as index.json's entries usually do), searched in turn.
        List<Descriptor> candidates = new ArrayList<>(index.manifestsFor(platform));
        index.manifests().stream().filter(e -> e.platform().isEmpty() && MediaTypes.isIndex(e.mediaType()))
                .forEach(candidates::add);
        for (Descriptor candidate : candidates) {
            Optional<Parsed<ImageManifest>> found = select(candidate, platform, depth + 1, offered);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** Reads and verifies the image config of {@code manifest}. */
    public Parsed<ImageConfig> config(ImageManifest manifest) throws IOException {
        Descriptor config = manifest.config();
        return Parsed.imageConfig(readBlob(config, MAX_CONFIG_SIZE), config.mediaType());
    }

    /** The blob's size, if the layout has it. */
    Optional<Long> blobSize(Digest digest) throws IOException {
        try {
            return Optional.of(Files.size(blobPath(digest)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    Path blobPath(Digest digest) {
        return root.resolve("blobs").resolve(digest.algorithm().id()).resolve(digest.encoded());
    }

    static void requireManifestType(Descriptor d) {
        if (!MediaTypes.isManifest(d.mediaType()) && !MediaTypes.isIndex(d.mediaType())) {
            throw new dev.ocikit.spec.UnsupportedManifestException(d.mediaType(), "descriptor " + d.digest()
                    + " has media type " + d.mediaType() + ", which is not an image manifest or index type");
        }
    }

    // ---- writing -----------------------------------------------------------------------------

    /** The blob store, opened on first use (which creates {@code ingest/} and {@code lock}). */
    BlobStore blobStore() throws IOException {
        BlobStore b = blobs;
        if (b == null) {
            synchronized (this) {
                b = blobs;
                if (b == null) {
                    b = BlobStore.open(root);
                    blobs = b;
                }
            }
        }
        return b;
    }

    /** The blob store's lock (the same instance BlobStore holds: one per file per JVM). */
    StoreLock blobLock() throws IOException {
        return StoreLock.of(blobStore().root().resolve("lock"));
    }

    /**
     * Stores a blob that must have {@code digest} and, unless {@code size} is negative, that size.
     * The caller closes {@code content}.
     *
     * @throws DigestMismatchException if it does not; nothing is stored then
     */
    public BlobInfo putBlob(InputStream content, Digest digest, long size) throws IOException {
        return blobStore().put(content, digest, size);
    }

    /** Stores {@code content} under its SHA-256 digest. */
    public BlobInfo putBlob(byte[] content) throws IOException {
        return blobStore().put(content);
    }

    /** Stores a manifest or index as its exact bytes; returns its descriptor (not yet tagged). */
    public Descriptor putManifest(Parsed<? extends Manifest> manifest) throws IOException {
        blobStore().put(manifest.bytes());
        return manifest.descriptor();
    }

    /**
     * Tags {@code target} as {@code ref} in {@code index.json}, atomically. An entry that had the
     * name loses it (and stays listed unnamed, as skopeo leaves it, unless another entry lists the
     * same content); an unnamed entry of the same content is replaced.
     *
     * @param ref a name matching the image spec's grammar for {@link Annotations#REF_NAME}
     *     ({@code component(/component)*}, components of letters and digits joined by one of
     *     {@code -._:@+} or {@code --}), so that skopeo and umoci can address it
     * @param target a manifest or index whose blobs are all present
     * @throws IllegalArgumentException if {@code ref} does not match the grammar
     * @throws BlobUnknownException if a blob the image needs is missing; nothing changes then
     */
    public void tag(String ref, Descriptor target) throws IOException {
        checkRefName(ref);
        requireManifestType(target);
        update(index -> {
            checkComplete(target);
            return withRef(index, Optional.of(ref), target);
        });
    }

    /**
     * Removes every entry tagged {@code ref} from {@code index.json}. Their blobs stay until
     * {@link #collectGarbage()}.
     *
     * @return whether there was such an entry
     */
    public boolean untag(String ref) throws IOException {
        Objects.requireNonNull(ref, "ref");
        boolean[] found = {false};
        update(index -> {
            List<Descriptor> kept = new ArrayList<>();
            for (Descriptor d : index.manifests()) {
                if (d.refName().filter(ref::equals).isPresent()) {
                    found[0] = true;
                } else {
                    kept.add(d);
                }
            }
            return index.withManifests(kept);
        });
        return found[0];
    }

    /** Throws unless {@code ref} matches the image spec's grammar for ref names. */
    static void checkRefName(String ref) {
        Objects.requireNonNull(ref, "ref");
        if (!isValidRefName(ref)) {
            throw new IllegalArgumentException("invalid ref name \"" + ref + "\": the image spec's grammar is"
                    + " component(/component)*, each component letters and digits joined by one of -._:@+ or --");
        }
    }

    /** Whether {@code ref} matches the image spec's grammar for {@link Annotations#REF_NAME}. */
    static boolean isValidRefName(String ref) {
        return ref.length() <= 1024 && REF_NAME.matcher(ref).matches();
    }

    /**
     * {@code index} with {@code target} listed under {@code ref} (or unnamed): the name moves
     * from any entry that had it (which stays listed unnamed, unless another entry lists its
     * content), an unnamed entry of the same content is replaced, and otherwise the entry is
     * appended. Pure.
     */
    static ImageIndex withRef(ImageIndex index, Optional<String> ref, Descriptor target) {
        Descriptor entry = withoutRefName(target);
        if (ref.isPresent()) {
            entry = entry.withAnnotation(Annotations.REF_NAME, ref.get());
        }
        List<Descriptor> out = new ArrayList<>();
        for (Descriptor d : index.manifests()) {
            out.add(ref.isPresent() && d.refName().equals(ref) ? withoutRefName(d) : d);
        }
        int sameUnnamed = -1;
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).refName().isEmpty() && out.get(i).digest().equals(target.digest())) {
                sameUnnamed = i;
                break;
            }
        }
        if (sameUnnamed >= 0) {
            out.set(sameUnnamed, entry);
        } else {
            out.add(entry);
        }
        return index.withManifests(dropRedundantUnnamed(out));
    }

    /** Unnamed entries whose content another entry also lists add nothing: drop them. */
    static List<Descriptor> dropRedundantUnnamed(List<Descriptor> entries) {
        List<Descriptor> out = new ArrayList<>();
        Set<Digest> keptUnnamed = new HashSet<>();
        for (Descriptor d : entries) {
            boolean named = d.refName().isPresent();
            boolean hasNamedTwin = entries.stream().anyMatch(o -> o != d && o.digest().equals(d.digest())
                    && o.refName().isPresent());
            if (!named && (hasNamedTwin || !keptUnnamed.add(d.digest()))) {
                continue;
            }
            out.add(d);
        }
        return out;
    }

    static Descriptor withoutRefName(Descriptor d) {
        if (!d.annotations().containsKey(Annotations.REF_NAME)) {
            return d;
        }
        Map<String, String> annotations = new LinkedHashMap<>(d.annotations());
        annotations.remove(Annotations.REF_NAME);
        return d.withAnnotations(annotations);
    }

    /** A change of {@code index.json}: gets the current index, returns the new one or throws. */
    interface IndexChange {
        ImageIndex apply(ImageIndex current) throws IOException;
    }

    /**
     * Applies {@code change} to {@code index.json} under the index lock, writing the result
     * atomically if it differs. If {@code change} throws, nothing is written.
     */
    ImageIndex update(IndexChange change) throws IOException {
        try (StoreLock.Held held = indexLock.exclusive()) {
            ImageIndex current = index();
            ImageIndex next = change.apply(current);
            if (next != current) {
                // Compared as the bytes that would be written: the record's own equals bootstraps
                // method handles, a noticeable part of a short command.
                byte[] json = next.toJson();
                if (!Arrays.equals(json, current.toJson())) {
                    AtomicFiles.write(root.resolve(INDEX_FILE), json);
                }
            }
            return next;
        }
    }

    /**
     * Checks that every blob {@code top} reaches is present (and every manifest in it readable):
     * config, layers and nested manifests. Layers with {@code urls} (non-distributable) may be
     * absent.
     *
     * @throws BlobUnknownException naming the first missing blob
     */
    void checkComplete(Descriptor top) throws IOException {
        walk(top, d -> {
            throw new BlobUnknownException(d.digest(), "the image layout at " + root + " (needed by "
                    + top.digest() + "; the image is incomplete and was not tagged)");
        });
    }

    /** Something done with a blob an image needs and the layout lacks. */
    @FunctionalInterface
    private interface MissingBlob {
        void found(Descriptor missing) throws IOException;
    }

    /**
     * Walks what {@code top} needs (manifests, nested indexes, configs and layers; a
     * non-distributable layer with {@code urls} may be absent) and tells {@code missing} of each
     * blob the layout lacks.
     */
    private void walk(Descriptor top, MissingBlob missing) throws IOException {
        Deque<Descriptor> queue = new ArrayDeque<>(List.of(top));
        Set<Digest> seen = new HashSet<>();
        while (!queue.isEmpty()) {
            Descriptor d = queue.removeFirst();
            if (!seen.add(d.digest())) {
                continue;
            }
            boolean isManifest = MediaTypes.isManifest(d.mediaType()) || MediaTypes.isIndex(d.mediaType());
            if (!contains(d.digest())) {
                if (isManifest || d.urls().isEmpty()) {
                    missing.found(d);
                }
                continue;
            }
            if (isManifest) {
                queue.addAll(children(manifest(d).model()));
            }
        }
    }

    /**
     * Re-hashes every blob ({@link BlobStore#verify()}) and checks that each image
     * {@code index.json} names has every blob it needs: manifests, configs and layers (a
     * non-distributable layer with {@code urls} excepted), through nested indexes. Changes nothing.
     */
    public VerifyReport verify() throws IOException {
        VerifyReport blobs = blobStore().verify();
        List<VerifyReport.Problem> problems = new ArrayList<>(blobs.problems());
        Set<Digest> reported = new HashSet<>();
        for (Descriptor top : index().manifests()) {
            String image = top.digest() + top.refName().map(r -> " (" + r + ")").orElse("");
            try {
                walk(top, d -> {
                    if (reported.add(d.digest())) {
                        problems.add(new VerifyReport.Problem(blobPath(d.digest()), "missing: image " + image
                                + " needs it (" + d.mediaType() + ")"));
                    }
                });
            } catch (IOException | dev.ocikit.spec.OciException e) {
                problems.add(new VerifyReport.Problem(blobPath(top.digest()), "image " + image
                        + " cannot be read through: " + e.getMessage()));
            }
        }
        return new VerifyReport(blobs.checked(), problems);
    }

    private static List<Descriptor> children(Manifest m) {
        List<Descriptor> out = new ArrayList<>();
        if (m instanceof ImageManifest im) {
            out.add(im.config());
            out.addAll(im.layers());
        } else if (m instanceof ImageIndex ii) {
            out.addAll(ii.manifests());
        }
        return out;
    }

    // ---- garbage collection ------------------------------------------------------------------

    /**
     * Deletes every blob that {@code index.json} does not reach (through manifests, indexes,
     * configs, layers and subjects) and that no open destination has pinned, and temporary
     * files left by interrupted writes (of blobs and of {@code index.json}). Holds the index lock and then the blob store's
     * exclusive lock, so writers wait for it.
     *
     * @throws ImageLayoutException if a manifest that is reached cannot be read; nothing is
     *     deleted then
     */
    public GarbageReport collectGarbage() throws IOException {
        BlobStore store = blobStore();
        try (StoreLock.Held held = indexLock.exclusive()) {
            // No index write is in flight while the index lock is held: its temporaries are leftovers.
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, ".*.tmp")) {
                for (Path p : entries) {
                    if (isOwnTemporary(p.getFileName().toString())) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            return store.collectGarbage(() -> {
                Set<Digest> live = reachable(index());
                live.addAll(BlobPins.live(root));
                return live;
            });
        }
    }

    /** Every digest {@code index} reaches. Missing blobs are skipped; unreadable manifests stop it. */
    Set<Digest> reachable(ImageIndex index) throws IOException {
        Set<Digest> live = new HashSet<>();
        Deque<Descriptor> queue = new ArrayDeque<>(index.manifests());
        while (!queue.isEmpty()) {
            Descriptor d = queue.removeFirst();
            if (!live.add(d.digest())) {
                continue;
            }
            boolean isManifest = MediaTypes.isManifest(d.mediaType()) || MediaTypes.isIndex(d.mediaType());
            if (!isManifest || !contains(d.digest())) {
                continue;
            }
            Manifest m;
            try {
                m = manifest(d).model();
            } catch (OciException e) {
                throw new ImageLayoutException("garbage collection of " + root + " stopped, nothing was deleted: manifest "
                        + d.digest() + " cannot be read (" + e.getMessage() + "); remove the image that refers to it", e);
            }
            queue.addAll(children(m));
            m.subject().ifPresent(queue::addLast);
        }
        return live;
    }

    // ---- transports --------------------------------------------------------------------------

    /**
     * The {@code oci:} reference to an image of this layout: {@code ref} names it in
     * {@code index.json}; empty means the only image when reading, an unnamed entry when writing.
     */
    public TransportReference reference(Optional<String> ref) {
        return OciTransport.reference(root, ref);
    }

    @Override
    public String toString() {
        return "ImageLayout[" + root + "]";
    }
}
