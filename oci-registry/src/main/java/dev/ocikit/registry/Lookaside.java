package dev.ocikit.registry;

import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.MalformedDocumentException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes simple signatures in lookaside storage: {@code signature-1},
 * {@code signature-2}, ... under {@code <storage>/<repository path>@<algorithm>=<hex>/}, as
 * containers/image lays them out. Reading stops at the first number missing (a file that does
 * not exist, an HTTP 404). Writing works on {@code file://} storage only.
 *
 * <p>HTTP reads send no registry credentials: only a user and password written in the storage URL
 * itself, as Basic authentication, and only over https to the URL's own origin (a redirect
 * elsewhere drops them). Redirects are followed (at most 10), never from https to plain http.
 * The client is the registry client's for the storage's host, so that host's TLS settings
 * ({@code certs.d}, insecure) apply. Thread-safe.
 */
final class Lookaside {
    private static final Logger LOG = LoggerFactory.getLogger(Lookaside.class);
    /** More than any image has; a server that keeps answering is broken or hostile. */
    static final int MAX_SIGNATURES = 128;
    /** A simple signature is a few hundred bytes; a larger body is not one (the bound dir: uses too). */
    static final int MAX_SIGNATURE_SIZE = 4 << 20;
    private static final int MAX_REDIRECTS = 10;

    private final RegistryHttp http;
    private final RegistryClient.Settings settings;

    Lookaside(RegistryHttp http, RegistryClient.Settings settings) {
        this.http = http;
        this.settings = settings;
    }

    /**
     * Where signature {@code n} (from 1) of {@code manifest} is: the storage's path, then
     * {@code /<repositoryPath>@<algorithm>=<hex>/signature-<n>}; a query of the storage URL is kept.
     */
    static URI signatureUrl(URI storage, String repositoryPath, Digest manifest, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("signatures are numbered from 1, got " + n);
        }
        String path = (storage.getRawPath() == null ? "" : storage.getRawPath()) + "/" + repositoryPath + "@"
                + manifest.algorithm().id() + "=" + manifest.encoded() + "/signature-" + n;
        try {
            return new URI(storage.getScheme() + ":" + (storage.getRawAuthority() == null ? "//" : "//" + storage.getRawAuthority())
                    + path + (storage.getRawQuery() == null ? "" : "?" + storage.getRawQuery()));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot make a signature URL of " + redacted(storage) + ": " + e.getReason(), e);
        }
    }

    /** The file a {@code file:} signature URL names. */
    static Path file(URI signature) {
        return Path.of(signature.getPath());
    }

    /** A URL as messages show it: no user, password or query (they may be secrets). */
    static String redacted(URI u) {
        return u.getScheme() + "://" + (u.getHost() == null ? "" : u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : ""))
                + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    private static boolean isFile(URI storage) {
        return storage.getScheme().equalsIgnoreCase("file");
    }

    // ---------------------------------------------------------------- reading

    /**
     * The signatures stored for {@code manifest} of repository {@code repositoryPath}, in order.
     *
     * @throws LookasideException if the storage answers with an error, or holds too many or too large ones
     * @throws dev.ocikit.image.signature.SignatureVerificationException if one is in no format ocikit reads
     */
    List<ImageSignature> read(URI storage, String repositoryPath, Digest manifest) throws IOException {
        return read(storage, repositoryPath, manifest, new SignatureBudget(manifest));
    }

    /** {@link #read(URI, String, Digest)}, counting what it reads against the image's budget. */
    List<ImageSignature> read(URI storage, String repositoryPath, Digest manifest, SignatureBudget budget) throws IOException {
        List<ImageSignature> signatures = new ArrayList<>();
        for (int n = 1; ; n++) {
            if (n > MAX_SIGNATURES) {
                throw new LookasideException("the signature storage " + redacted(signatureUrl(storage, repositoryPath, manifest, 1))
                        + " has more than " + MAX_SIGNATURES + " signatures for one image, which no image has;"
                        + " it is broken or hostile", 0);
            }
            URI url = signatureUrl(storage, repositoryPath, manifest, n);
            Optional<byte[]> blob = isFile(storage) ? readFile(url) : readHttp(url);
            if (blob.isEmpty()) {
                LOG.debug("{} signature(s) for {} in {}", n - 1, manifest, redacted(storage));
                return signatures;
            }
            budget.take(blob.get().length, redacted(url));
            signatures.add(ImageSignature.fromBlob(blob.get(), redacted(url)));
        }
    }

    private static Optional<byte[]> readFile(URI url) throws IOException {
        Path file = file(url);
        try {
            long size = Files.size(file);
            if (size > MAX_SIGNATURE_SIZE) {
                throw new MalformedDocumentException("signature " + file, "", "it is " + size + " bytes, more than the "
                        + MAX_SIGNATURE_SIZE + " a signature may have");
            }
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length > MAX_SIGNATURE_SIZE) {
                throw new MalformedDocumentException("signature " + file, "", "it grew to more than " + MAX_SIGNATURE_SIZE
                        + " bytes while it was read");
            }
            return Optional.of(bytes);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** GET with redirects followed here; empty on 404. */
    private Optional<byte[]> readHttp(URI url) throws IOException {
        Optional<String> basic = basicAuth(url);
        URI origin = url;
        URI current = withoutUserInfo(url);
        if (basic.isPresent() && !url.getScheme().equalsIgnoreCase("https")) {
            throw new LookasideException("the signature storage URL " + redacted(url) + " carries a user and password,"
                    + " which ocikit sends over https only; use an https URL", 0);
        }
        for (int redirects = 0; ; redirects++) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(current).timeout(settings.requestTimeout()).GET()
                    .header("User-Agent", settings.userAgent());
            if (basic.isPresent() && RegistryHttp.sameOrigin(current, origin)) {
                rb.header("Authorization", basic.get());
            }
            Fetched r = fetch(current, rb.build());
            int s = r.status();
            if (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) {
                if (redirects >= MAX_REDIRECTS) {
                    throw new LookasideException("GET " + redacted(url) + ": more than " + MAX_REDIRECTS + " redirects", s);
                }
                if (r.location().isEmpty()) {
                    throw new LookasideException("GET " + redacted(current) + ": redirect " + s + " without a Location header", s);
                }
                URI next;
                try {
                    next = current.resolve(new URI(r.location().get().trim()));
                } catch (URISyntaxException | IllegalArgumentException e) {
                    throw new LookasideException("GET " + redacted(current) + ": redirect " + s + " to an invalid URL", s);
                }
                String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
                if (!(scheme.equals("http") || scheme.equals("https")) || next.getHost() == null) {
                    throw new LookasideException("GET " + redacted(current) + ": redirect " + s + " to a URL that is not http(s)", s);
                }
                if (current.getScheme().equalsIgnoreCase("https") && scheme.equals("http")) {
                    throw new LookasideException("GET " + redacted(current) + ": redirect " + s + " from https to plain http ("
                            + redacted(next) + "), which ocikit does not follow", s);
                }
                current = withoutUserInfo(next);
                continue;
            }
            if (s == 404) {
                return Optional.empty();
            }
            if (s != 200) {
                throw new LookasideException("reading signature " + redacted(current) + " failed with HTTP " + s, s);
            }
            return Optional.of(r.body());
        }
    }

    private record Fetched(int status, Optional<String> location, byte[] body) {}

    /**
     * One exchange; a 200 body is read whole, up to {@link #MAX_SIGNATURE_SIZE}, and within the
     * request timeout (a server that stalls mid-body does not hang the copy).
     */
    private Fetched fetch(URI uri, HttpRequest request) throws IOException {
        HttpClient client = http.clientFor(uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : ""));
        CompletableFuture<HttpResponse<byte[]>> f = client.sendAsync(request, info -> info.statusCode() == 200
                ? new CappedBody(MAX_SIGNATURE_SIZE)
                : HttpResponse.BodySubscribers.replacing(new byte[0]));
        HttpResponse<byte[]> r;
        try {
            r = f.get(settings.requestTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new HttpTimeoutException("GET " + redacted(uri) + ": no complete answer within "
                    + settings.requestTimeout().toMillis() * 2 + " ms");
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted during GET " + redacted(uri));
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof TooLarge) {
                throw new LookasideException("the signature at " + redacted(uri) + " is larger than " + MAX_SIGNATURE_SIZE
                        + " bytes, more than a signature may have", 200);
            }
            if (c instanceof IOException io) {
                throw new IOException("GET " + redacted(uri) + " failed: " + io.getMessage(), io);
            }
            throw new IOException("GET " + redacted(uri) + " failed: " + c, c);
        }
        return new Fetched(r.statusCode(), r.headers().firstValue("Location"), r.body());
    }

    /** Collects a body of at most {@code max} bytes; cancels the download beyond that. */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        CappedBody(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if (buffer.size() + b.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge());
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                buffer.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(buffer.toByteArray());
        }
    }

    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;
    }

    /** {@code Basic ...} for a user (and password) written in the URL, percent-decoded. */
    private static Optional<String> basicAuth(URI url) {
        String info = url.getRawUserInfo();
        if (info == null || info.isEmpty()) {
            return Optional.empty();
        }
        int colon = info.indexOf(':');
        String user = URLDecoder.decode(colon < 0 ? info : info.substring(0, colon), StandardCharsets.UTF_8);
        String password = colon < 0 ? "" : URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8);
        return Optional.of("Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    private static URI withoutUserInfo(URI u) {
        if (u.getRawUserInfo() == null) {
            return u;
        }
        try {
            return new URI(u.getScheme() + "://" + u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "")
                    + (u.getRawPath() == null ? "" : u.getRawPath()) + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot drop the user from " + redacted(u), e);
        }
    }

    // ---------------------------------------------------------------- writing

    /** Whether signatures can be written to {@code storage} (a {@code file:} URL). */
    static boolean writable(URI storage) {
        return isFile(storage);
    }

    /**
     * The message containers/image gives for writing to an http(s) storage, or to another scheme.
     */
    static String notWritable(URI storage) {
        String scheme = storage.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("http") || scheme.equals("https")) {
            return "Writing directly to a " + scheme + " lookaside " + redacted(storage)
                    + " is not supported. Configure a lookaside-staging: location";
        }
        return "Unsupported scheme when writing signature to " + redacted(storage);
    }

    /**
     * Replaces the signatures stored for {@code manifest}: writes {@code signature-1..k}, each
     * atomically, then removes {@code signature-(k+1)} and on up to the first one missing (so a
     * reader never finds an old one after the new ones). An empty list changes nothing, as in
     * containers/image. The caller checked {@link #writable}.
     */
    static void write(URI storage, String repositoryPath, Digest manifest, List<ImageSignature> signatures) throws IOException {
        if (signatures.isEmpty()) {
            return;
        }
        if (!writable(storage)) {
            throw new IllegalStateException(notWritable(storage));
        }
        for (int i = 0; i < signatures.size(); i++) {
            Path file = file(signatureUrl(storage, repositoryPath, manifest, i + 1));
            Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            writeAtomically(file, signatures.get(i).blob());
            LOG.debug("wrote {}", file);
        }
        for (int n = signatures.size() + 1; ; n++) {
            Path file = file(signatureUrl(storage, repositoryPath, manifest, n));
            if (!Files.deleteIfExists(file)) {
                return;
            }
            LOG.debug("removed the old {}", file);
        }
    }

    /**
     * Removes the signatures stored for {@code manifest} ({@code signature-1} on up to the first
     * one missing), then their directory if that left it empty; as containers/image deletes them
     * with the image. Only {@code file://} storage can be changed.
     *
     * @return how many were removed
     * @throws LookasideException for storage of another scheme, as containers/image refuses it
     */
    static int delete(URI storage, String repositoryPath, Digest manifest) throws IOException {
        if (!writable(storage)) {
            throw new LookasideException("Unsupported scheme when deleting signature from "
                    + redacted(signatureUrl(storage, repositoryPath, manifest, 1)), 0);
        }
        int removed = 0;
        Path first = file(signatureUrl(storage, repositoryPath, manifest, 1));
        for (int n = 1; Files.deleteIfExists(file(signatureUrl(storage, repositoryPath, manifest, n))); n++) {
            removed++;
        }
        try {
            Files.deleteIfExists(first.getParent());
        } catch (java.nio.file.DirectoryNotEmptyException others) {
            // something else lives there: not ours to remove
        }
        LOG.debug("removed {} signature(s) of {} from {}", removed, manifest, redacted(storage));
        return removed;
    }

    /** A temporary file beside the target, synced, then renamed over it: readers see the old file or the new one. */
    private static void writeAtomically(Path target, byte[] content) throws IOException {
        Path dir = target.getParent();
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    out.write(b);
                }
                out.force(true);
            }
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically: " + e.getMessage(), e);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }
}
