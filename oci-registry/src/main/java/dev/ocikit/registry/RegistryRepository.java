package dev.ocikit.registry;

import dev.ocikit.image.BlobInfo;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestAlgorithm;
import dev.ocikit.spec.DigestingInputStream;
import dev.ocikit.spec.InvalidDigestException;
import dev.ocikit.spec.InvalidReferenceException;
import dev.ocikit.spec.DigestMismatchException;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.distribution.TagList;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.MediaTypes;
import dev.ocikit.spec.image.Parsed;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The distribution API of one repository on one registry: manifests, blobs, tags and referrers.
 * Obtained from {@link RegistryClient#repository}; immutable and thread-safe, cheap to create
 * (it shares the client's connections and tokens).
 *
 * <p>Content is verified: manifests against the digest asked for and the registry's
 * {@code Docker-Content-Digest}, blobs while they stream. Streams returned are the caller's to
 * close. Failures the registry reports are {@link RegistryException}s (a missing manifest a
 * {@link ManifestUnknownException}, refused access an {@link UnauthorizedException}); a registry
 * that cannot be reached is an {@link IOException}.
 */
public final class RegistryRepository {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryRepository.class);
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    /** What we accept when fetching manifests: OCI and Docker schema 2, images and lists. */
    static final String MANIFEST_ACCEPT = String.join(", ", MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
            MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST);

    /** How a blob push ended. */
    public enum BlobPush {
        /** The repository already had the blob; nothing was sent. */
        EXISTED,
        /** The registry mounted it from another repository; nothing was sent. */
        MOUNTED,
        /** Its bytes were uploaded. */
        UPLOADED
    }

    /**
     * Content to upload, opened once per attempt; the client closes each stream it opens.
     * Must produce the same bytes every time.
     */
    @FunctionalInterface
    public interface Content {
        InputStream open() throws IOException;

        static Content of(byte[] bytes) {
            byte[] copy = bytes.clone();
            return () -> new ByteArrayInputStream(copy);
        }

        static Content of(Path file) {
            Objects.requireNonNull(file, "file");
            return () -> Files.newInputStream(file);
        }
    }

    private final RegistryHttp http;
    private final RegistryClient.Settings settings;
    private final String registry;
    private final String path;

    RegistryRepository(RegistryHttp http, RegistryClient.Settings settings, String registry, String path) {
        this.http = http;
        this.settings = settings;
        this.registry = registry;
        this.path = path;
    }

    /** The registry, {@code host[:port]}. */
    public String registry() {
        return registry;
    }

    /** The repository path within the registry, such as {@code library/busybox}. */
    public String path() {
        return path;
    }

    // ---------------------------------------------------------------- manifests

    /**
     * The descriptor of the manifest a tag or digest names ({@code HEAD}), without fetching it;
     * empty when the repository has no such manifest.
     */
    public Optional<Descriptor> manifestDescriptor(String tagOrDigest) throws IOException {
        String ref = reference(tagOrDigest);
        RegistryHttp.Call call = call("HEAD", "/manifests/" + ref, "pull").withHeader("Accept", MANIFEST_ACCEPT);
        HttpResponse<InputStream> r = http.sendRaw(call);
        RegistryHttp.close(r);
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        if (r.statusCode() != 200) {
            throw http.error(call, r);
        }
        Optional<Digest> digest = r.headers().firstValue("Docker-Content-Digest").map(RegistryRepository::headerDigest)
                .or(() -> isDigest(ref) ? Optional.of(Digest.parse(ref)) : Optional.empty());
        if (digest.isEmpty()) {
            // no digest in the headers: only the bytes can tell
            ManifestBlob m = manifest(tagOrDigest);
            return Optional.of(descriptor(m.mediaType(), m.digest(), m.size()));
        }
        if (isDigest(ref) && !digest.get().equals(Digest.parse(ref))) {
            throw new DigestMismatchException(Digest.parse(ref), digest.get());
        }
        OptionalLong size = r.headers().firstValueAsLong("Content-Length");
        String type = r.headers().firstValue("Content-Type").map(MediaTypes::essence).orElse(MediaTypes.OCI_MANIFEST);
        return Optional.of(descriptor(type, digest.get(), size.orElse(0)));
    }

    /**
     * The manifest or index a tag or digest names, as its exact bytes, verified against the
     * digest asked for (or the registry's {@code Docker-Content-Digest}) and capped in size.
     *
     * @throws ManifestUnknownException if the repository has no such manifest
     */
    public ManifestBlob manifest(String tagOrDigest) throws IOException {
        String ref = reference(tagOrDigest);
        RegistryHttp.Call call = call("GET", "/manifests/" + ref, "pull").withHeader("Accept", MANIFEST_ACCEPT);
        HttpResponse<InputStream> r = http.send(call, 200);
        byte[] bytes;
        try (InputStream in = r.body()) {
            OptionalLong declared = r.headers().firstValueAsLong("Content-Length");
            if (declared.isPresent() && declared.getAsLong() > settings.maxManifestSize()) {
                throw new RegistryException("manifest " + registry + "/" + path + ":" + ref + " is "
                        + declared.getAsLong() + " bytes, over the limit of " + settings.maxManifestSize(), 200, List.of());
            }
            bytes = RegistryHttp.readCapped(in, settings.maxManifestSize(), "manifest " + registry + "/" + path + ":" + ref);
        }
        if (isDigest(ref)) {
            Digest.parse(ref).verify(bytes);
        }
        Optional<String> header = r.headers().firstValue("Docker-Content-Digest");
        if (header.isPresent()) {
            headerDigest(header.get()).verify(bytes);
        }
        String type = r.headers().firstValue("Content-Type").map(MediaTypes::essence)
                .filter(t -> !t.equals("application/json") && !t.equals("text/plain"))
                .orElseGet(() -> sniffMediaType(bytes));
        return ManifestBlob.of(bytes, type);
    }

    /**
     * Uploads a manifest under each tag given, or under its digest when none is; the blobs it
     * references must already be in the repository. A manifest with a {@code subject} is also
     * listed in the index at the subject's referrers tag ({@code sha256-<hex>}) when the registry
     * does not say it tracks referrers itself (no {@code OCI-Subject} header in its answer), as
     * the distribution spec asks of clients, so that {@link #referrers} finds it either way.
     *
     * @return the manifest's digest
     */
    public Digest putManifest(ManifestBlob manifest, List<String> tags) throws IOException {
        List<String> refs = new ArrayList<>();
        for (String t : tags) {
            refs.add(tag(t));
        }
        if (refs.isEmpty()) {
            refs.add(manifest.digest().toString());
        }
        byte[] bytes = manifest.bytes();
        boolean registryTracksSubject = false;
        for (String ref : refs) {
            RegistryHttp.Call call = call("PUT", "/manifests/" + ref, "pull,push")
                    .withHeader("Content-Type", manifest.mediaType())
                    .with("PUT", Optional.of(() -> HttpRequest.BodyPublishers.ofByteArray(bytes)));
            HttpResponse<InputStream> r = http.send(call, 201, 200, 202);
            RegistryHttp.close(r);
            Optional<String> header = r.headers().firstValue("Docker-Content-Digest");
            if (header.isPresent() && !headerDigest(header.get()).equals(manifest.digest())) {
                throw new DigestMismatchException("registry " + registry + " stored manifest " + path + ":" + ref
                        + " as " + header.get() + ", but its bytes hash to " + manifest.digest(), manifest.digest(),
                        headerDigest(header.get()));
            }
            registryTracksSubject |= r.headers().firstValue("OCI-Subject").isPresent();
        }
        Optional<Descriptor> subject = subjectOf(manifest);
        if (subject.isPresent() && !registryTracksSubject) {
            addToReferrersTag(subject.get().digest(), referrerDescriptor(manifest));
        }
        return manifest.digest();
    }

    private static Optional<Descriptor> subjectOf(ManifestBlob manifest) {
        if (!MediaTypes.OCI_MANIFEST.equals(manifest.mediaType()) && !MediaTypes.OCI_INDEX.equals(manifest.mediaType())) {
            return Optional.empty(); // Docker's formats have no subject
        }
        dev.ocikit.spec.image.Manifest m = Parsed.manifest(manifest.bytes(), Optional.of(manifest.mediaType())).model();
        return m instanceof dev.ocikit.spec.image.ImageManifest im ? im.subject()
                : ((ImageIndex) m).subject();
    }

    /** How a referrers list names a manifest: its artifact type (or its config's media type), and its annotations. */
    private static Descriptor referrerDescriptor(ManifestBlob manifest) {
        dev.ocikit.spec.image.Manifest m = Parsed.manifest(manifest.bytes(), Optional.of(manifest.mediaType())).model();
        Descriptor d = descriptor(manifest.mediaType(), manifest.digest(), manifest.bytes().length);
        if (m instanceof dev.ocikit.spec.image.ImageManifest im) {
            d = d.withArtifactType(im.artifactType().orElse(im.config().mediaType()));
            if (!im.annotations().isEmpty()) {
                d = d.withAnnotations(im.annotations());
            }
        } else if (m instanceof ImageIndex ii) {
            if (ii.artifactType().isPresent()) {
                d = d.withArtifactType(ii.artifactType().get());
            }
            if (!ii.annotations().isEmpty()) {
                d = d.withAnnotations(ii.annotations());
            }
        }
        return d;
    }

    /**
     * Adds (or refreshes) {@code referrer} in the index at the subject's fallback tag. Another
     * client updating the same tag at the same moment can lose one of the two updates: the
     * tag schema has no way to prevent it, which is why registries grew the referrers API.
     */
    private void addToReferrersTag(Digest subject, Descriptor referrer) throws IOException {
        String fallbackTag = subject.algorithm().id() + "-" + subject.encoded();
        List<Descriptor> entries = new ArrayList<>();
        ImageIndex.Builder index = ImageIndex.builder();
        try {
            ManifestBlob current = manifest(fallbackTag);
            Optional<Parsed<ImageIndex>> parsed = Parsed.manifest(current.bytes(), Optional.of(current.mediaType()))
                    .as(ImageIndex.class);
            if (parsed.isEmpty()) {
                throw new RegistryException("the referrers tag " + fallbackTag + " of " + registry + "/" + path
                        + " holds a " + current.mediaType() + ", not an index; not replacing it", 0, List.of());
            }
            for (Descriptor d : parsed.get().model().manifests()) {
                if (!d.digest().equals(referrer.digest())) {
                    entries.add(d);
                }
            }
        } catch (ManifestUnknownException none) {
            // the first referrer of this subject
        }
        entries.add(referrer);
        byte[] json = index.mediaType(MediaTypes.OCI_INDEX).manifests(entries).build().toJson();
        RegistryHttp.Call call = call("PUT", "/manifests/" + fallbackTag, "pull,push")
                .withHeader("Content-Type", MediaTypes.OCI_INDEX)
                .with("PUT", Optional.of(() -> HttpRequest.BodyPublishers.ofByteArray(json)));
        RegistryHttp.close(http.send(call, 201, 200, 202));
        LOG.debug("listed {} in {}/{}:{} ({} referrers)", referrer.digest(), registry, path, fallbackTag, entries.size());
    }

    /** Uploads a manifest under one tag (or, given its digest, untagged). */
    public Digest putManifest(ManifestBlob manifest, String tagOrDigest) throws IOException {
        if (isDigest(tagOrDigest)) {
            Digest d = Digest.parse(tagOrDigest);
            if (!d.equals(manifest.digest())) {
                throw new DigestMismatchException(d, manifest.digest());
            }
            return putManifest(manifest, List.of());
        }
        return putManifest(manifest, List.of(tagOrDigest));
    }

    /** Deletes the manifest with this digest (the registry must allow deletes). */
    public void deleteManifest(Digest digest) throws IOException {
        RegistryHttp.close(http.send(call("DELETE", "/manifests/" + digest, "delete"), 202, 200));
    }

    // ---------------------------------------------------------------- blobs

    /** The size of the blob if the repository has it ({@code HEAD}); empty if not. */
    public OptionalLong blobSize(Digest digest) throws IOException {
        RegistryHttp.Call call = call("HEAD", "/blobs/" + digest, "pull");
        HttpResponse<InputStream> r = http.sendRaw(call);
        RegistryHttp.close(r);
        if (r.statusCode() == 404) {
            return OptionalLong.empty();
        }
        if (r.statusCode() != 200) {
            throw http.error(call, r);
        }
        return OptionalLong.of(r.headers().firstValueAsLong("Content-Length").orElse(-1));
    }

    /**
     * Opens a blob for streaming. The stream verifies size (when {@code size} is not negative) and
     * digest as it is read, throwing {@link DigestMismatchException} at the end if they are wrong;
     * a dropped connection is resumed with a {@code Range} request. The caller closes it.
     */
    public InputStream openBlob(Digest digest, long size) throws IOException {
        return DigestingInputStream.verifying(openBlobUnverified(digest), digest, size);
    }

    /** {@link #openBlob} for a caller that verifies the bytes itself (the copy engine does), so they are hashed once. */
    InputStream openBlobUnverified(Digest digest) throws IOException {
        ResumingStream s = new ResumingStream(call("GET", "/blobs/" + digest, "pull"), digest);
        s.open(0);
        return s;
    }

    /** Pushes a blob unless the repository has it already. */
    public BlobPush pushBlob(Digest digest, long size, Content content) throws IOException {
        return pushBlob(digest, size, content, Optional.empty());
    }

    /**
     * Pushes a blob unless the repository has it already, first trying to mount it from
     * repository {@code mountFrom} of the same registry.
     */
    public BlobPush pushBlob(Digest digest, long size, Content content, Optional<String> mountFrom) throws IOException {
        Objects.requireNonNull(content, "content");
        if (blobSize(digest).isPresent()) {
            return BlobPush.EXISTED;
        }
        Optional<Session> session = startUpload(digest, mountFrom);
        if (session.isEmpty()) {
            return BlobPush.MOUNTED;
        }
        if (size >= settings.chunkedUploadThreshold()) {
            try {
                uploadChunked(session.get(), digest, size, content);
            } catch (SessionLost lost) {
                // Docker's registry forgets a session asked about with a stale state: start it again, once.
                LOG.debug("upload session of {} to {}/{} lost ({}); starting a new one", digest, registry, path,
                        lost.getCause().getMessage());
                try {
                    uploadChunked(startUpload(digest, Optional.empty()).orElseThrow(), digest, size, content);
                } catch (SessionLost again) {
                    throw again.getCause();
                }
            }
        } else {
            uploadMonolithic(session.get().location(), digest, size, content);
        }
        return BlobPush.UPLOADED;
    }

    /**
     * Uploads a blob from a stream that can be read only once, hashing it on the way (one
     * streamed {@code PATCH}, then the closing {@code PUT}). The upload is completed only if the
     * content has {@code size} bytes (when not negative) and the {@code expected} digest (when
     * given); otherwise the session is cancelled and nothing becomes visible. Does not check
     * whether the repository has the blob already. The caller closes {@code content}.
     *
     * @return the digest and size of what was stored
     * @throws DigestMismatchException if the content is not what was expected
     */
    public BlobInfo pushBlob(InputStream content, Optional<Digest> expected, long size) throws IOException {
        Objects.requireNonNull(content, "content");
        Session session = startUpload(null, Optional.empty()).orElseThrow();
        // Content the caller already verifies against the expected digest (the copy engine's) is not hashed twice.
        DigestingInputStream hashing = content instanceof DigestingInputStream d && expected.isPresent()
                && d.verifies(expected.get(), size) ? d
                : new DigestingInputStream(content, expected.map(Digest::algorithm).orElse(DigestAlgorithm.SHA256));
        InputStream body = new FilterInputStream(hashing) {
            @Override
            public void close() {
                // the caller closes the content; HttpClient closing it at the end must not
            }
        };
        HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(() -> body);
        RegistryHttp.Call patch = new RegistryHttp.Call("PATCH", registry, session.location().toString(), Optional.of(path),
                RegistryHttp.scopes(path, "pull,push"), Map.of("Content-Type", "application/octet-stream"),
                Optional.of(() -> size >= 0 ? HttpRequest.BodyPublishers.fromPublisher(stream, size) : stream), false);
        HttpResponse<InputStream> r;
        try {
            r = http.send(patch, 202, 204);
        } catch (IOException | RuntimeException e) {
            cancel(session.location());
            // a verifying content stream fails at its end; HttpClient reports that wrapped in its own IOException
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof DigestMismatchException mismatch) {
                    throw mismatch;
                }
            }
            throw e;
        }
        RegistryHttp.close(r);
        URI at = location(patch, r);
        try {
            body.transferTo(java.io.OutputStream.nullOutputStream()); // anything beyond the declared size counts
        } catch (DigestMismatchException mismatch) {
            cancel(at);
            throw mismatch;
        }
        Digest actual = hashing.digest();
        long count = hashing.count();
        if ((size >= 0 && count != size) || expected.filter(e -> !e.equals(actual)).isPresent()) {
            cancel(at);
            Digest wanted = expected.orElse(actual);
            throw new DigestMismatchException("blob to push to " + registry + "/" + path + " has " + count
                    + " bytes and digest " + actual + ", but " + (size >= 0 ? size + " bytes" : "")
                    + expected.map(e -> " digest " + e).orElse("") + " were declared; the upload was cancelled",
                    wanted, actual);
        }
        RegistryHttp.Call put = new RegistryHttp.Call("PUT", registry, withDigest(at, actual), Optional.of(path),
                RegistryHttp.scopes(path, "pull,push"), Map.of(), Optional.of(HttpRequest.BodyPublishers::noBody), true);
        RegistryHttp.close(http.send(put, 201, 204));
        return new BlobInfo(actual, count);
    }

    private void cancel(URI session) {
        try {
            RegistryHttp.close(http.sendRaw(call("DELETE", session.toString(), "pull,push")));
        } catch (IOException | RuntimeException e) {
            LOG.debug("cancelling an upload session on {} failed: {}", registry, e.toString());
        }
    }

    /**
     * Asks the registry to mount a blob from repository {@code from} (201); returns false if it
     * would not (it then offers an upload, which is cancelled).
     */
    public boolean mountBlob(Digest digest, String from) throws IOException {
        Optional<Session> session = startUpload(digest, Optional.of(from));
        if (session.isEmpty()) {
            return true;
        }
        cancel(session.get().location()); // the registry offered an upload instead: not wanted here
        return false;
    }

    /** Deletes a blob (the registry must allow deletes). */
    public void deleteBlob(Digest digest) throws IOException {
        RegistryHttp.close(http.send(call("DELETE", "/blobs/" + digest, "delete"), 202, 200));
    }

    /** An upload session: where to send, and the smallest chunk the registry takes (0: any). */
    private record Session(URI location, long minChunk) {}

    /** Empty when the blob was mounted; else the upload session. */
    private Optional<Session> startUpload(Digest digest, Optional<String> mountFrom) throws IOException {
        String p = "/blobs/uploads/";
        List<String> scopes = new ArrayList<>(RegistryHttp.scopes(path, "pull,push"));
        if (mountFrom.isPresent()) {
            Objects.requireNonNull(digest, "digest");
            String from = mountFrom.get();
            if (!from.matches("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*")) {
                throw new InvalidReferenceException(from, "not a repository path to mount from");
            }
            p += "?mount=" + RegistryHttp.enc(digest.toString()) + "&from=" + RegistryHttp.enc(from);
            scopes.add("repository:" + from + ":pull");
        }
        RegistryHttp.Call call = new RegistryHttp.Call("POST", registry, "/v2/" + path + p, Optional.of(path), scopes,
                Map.of(), Optional.of(HttpRequest.BodyPublishers::noBody), true);
        HttpResponse<InputStream> r = http.send(call, 201, 202);
        RegistryHttp.close(r);
        if (r.statusCode() == 201) {
            return Optional.empty();
        }
        return Optional.of(new Session(location(call, r), r.headers().firstValueAsLong("OCI-Chunk-Min-Length").orElse(0)));
    }

    private URI location(RegistryHttp.Call call, HttpResponse<InputStream> r) {
        String loc = r.headers().firstValue("Location").orElseThrow(() -> new RegistryException(
                call.describe() + ": the registry answered " + r.statusCode() + " without a Location header", r.statusCode(), List.of()));
        return r.uri().resolve(loc); // Location may be relative to the request
    }

    private void uploadMonolithic(URI session, Digest digest, long size, Content content) throws IOException {
        RegistryHttp.Call put = new RegistryHttp.Call("PUT", registry, withDigest(session, digest), Optional.of(path),
                RegistryHttp.scopes(path, "pull,push"), Map.of("Content-Type", "application/octet-stream"),
                Optional.of(() -> HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
                    try {
                        return content.open();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }), size)), false); // a half-sent body may have reached the session: never replay into it
        try {
            RegistryHttp.close(http.send(put, 201, 204));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void uploadChunked(Session session, Digest digest, long size, Content content) throws IOException {
        // a registry may ask for larger chunks than we would send (OCI-Chunk-Min-Length)
        int chunk = (int) Math.min(Math.max(settings.chunkSize(), session.minChunk()), Integer.MAX_VALUE - 8);
        URI at = session.location();
        long offset = 0;
        int resumesWithoutProgress = 0;
        InputStream in = content.open();
        try {
            byte[] buf = new byte[chunk];
            while (true) {
                int n = in.readNBytes(buf, 0, buf.length);
                if (n == 0) {
                    break;
                }
                byte[] part = n == buf.length ? buf : java.util.Arrays.copyOf(buf, n);
                RegistryHttp.Call patch = new RegistryHttp.Call("PATCH", registry, at.toString(), Optional.of(path),
                        RegistryHttp.scopes(path, "pull,push"),
                        Map.of("Content-Type", "application/octet-stream",
                                "Content-Range", offset + "-" + (offset + n - 1)),
                        Optional.of(() -> HttpRequest.BodyPublishers.ofByteArray(part)), false);
                HttpResponse<InputStream> r;
                try {
                    r = http.send(patch, 202, 204);
                } catch (IOException | RegistryException e) {
                    // A chunk the registry refused as out of order (416), or one whose answer never came:
                    // ask the session how much it holds and go on from there, as the distribution spec allows.
                    if (e instanceof RegistryException re && re.status() != 416) {
                        throw re;
                    }
                    if (++resumesWithoutProgress > MAX_CHUNK_RESUMES) {
                        throw e;
                    }
                    UploadStatus status;
                    try {
                        status = uploadStatus(at, e);
                    } catch (RegistryException statusFailed) {
                        if (statusFailed.status() == 404) {
                            throw new SessionLost(statusFailed);
                        }
                        throw statusFailed;
                    }
                    LOG.debug("chunk {}-{} of {} to {}/{} failed ({}); the registry holds {} bytes, resuming there",
                            offset, offset + n - 1, digest, registry, path, e.getMessage(), status.received());
                    if (status.received() > offset + n) {
                        throw new RegistryException("the upload session of " + digest + " at " + registry + "/" + path
                                + " holds " + status.received() + " bytes, more than the " + (offset + n) + " sent", 416,
                                List.of());
                    }
                    at = status.location();
                    if (status.received() != offset + n) {
                        in.close();
                        in = content.open();
                        in.skipNBytes(status.received());
                    }
                    offset = status.received();
                    continue;
                }
                RegistryHttp.close(r);
                resumesWithoutProgress = 0;
                at = location(patch, r);
                offset += n;
                OptionalLong min = r.headers().firstValueAsLong("OCI-Chunk-Min-Length");
                if (min.isPresent() && min.getAsLong() > buf.length && min.getAsLong() <= Integer.MAX_VALUE - 8) {
                    buf = new byte[(int) min.getAsLong()];
                }
            }
        } finally {
            in.close();
        }
        if (size >= 0 && offset != size) {
            throw new DigestMismatchException("blob " + digest + " to upload had " + offset + " bytes, declared "
                    + size, digest, null);
        }
        RegistryHttp.Call put = new RegistryHttp.Call("PUT", registry, withDigest(at, digest), Optional.of(path),
                RegistryHttp.scopes(path, "pull,push"), Map.of(), Optional.of(HttpRequest.BodyPublishers::noBody), true);
        RegistryHttp.close(http.send(put, 201, 204));
    }

    /** The registry no longer knows the upload session; the upload may start again with a new one. */
    private static final class SessionLost extends IOException {
        private static final long serialVersionUID = 1L;

        SessionLost(RegistryException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public synchronized RegistryException getCause() {
            return (RegistryException) super.getCause();
        }
    }

    /** A chunked upload may resume this many times in a row without a chunk getting through. */
    private static final int MAX_CHUNK_RESUMES = 3;

    /** How much of an upload the registry holds, and where the session continues. */
    private record UploadStatus(long received, URI location) {}

    /**
     * {@code GET} on the upload session: 204 with {@code Range: 0-<last byte>} (absent or
     * {@code 0-0} with nothing received, as registries differ) and the session's next
     * {@code Location}.
     */
    private UploadStatus uploadStatus(URI session, Exception cause) throws IOException {
        RegistryHttp.Call get = new RegistryHttp.Call("GET", registry, session.toString(), Optional.of(path),
                RegistryHttp.scopes(path, "pull,push"), Map.of(), Optional.empty(), true);
        HttpResponse<InputStream> r;
        try {
            r = http.send(get, 204, 200);
        } catch (IOException | RegistryException e) {
            e.addSuppressed(cause);
            throw e;
        }
        RegistryHttp.close(r);
        long received = 0;
        Optional<String> range = r.headers().firstValue("Range");
        if (range.isPresent()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:bytes=)?0-(\\d+)").matcher(range.get().trim());
            if (!m.matches()) {
                throw new RegistryException("the upload session at " + registry + "/" + path
                        + " answered a status request with Range \"" + range.get() + "\", which is not 0-<end>",
                        r.statusCode(), List.of());
            }
            long end = Long.parseLong(m.group(1));
            // Docker's registry says 0-0 both for nothing and for one byte; a session with one byte is not worth telling apart.
            received = end == 0 ? 0 : end + 1;
        }
        URI next = r.headers().firstValue("Location").isPresent() ? location(get, r) : session;
        return new UploadStatus(received, next);
    }

    private static String withDigest(URI session, Digest digest) {
        String s = session.toString();
        return s + (session.getRawQuery() == null ? "?" : "&") + "digest=" + RegistryHttp.enc(digest.toString());
    }

    // ---------------------------------------------------------------- tags and referrers

    /** Every tag of the repository, following the registry's {@code Link} pagination. */
    public List<String> tags() throws IOException {
        List<String> all = new ArrayList<>();
        Pagination.follow(http, call("GET", "/tags/list?n=" + settings.pageSize(), "pull"), settings.maxListBody(),
                "tag list of " + registry + "/" + path, body -> all.addAll(TagList.parse(body).tags()));
        return List.copyOf(all);
    }

    /**
     * The manifests that refer to {@code subject} (their {@code subject} field), optionally only
     * those of one artifact type: the referrers API, or, where the registry lacks it, the
     * {@code sha256-<hex>} tag schema. Empty when there are none.
     */
    public List<Descriptor> referrers(Digest subject, Optional<String> artifactType) throws IOException {
        String q = artifactType.map(t -> "?artifactType=" + RegistryHttp.enc(t)).orElse("");
        RegistryHttp.Call call = call("GET", "/referrers/" + subject + q, "pull")
                .withHeader("Accept", MediaTypes.OCI_INDEX);
        HttpResponse<InputStream> r = http.sendRaw(call);
        ImageIndex index;
        boolean filtered = false;
        if (r.statusCode() == 200) {
            byte[] body;
            try (InputStream in = r.body()) {
                body = RegistryHttp.readCapped(in, settings.maxManifestSize(), "referrers of " + subject);
            }
            index = ImageIndex.parse(body);
            filtered = r.headers().allValues("OCI-Filters-Applied").stream().anyMatch(v -> v.contains("artifactType"));
        } else if (r.statusCode() == 404) {
            RegistryHttp.close(r);
            String fallbackTag = subject.algorithm().id() + "-" + subject.encoded();
            try {
                ManifestBlob m = manifest(fallbackTag);
                Optional<Parsed<ImageIndex>> parsed = Parsed.manifest(m.bytes(), Optional.of(m.mediaType())).as(ImageIndex.class);
                if (parsed.isEmpty()) {
                    return List.of();
                }
                index = parsed.get().model();
            } catch (ManifestUnknownException e) {
                return List.of();
            }
        } else {
            throw http.error(call, r);
        }
        List<Descriptor> out = new ArrayList<>();
        for (Descriptor d : index.manifests()) {
            if (filtered || artifactType.isEmpty() || d.artifactType().equals(artifactType)) {
                out.add(d);
            }
        }
        return List.copyOf(out);
    }

    // ---------------------------------------------------------------- helpers

    private RegistryHttp.Call call(String method, String suffixOrUri, String actions) {
        String p = suffixOrUri.startsWith("http://") || suffixOrUri.startsWith("https://") ? suffixOrUri
                : "/v2/" + path + suffixOrUri;
        boolean retryable = !method.equals("POST") && !method.equals("PATCH");
        return new RegistryHttp.Call(method, registry, p, Optional.of(path), RegistryHttp.scopes(path, actions),
                Map.of(), Optional.empty(), retryable);
    }

    private static boolean isDigest(String ref) {
        return ref.indexOf(':') >= 0;
    }

    private static String reference(String tagOrDigest) {
        Objects.requireNonNull(tagOrDigest, "tagOrDigest");
        if (isDigest(tagOrDigest)) {
            return Digest.parse(tagOrDigest).toString();
        }
        return tag(tagOrDigest);
    }

    private static String tag(String tag) {
        if (!TAG.matcher(tag).matches()) {
            throw new InvalidReferenceException(tag, "not a valid tag: a tag is [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
        }
        return tag;
    }

    private static Digest headerDigest(String value) {
        try {
            return Digest.parse(value.trim());
        } catch (InvalidDigestException e) {
            throw new RegistryException("the registry sent an invalid Docker-Content-Digest: " + e.getMessage(), 0, List.of());
        }
    }

    private static String sniffMediaType(byte[] bytes) {
        try {
            return Parsed.manifest(bytes).mediaType();
        } catch (RuntimeException e) {
            return MediaTypes.OCI_MANIFEST;
        }
    }

    private static Descriptor descriptor(String mediaType, Digest digest, long size) {
        return new Descriptor(mediaType, digest, size, List.of(), Map.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Map.of());
    }

    @Override
    public String toString() {
        return "RegistryRepository[" + registry + "/" + path + "]";
    }

    /** A blob body that reopens itself with {@code Range: bytes=N-} when the connection drops. */
    private final class ResumingStream extends InputStream {
        private final RegistryHttp.Call call;
        private final Digest digest;
        private InputStream current;
        private long position;
        private int resumes;

        ResumingStream(RegistryHttp.Call call, Digest digest) {
            this.call = call;
            this.digest = digest;
        }

        void open(long from) throws IOException {
            RegistryHttp.Call c = from == 0 ? call : call.withHeader("Range", "bytes=" + from + "-");
            HttpResponse<InputStream> r = http.send(c, 200, 206);
            InputStream body = r.body();
            if (from > 0 && r.statusCode() == 200) {
                // the server ignored Range: skip what we already have
                body.skipNBytes(from);
                LOG.debug("resumed {} without Range support, skipped {} bytes", digest, from);
            } else if (from > 0) {
                String cr = r.headers().firstValue("Content-Range").orElse("");
                if (!cr.startsWith("bytes " + from + "-")) {
                    body.close();
                    throw new IOException("resuming blob " + digest + " at byte " + from
                            + ": the registry answered with range '" + cr + "'");
                }
            }
            current = body;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (true) {
                try {
                    int n = readWatched(b, off, len);
                    if (n > 0) {
                        position += n;
                    }
                    return n;
                } catch (IOException e) {
                    if (e instanceof java.io.InterruptedIOException) {
                        throw e;
                    }
                    if (resumes >= settings.maxResumes()) {
                        // HttpClient says only "closed": name the blob, the registry and how far it got
                        throw new IOException("blob " + digest + " from " + registry + "/" + path + " broke off at byte "
                                + position + " after " + resumes + " resumed download(s): " + e.getMessage(), e);
                    }
                    resumes++;
                    LOG.debug("blob {} dropped at byte {} ({}); resuming", digest, position, e.toString());
                    try {
                        current.close();
                    } catch (IOException ignored) {
                        // the connection is gone anyway
                    }
                    open(position);
                }
            }
        }

        /**
         * Reads from the current response, closing it if no data comes for the request timeout:
         * HttpClient has no timeout for bodies, and a registry that stalls mid-blob would
         * otherwise hang the pull for ever. A stall then counts as a dropped connection (resumed).
         */
        private int readWatched(byte[] b, int off, int len) throws IOException {
            InputStream in = current;
            java.util.concurrent.atomic.AtomicBoolean fired = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.ScheduledFuture<?> watch = WATCHDOG.schedule(() -> {
                fired.set(true);
                try {
                    in.close(); // wakes the blocked read
                } catch (IOException ignored) {
                    // closing anyway
                }
            }, settings.requestTimeout().toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                if (fired.get()) {
                    throw stalled();
                }
                throw e;
            } finally {
                watch.cancel(false);
            }
            if (fired.get()) {
                throw stalled();
            }
            return n;
        }

        private java.net.http.HttpTimeoutException stalled() {
            return new java.net.http.HttpTimeoutException("no data for " + settings.requestTimeout().toMillis()
                    + " ms (the client's request timeout)");
        }

        @Override
        public void close() throws IOException {
            current.close();
        }
    }

    /** Closes blob bodies that stall; one daemon thread for all clients, idle but for stalls. */
    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG = watchdog();

    private static java.util.concurrent.ScheduledExecutorService watchdog() {
        java.util.concurrent.ScheduledThreadPoolExecutor e = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "ocikit-blob-watchdog");
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true); // reads finish long before their deadline: drop cancelled ones at once
        return e;
    }
}
