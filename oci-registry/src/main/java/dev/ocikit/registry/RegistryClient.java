package dev.ocikit.registry;

import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.distribution.Catalog;
import dev.ocikit.spec.image.ImageIndex;
import dev.ocikit.spec.image.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * A client for registries that speak the OCI distribution spec (v1.1) and the Docker registry
 * API v2, on {@link java.net.http.HttpClient}. Build one with {@link #builder()} and share it: it
 * is thread-safe and long-lived, keeping connection pools, what it learnt about each registry's
 * authentication, and Bearer tokens (cached per scope until shortly before they expire).
 *
 * <p>Work on one repository through {@link #repository(ImageReference)}. Authentication is
 * anonymous, Basic or Bearer (the token flow, including identity tokens through the OAuth2
 * {@code refresh_token} grant), chosen by the registry's {@code WWW-Authenticate} challenge, with
 * credentials from the {@link CredentialProvider}. Redirects are followed by the client itself,
 * dropping {@code Authorization} whenever scheme, host or port change. Connection failures, 5xx
 * and 429 are retried a bounded number of times with exponential backoff and jitter, honouring
 * {@code Retry-After}. TLS is verified unless a registry is marked insecure (then https without
 * verification, falling back to plain http, as skopeo's {@code --tls-verify=false}). Nothing is
 * read from system properties.
 *
 * <p>Reading an image as a pull does ({@link #locate}, and the {@code docker://} transport's
 * sources) follows the {@code registries.conf} mirrors given to the builder
 * ({@link Builder#containersConfig}, {@link Builder#registriesConf}); {@link #repository} always
 * talks to the registry it names, so pushes and deletes go there.
 *
 * <p>Throughput: the JDK's HttpClient reads response bodies in 16 KiB buffers unless the JVM is
 * started with {@code -Djdk.httpclient.bufsize=131072} (or the application sets that property
 * before its first HttpClient), which copies large layers about a fifth faster. It is a setting of
 * the whole JVM, so this library leaves it to the application; ocikit's CLI sets it.
 */
public final class RegistryClient {
    private final Settings settings;
    private final RegistryHttp http;
    private final RegistriesConf registriesConf;
    private final RegistriesD registriesD;
    private final Lookaside lookaside;
    /** Connections for pull sources that need other settings than {@link #http}; one per kind, made on demand. */
    private final Map<PullVariant, RegistryHttp> pullHttp = new java.util.concurrent.ConcurrentHashMap<>();
    /** One for the JVM, as containers/image shares its blob info cache: a copy's two ends often have two clients. */
    private static final BlobLocations BLOB_LOCATIONS = new BlobLocations();

    /** How a pull source's connections differ from the client's own: a host made insecure, credentials withheld. */
    private record PullVariant(Optional<String> insecureRegistry, boolean anonymous) {}

    private RegistryClient(Settings settings, RegistriesConf registriesConf, RegistriesD registriesD) {
        this.settings = settings;
        this.http = new RegistryHttp(settings);
        this.registriesConf = registriesConf;
        this.registriesD = registriesD;
        this.lookaside = new Lookaside(http, settings);
    }

    /** Where clients in this JVM have seen blobs, for cross-repository mounts. */
    BlobLocations blobLocations() {
        return BLOB_LOCATIONS;
    }

    /** A builder with the defaults listed on its methods. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Operations on the repository of {@code reference} (its tag or digest is ignored), on the
     * registry the reference names: no mirror is used, whatever {@code registries.conf} says; for
     * reading as a pull does, see {@link #locate}.
     */
    public RegistryRepository repository(ImageReference reference) {
        Objects.requireNonNull(reference, "reference");
        return new RegistryRepository(http, settings, reference.domain(), reference.path());
    }

    /** Operations on repository {@code path} (such as {@code library/busybox}) of {@code registry} ({@code host[:port]}). */
    public RegistryRepository repository(String registry, String path) {
        return repository(new ImageReference(registry, path, Optional.empty(), Optional.empty()));
    }

    /**
     * Deletes an image from its registry as skopeo delete does: the manifest its tag or digest
     * names (the registry must allow deletes; other tags of it go too), then the signatures the
     * {@code registries.d} lookaside keeps for it, and for each image of it if it is an index.
     * Sigstore attachments ({@code .sig} tags) are left, as containers/image leaves them.
     *
     * @return the digest of the manifest deleted
     * @throws ManifestUnknownException if there is no such image
     * @throws LookasideException if its signatures are kept in storage that cannot be changed
     *     (http); the manifest is deleted by then, as with containers/image
     */
    public Digest deleteImage(ImageReference image) throws IOException {
        ImageReference ref = Objects.requireNonNull(image, "image").withDefaultTag();
        RegistryRepository repo = repository(ref);
        String tagOrDigest = ref.digest().map(Object::toString).orElseGet(() -> ref.tag().orElseThrow());
        ManifestBlob manifest = repo.manifest(tagOrDigest);
        List<Digest> signed = new ArrayList<>();
        signed.add(manifest.digest());
        if (MediaTypes.isIndex(manifest.mediaType())) {
            ImageIndex.parse(manifest.bytes()).manifests().forEach(d -> signed.add(d.digest()));
        }
        repo.deleteManifest(manifest.digest());
        Optional<URI> storage = registriesD.lookasideForWriting(ref);
        if (storage.isPresent()) {
            for (Digest d : signed) {
                Lookaside.delete(storage.get(), ref.path(), d);
            }
        }
        return manifest.digest();
    }

    /**
     * Where a pull of {@code image} looks, in order, per the client's {@code registries.conf}: the
     * mirrors that serve this kind of reference (by tag or by digest), each with the name the
     * image has there, then the registry itself. Just {@code image} when no configuration applies.
     * Does no I/O.
     *
     * @throws BlockedRegistryException if the image's registry is blocked
     */
    public List<RegistriesConf.PullSource> pullSources(ImageReference image) {
        return registriesConf.pullSources(Objects.requireNonNull(image, "image"));
    }

    /**
     * Finds {@code image} for reading, as Podman and Skopeo do: tries each of its
     * {@linkplain #pullSources pull sources} in order, fetching the manifest the reference names
     * ({@code :latest} without tag or digest), and settles on the first that serves it; a source
     * that fails (cannot be reached, has no such image, refuses us, answers with an error) is
     * logged at debug and the next one tried. Each source is reached with its own TLS settings
     * (insecure where registries.conf marks the mirror or registry so, or the client marks its
     * host) and the credentials for its host; {@link CredentialProvider#fixed fixed} credentials
     * are not sent to a host other than the image's own registry. Read everything of the image
     * from the returned location, so that manifests and blobs come from the same place.
     *
     * <p>When no source works: with one source, its failure unchanged; with several, a failure of
     * the type the registry's own was ({@link ManifestUnknownException}, {@link UnauthorizedException},
     * {@link RegistryException}, else an {@link IOException}), whose message names every source
     * tried and why it failed, with the registry's failure as cause and the mirrors' as suppressed.
     *
     * @throws BlockedRegistryException if the image's registry is blocked
     * @throws ManifestUnknownException if no source has the image
     * @throws IOException if no source could be reached
     */
    public ImageLocation locate(ImageReference image) throws IOException {
        return PullSources.locate(this, Objects.requireNonNull(image, "image").withDefaultTag());
    }

    /**
     * Where this client's {@code docker://} sources and destinations keep image signatures
     * ({@link Builder#registriesD}); {@link RegistriesD#none()} unless configured.
     */
    public RegistriesD registriesD() {
        return registriesD;
    }

    /** Reads and writes lookaside signature storage through this client's connections. */
    Lookaside lookaside() {
        return lookaside;
    }

    /**
     * The repository to read {@code source} from, for a pull of {@code requested}: the client's
     * connections, or ones with the source's own TLS and credential rules where they differ.
     */
    RegistryRepository pullRepository(RegistriesConf.PullSource source, ImageReference requested) {
        String registry = source.reference().domain();
        boolean insecure = source.insecure() && !settings.insecure(registry);
        boolean anonymous = settings.credentials() instanceof FixedCredentialProvider && !registry.equals(requested.domain());
        RegistryHttp h = http;
        Settings s = settings;
        if (insecure || anonymous) {
            if (insecure) {
                s = s.withInsecure(registry);
            }
            if (anonymous) {
                s = s.withCredentials(CredentialProvider.NONE);
            }
            Settings chosen = s;
            h = pullHttp.computeIfAbsent(new PullVariant(insecure ? Optional.of(registry) : Optional.empty(), anonymous),
                    v -> new RegistryHttp(chosen));
        }
        return new RegistryRepository(h, s, registry, source.reference().path());
    }

    /**
     * Checks that {@code registry} ({@code host[:port]}) answers the distribution API at
     * {@code /v2/}, authenticating as needed.
     *
     * @throws UnauthorizedException if it refuses our credentials (or asks for some we lack)
     * @throws RegistryException if it answers with another error
     * @throws IOException if it cannot be reached
     */
    public void ping(String registry) throws IOException {
        HttpResponse<InputStream> r = http.send(RegistryHttp.Call.get(registry, "/v2/", Optional.empty(), List.of()), 200);
        RegistryHttp.close(r);
    }

    /**
     * All repository names of the registry's catalog (a Docker registry API extension, often for
     * administrators only), following {@code Link} pagination.
     */
    public List<String> catalog(String registry) throws IOException {
        List<String> all = new ArrayList<>();
        Pagination.follow(http, RegistryHttp.Call.get(registry, "/v2/_catalog?n=" + settings.pageSize(),
                Optional.empty(), List.of("registry:catalog:*")), settings.maxListBody(), "catalog of " + registry,
                body -> all.addAll(Catalog.parse(body).repositories()));
        return List.copyOf(all);
    }

    /** The settings, immutable; package-private for the HTTP layer. */
    record Settings(CredentialProvider credentials, Map<String, SSLContext> sslContexts, Optional<SSLContext> defaultSslContext,
            java.util.function.Function<String, Optional<SSLContext>> sslLookup,
            java.util.function.Predicate<String> insecureLookup,
            Set<String> insecureRegistries, Set<String> plainHttpRegistries, Duration connectTimeout, Duration requestTimeout, int maxAttempts,
            Duration retryBackoff, Duration maxRetryWait, long maxManifestSize, long maxListBody, int pageSize,
            long chunkedUploadThreshold, int chunkSize, int maxResumes, Optional<Executor> executor, Clock clock,
            String userAgent, Map<String, java.net.URI> endpoints) {

        /** The registry an endpoint override points at {@code authority}, so that its TLS rules apply there. */
        String registryAt(String authority) {
            for (Map.Entry<String, java.net.URI> e : endpoints.entrySet()) {
                if (e.getValue().getRawAuthority().equalsIgnoreCase(authority)) {
                    return e.getKey();
                }
            }
            return authority;
        }

        boolean insecure(String registry) {
            return insecureRegistries.contains(registry) || plainHttpRegistries.contains(registry)
                    || insecureLookup.test(registry);
        }

        boolean plainHttp(String registry) {
            return plainHttpRegistries.contains(registry);
        }

        Optional<SSLContext> sslContext(String registry) {
            return Optional.ofNullable(sslContexts.get(registry)).or(() -> sslLookup.apply(registry))
                    .or(() -> defaultSslContext);
        }

        /** These settings with {@code registry} also insecure. */
        Settings withInsecure(String registry) {
            Set<String> more = new HashSet<>(insecureRegistries);
            more.add(registry);
            return new Settings(credentials, sslContexts, defaultSslContext, sslLookup, insecureLookup, Set.copyOf(more),
                    plainHttpRegistries, connectTimeout, requestTimeout, maxAttempts, retryBackoff, maxRetryWait,
                    maxManifestSize, maxListBody, pageSize, chunkedUploadThreshold, chunkSize, maxResumes, executor, clock,
                    userAgent, endpoints);
        }

        /** These settings with other credentials. */
        Settings withCredentials(CredentialProvider other) {
            return new Settings(other, sslContexts, defaultSslContext, sslLookup, insecureLookup, insecureRegistries,
                    plainHttpRegistries, connectTimeout, requestTimeout, maxAttempts, retryBackoff, maxRetryWait,
                    maxManifestSize, maxListBody, pageSize, chunkedUploadThreshold, chunkSize, maxResumes, executor, clock,
                    userAgent, endpoints);
        }
    }

    /**
     * Builds a {@link RegistryClient}. Not thread-safe; every setting applies to the client built,
     * nothing is global.
     */
    public static final class Builder {
        private CredentialProvider credentials = CredentialProvider.NONE;
        private final Map<String, SSLContext> sslContexts = new HashMap<>();
        private Optional<SSLContext> defaultSslContext = Optional.empty();
        private java.util.function.Function<String, Optional<SSLContext>> sslLookup = registry -> Optional.empty();
        private java.util.function.Predicate<String> insecureLookup = registry -> false;
        private final Set<String> insecure = new HashSet<>();
        private final Set<String> plainHttp = new HashSet<>();
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration requestTimeout = Duration.ofMinutes(2);
        private int maxAttempts = 4;
        private Duration retryBackoff = Duration.ofMillis(250);
        private Duration maxRetryWait = Duration.ofSeconds(30);
        private long maxManifestSize = 4L << 20;
        private int pageSize = 1000;
        private long chunkedUploadThreshold = Long.MAX_VALUE;
        private int chunkSize = 8 << 20;
        private int maxResumes = 5;
        private Optional<Executor> executor = Optional.empty();
        private Clock clock = Clock.systemUTC();
        private String userAgent = "ocikit";
        private final Map<String, java.net.URI> endpoints = new HashMap<>();
        private RegistriesConf registriesConf = RegistriesConf.empty();
        private RegistriesD registriesD = RegistriesD.none();

        private Builder() {}

        /**
         * Reaches {@code registry} (the name in image references, such as {@code docker.io}) at
         * {@code endpoint} ({@code https://host[:port]} or {@code http://host[:port]}, no path)
         * instead of the host its name says ({@code docker.io} is otherwise reached at
         * {@code registry-1.docker.io}): for tests and for mirrors reached under another name.
         * Credentials, tokens and {@code registries.conf} entries stay keyed by {@code registry}.
         * The registry's TLS settings ({@link #sslContext}, {@link #insecure}) apply to the
         * endpoint's host; a plain {@code http} endpoint is refused at {@link #build()} unless the
         * registry is marked {@link #insecure} or {@link #plainHttp}. Default: none.
         */
        public Builder endpoint(String registry, java.net.URI endpoint) {
            Objects.requireNonNull(registry, "registry");
            Objects.requireNonNull(endpoint, "endpoint");
            String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(java.util.Locale.ROOT);
            boolean noPath = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() || endpoint.getRawPath().equals("/");
            if (!(scheme.equals("https") || scheme.equals("http")) || endpoint.getHost() == null || !noPath
                    || endpoint.getRawQuery() != null || endpoint.getRawUserInfo() != null) {
                throw new IllegalArgumentException("the endpoint of " + registry
                        + " must be http(s)://host[:port] without path, query or user, got " + endpoint);
            }
            endpoints.put(registry, java.net.URI.create(scheme + "://" + endpoint.getRawAuthority()));
            return this;
        }

        /** Where credentials come from; default {@link CredentialProvider#NONE} (anonymous). */
        public Builder credentials(CredentialProvider provider) {
            this.credentials = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /**
         * The TLS context (trust store, client certificate) for {@code registry} ({@code host[:port]},
         * as in image names); default: the JVM's default context.
         */
        /**
         * Configures the client from the files Podman and Skopeo use, found as containers/image
         * finds them in {@code environment}: credentials from {@code auth.json} and credential
         * helpers (with {@code registries.conf}'s {@code credential-helpers}), registries marked
         * {@code insecure} in {@code registries.conf}, the mirrors and blocked registries of
         * {@code registries.conf} for pulls ({@link #registriesConf}), per-registry CAs and
         * client certificates from {@code certs.d}, and where image signatures are kept
         * ({@code registries.d}, {@link RegistriesD#load(ContainersEnvironment)}). Settings made
         * explicitly on this builder win; call {@link #registriesD} after this to read another
         * {@code registries.d} directory (skopeo's {@code --registries.d}).
         *
         * @throws ContainersConfigException if a file is malformed (it names the file and key)
         */
        public Builder containersConfig(ContainersEnvironment environment) throws IOException {
            RegistriesConf conf = RegistriesConf.load(environment);
            credentials(conf.authFiles(AuthFiles.forEnvironment(environment)));
            CertsDirectories certs = CertsDirectories.forEnvironment(environment);
            Map<String, Optional<SSLContext>> cache = new java.util.concurrent.ConcurrentHashMap<>();
            sslLookup = registry -> cache.computeIfAbsent(registry, r -> {
                if (certs.directoryFor(r).isEmpty()) {
                    return Optional.empty();
                }
                try {
                    return Optional.of(certs.sslContext(r));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            insecureLookup = registry -> conf.registryFor(registry).map(RegistriesConf.Registry::insecure).orElse(false);
            registriesConf = conf;
            registriesD = RegistriesD.load(environment);
            return this;
        }

        /**
         * Where the {@code docker://} transport reads and writes image signatures: lookaside
         * storage and sigstore attachments, per {@code registries.d}. Replaces what an earlier call
         * (or {@link #containersConfig}) set. Default: {@link RegistriesD#none()}, no signatures
         * read or written.
         */
        public Builder registriesD(RegistriesD config) {
            this.registriesD = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * The {@code registries.conf} whose mirrors and blocked registries pulls follow
         * ({@link RegistryClient#locate} and the {@code docker://} transport's sources), with
         * each mirror's or location's {@code insecure} mark for reading from it. Its
         * {@code insecure} marks do not otherwise apply (pushes, {@link RegistryClient#repository});
         * {@link #containersConfig} sets both. Replaces what an earlier call (or
         * {@link #containersConfig}) set. Default: {@link RegistriesConf#empty()}, no mirrors.
         */
        public Builder registriesConf(RegistriesConf conf) {
            this.registriesConf = Objects.requireNonNull(conf, "conf");
            return this;
        }

        public Builder sslContext(String registry, SSLContext context) {
            sslContexts.put(Objects.requireNonNull(registry, "registry"), Objects.requireNonNull(context, "context"));
            return this;
        }

        /** The TLS context for registries without their own; default: the JVM's default context. */
        public Builder defaultSslContext(SSLContext context) {
            this.defaultSslContext = Optional.of(context);
            return this;
        }

        /**
         * Marks {@code registry} insecure: https without certificate verification, falling back to
         * plain http. Default: every registry is secure.
         */
        public Builder insecure(String registry) {
            insecure.add(Objects.requireNonNull(registry, "registry"));
            return this;
        }

        /**
         * Talks plain http to {@code registry}, without first trying https: for loopback test
         * registries and other hosts known to have no TLS. Implies {@link #insecure}. Default: none.
         */
        public Builder plainHttp(String registry) {
            plainHttp.add(Objects.requireNonNull(registry, "registry"));
            return this;
        }

        /** Timeout for establishing a connection; default 30 s. */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive(d, "connectTimeout");
            return this;
        }

        /**
         * Timeout for a response's headers to arrive, and for a blob body to send more data (a
         * stalled blob is then resumed like a dropped one); default 2 min.
         */
        public Builder requestTimeout(Duration d) {
            this.requestTimeout = positive(d, "requestTimeout");
            return this;
        }

        /** Attempts per request on connection failures, 5xx and 429 (1 = no retry); default 4. */
        public Builder maxAttempts(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, got " + n);
            }
            this.maxAttempts = n;
            return this;
        }

        /** First retry delay, doubled per attempt with jitter; default 250 ms. */
        public Builder retryBackoff(Duration d) {
            this.retryBackoff = Objects.requireNonNull(d, "retryBackoff");
            return this;
        }

        /** Longest wait before a retry, also capping {@code Retry-After}; default 30 s. */
        public Builder maxRetryWait(Duration d) {
            this.maxRetryWait = Objects.requireNonNull(d, "maxRetryWait");
            return this;
        }

        /** Largest manifest accepted; default 4 MiB (what distribution registries accept). */
        public Builder maxManifestSize(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxManifestSize must be positive");
            }
            this.maxManifestSize = bytes;
            return this;
        }

        /** Entries asked for per page of tag lists and catalogs ({@code n}); default 1000. */
        public Builder pageSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("pageSize must be positive");
            }
            this.pageSize = n;
            return this;
        }

        /**
         * Blobs at least this large are uploaded in chunks ({@code PATCH} with {@code Content-Range});
         * smaller ones in one {@code PUT}. Default: never chunked.
         */
        public Builder chunkedUploadThreshold(long bytes) {
            this.chunkedUploadThreshold = bytes;
            return this;
        }

        /** Size of upload chunks (raised to the registry's {@code OCI-Chunk-Min-Length}); default 8 MiB. */
        public Builder chunkSize(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("chunkSize must be positive");
            }
            this.chunkSize = bytes;
            return this;
        }

        /** Times a blob download is resumed with {@code Range} after the connection dropped; default 5. */
        public Builder maxResumes(int n) {
            this.maxResumes = Math.max(0, n);
            return this;
        }

        /** The executor of the HTTP client; default the HttpClient's own. */
        public Builder executor(Executor e) {
            this.executor = Optional.of(e);
            return this;
        }

        /** The clock for token expiry and {@code Retry-After} dates; default UTC system clock. */
        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /** The User-Agent header; default {@code ocikit}. */
        public Builder userAgent(String ua) {
            this.userAgent = Objects.requireNonNull(ua, "userAgent");
            return this;
        }

        public RegistryClient build() {
            for (Map.Entry<String, java.net.URI> e : endpoints.entrySet()) {
                String r = e.getKey();
                if (e.getValue().getScheme().equals("http") && !insecure.contains(r) && !plainHttp.contains(r)
                        && !insecureLookup.test(r)) {
                    throw new IllegalStateException("the endpoint of " + r + " is plain http (" + e.getValue()
                            + "), but " + r + " is not marked insecure or plainHttp; mark it so, or use https");
                }
            }
            return new RegistryClient(new Settings(credentials, Map.copyOf(sslContexts), defaultSslContext, sslLookup,
                    insecureLookup,
                    Set.copyOf(insecure), Set.copyOf(plainHttp), connectTimeout, requestTimeout, maxAttempts, retryBackoff, maxRetryWait,
                    maxManifestSize, 16L << 20, pageSize, chunkedUploadThreshold, chunkSize, maxResumes, executor,
                    clock, userAgent, Map.copyOf(endpoints)), registriesConf, registriesD);
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
