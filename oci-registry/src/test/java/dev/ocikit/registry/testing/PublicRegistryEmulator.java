package dev.ocikit.registry.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.image.MediaTypes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A loopback stand-in for one of the public registries ocikit must work with, answering as that
 * registry does (from its documentation and observed behaviour): the same {@code WWW-Authenticate}
 * challenge (realm path, {@code service}), a token endpoint with that registry's token JSON,
 * that registry's error bodies, and blob downloads redirected to a separate "CDN" server where
 * the registry does so. All three servers (registry, token realm, CDN) are TLS on 127.0.0.1 with a
 * certificate from a CA generated per emulator; {@link #clientTrust()} trusts it.
 *
 * <p>Content: one multi-arch image (an index or manifest list of linux/amd64 and linux/arm64)
 * per repository added with {@link #addImage}. Every request is recorded for assertions.
 * Thread-safe; close it to stop the servers.
 */
public final class PublicRegistryEmulator implements AutoCloseable {

    /** How each public registry behaves, as far as a pulling client can see. */
    public enum Profile {
        /** docker.io: registry-1.docker.io, token service auth.docker.io, anonymous pulls, blobs on a CDN. */
        DOCKER_HUB("docker.io", "registry.docker.io", "/token", true, false, true, true,
                "authentication required", MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST),
        /** quay.io: realm /v2/auth on the registry host itself, token JSON with {@code token} only. */
        QUAY("quay.io", "quay.io", "/v2/auth", false, false, true, true,
                "access to the requested resource is not authorized", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST),
        /** registry.access.redhat.com: anonymous, no challenge, blobs redirected to a CDN. */
        REDHAT_ACCESS("registry.access.redhat.com", "", "", false, false, false, true,
                "", MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST),
        /** registry.redhat.io: an SSO-style token realm that demands Customer Portal credentials. */
        REDHAT_IO("registry.redhat.io", "docker-registry", "/auth/realms/rhcc/protocol/redhat-docker-v2/auth", true, true,
                true, true, "Please login to the Red Hat Registry using your Customer Portal credentials. Further "
                + "instructions can be found here: https://access.redhat.com/RegistryAuthentication",
                MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST),
        /** registry.fedoraproject.org: plain anonymous, no auth, blobs served directly. */
        FEDORA("registry.fedoraproject.org", "", "", false, false, false, false, "",
                MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST);

        public final String registry;
        final String service;
        final String realmPath;
        final boolean separateRealmHost;
        public final boolean needsCredentials;
        public final boolean bearer;
        public final boolean cdnBlobs;
        public final String unauthorizedMessage;
        public final String indexType;
        public final String manifestType;

        Profile(String registry, String service, String realmPath, boolean separateRealmHost, boolean needsCredentials,
                boolean bearer, boolean cdnBlobs, String unauthorizedMessage, String indexType, String manifestType) {
            this.registry = registry;
            this.service = service;
            this.realmPath = realmPath;
            this.separateRealmHost = separateRealmHost;
            this.needsCredentials = needsCredentials;
            this.bearer = bearer;
            this.cdnBlobs = cdnBlobs;
            this.unauthorizedMessage = unauthorizedMessage;
            this.indexType = indexType;
            this.manifestType = manifestType;
        }
    }

    /** The shapes of token JSON seen in the wild. */
    public enum TokenJson {
        /** Docker Hub's: token, access_token, expires_in, issued_at. */
        FULL,
        /** token only, no expiry (Quay's). */
        TOKEN_ONLY,
        /** access_token only (OAuth2 style), with expires_in. */
        ACCESS_TOKEN_ONLY
    }

    /** A request one of the servers received. */
    public record Request(String server, String method, String path, Optional<String> query, Optional<String> authorization) {}

    /** What was stored for one platform. */
    public record PlatformImage(String architecture, byte[] layer, byte[] config, byte[] manifest) {
        public Digest layerDigest() {
            return Digest.sha256(layer);
        }

        public Digest configDigest() {
            return Digest.sha256(config);
        }

        public Digest manifestDigest() {
            return Digest.sha256(manifest);
        }
    }

    /** A multi-arch image: the index bytes and its platform images. */
    public record MultiArchImage(byte[] index, List<PlatformImage> platforms) {
        public Digest indexDigest() {
            return Digest.sha256(index);
        }

        public PlatformImage platform(String architecture) {
            return platforms.stream().filter(p -> p.architecture().equals(architecture)).findFirst().orElseThrow();
        }
    }

    private static final Pattern MANIFEST = Pattern.compile("/v2/(.+)/manifests/([^/]+)");
    private static final Pattern BLOB = Pattern.compile("/v2/(.+)/blobs/(sha256:[0-9a-f]{64})");

    private final Profile profile;
    private final HttpsServer registry;
    private final HttpsServer auth;
    private final HttpsServer cdn;
    private final SSLContext clientTrust;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    /** repository -> reference (tag or digest) -> manifest bytes with type. */
    private final Map<String, Map<String, Map.Entry<String, byte[]>>> manifests = new ConcurrentHashMap<>();
    private final Map<String, Map<Digest, byte[]>> blobs = new ConcurrentHashMap<>();
    /** token -> repositories it may pull. */
    private final Map<String, Set<String>> tokens = new ConcurrentHashMap<>();
    private final Set<String> privateRepositories = ConcurrentHashMap.newKeySet();
    private volatile TokenJson tokenJson = TokenJson.FULL;
    private volatile boolean rateLimited;
    private volatile Optional<Map.Entry<String, String>> user = Optional.empty();

    private PublicRegistryEmulator(Profile profile) throws IOException {
        this.profile = profile;
        TestCertificates.KeyAndCertificate ca = TestCertificates.ca("emulated " + profile.registry + " CA");
        TestCertificates.KeyAndCertificate leaf = TestCertificates.server(ca);
        SSLContext serverContext = serverContext(leaf, ca);
        this.clientTrust = TestCertificates.trusting(ca.certificate());
        this.registry = start(serverContext, "registry", this::registry);
        this.auth = profile.separateRealmHost ? start(serverContext, "auth", this::token) : null;
        this.cdn = start(serverContext, "cdn", this::cdn);
    }

    /** Starts the servers of {@code profile} on free loopback ports. */
    public static PublicRegistryEmulator start(Profile profile) throws IOException {
        return new PublicRegistryEmulator(profile);
    }

    public Profile profile() {
        return profile;
    }

    /** Where the registry name is served: {@code https://127.0.0.1:port}. */
    public URI endpoint() {
        return URI.create("https://127.0.0.1:" + registry.getAddress().getPort());
    }

    /** A client TLS context trusting the emulator's CA (for the registry, its realm and its CDN). */
    public SSLContext clientTrust() {
        return clientTrust;
    }

    /** The token JSON shape served from now on; default {@link TokenJson#FULL}. */
    public void tokenJson(TokenJson json) {
        this.tokenJson = json;
    }

    /** Whether the registry answers every manifest request with 429 TOOMANYREQUESTS, as Docker Hub's pull limit does. */
    public void rateLimited(boolean on) {
        this.rateLimited = on;
    }

    /** The one account the token realm accepts (for registries needing credentials). */
    public void user(String name, String password) {
        this.user = Optional.of(Map.entry(name, password));
    }

    /** Makes {@code repository} private: only tokens issued to the {@link #user} may pull it. */
    public void makePrivate(String repository) {
        privateRepositories.add(repository);
    }

    /** Every request received so far, in order. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Request> requests(String server) {
        return requests.stream().filter(r -> r.server().equals(server)).toList();
    }

    /** Stores a linux/amd64 + linux/arm64 image in {@code repository} under {@code tag}. */
    public MultiArchImage addImage(String repository, String tag) {
        List<PlatformImage> platforms = new ArrayList<>();
        boolean docker = profile.manifestType.equals(MediaTypes.DOCKER_MANIFEST);
        StringBuilder index = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + profile.indexType + "\",\"manifests\":[");
        for (String arch : List.of("amd64", "arm64")) {
            byte[] tar = TestImage.tar(repository.replace('/', '_') + "-" + arch + ".txt",
                    (profile.registry + " " + repository + " " + arch + "\n").getBytes(StandardCharsets.UTF_8));
            byte[] layer = TestImage.gzip(tar);
            byte[] config = ("{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"config\":{},"
                    + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + Digest.sha256(tar) + "\"]}}")
                    .getBytes(StandardCharsets.UTF_8);
            byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + profile.manifestType + "\","
                    + "\"config\":{\"mediaType\":\"" + (docker ? MediaTypes.DOCKER_CONFIG : MediaTypes.OCI_CONFIG)
                    + "\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":" + config.length + "},"
                    + "\"layers\":[{\"mediaType\":\"" + (docker ? MediaTypes.DOCKER_LAYER_TAR_GZIP : MediaTypes.OCI_LAYER_TAR_GZIP)
                    + "\",\"digest\":\"" + Digest.sha256(layer) + "\",\"size\":" + layer.length + "}]}")
                    .getBytes(StandardCharsets.UTF_8);
            PlatformImage p = new PlatformImage(arch, layer, config, manifest);
            platforms.add(p);
            Map<Digest, byte[]> repoBlobs = blobs.computeIfAbsent(repository, r -> new ConcurrentHashMap<>());
            repoBlobs.put(p.layerDigest(), layer);
            repoBlobs.put(p.configDigest(), config);
            putManifest(repository, p.manifestDigest().toString(), profile.manifestType, manifest);
            index.append(platforms.size() > 1 ? "," : "").append("{\"mediaType\":\"").append(profile.manifestType)
                    .append("\",\"digest\":\"").append(p.manifestDigest()).append("\",\"size\":").append(manifest.length)
                    .append(",\"platform\":{\"architecture\":\"").append(arch).append("\",\"os\":\"linux\"}}");
        }
        byte[] indexBytes = index.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        putManifest(repository, tag, profile.indexType, indexBytes);
        putManifest(repository, Digest.sha256(indexBytes).toString(), profile.indexType, indexBytes);
        return new MultiArchImage(indexBytes, List.copyOf(platforms));
    }

    private void putManifest(String repository, String ref, String type, byte[] bytes) {
        manifests.computeIfAbsent(repository, r -> new ConcurrentHashMap<>()).put(ref, Map.entry(type, bytes));
    }

    @Override
    public void close() {
        registry.stop(0);
        if (auth != null) {
            auth.stop(0);
        }
        cdn.stop(0);
    }

    // ---------------------------------------------------------------- servers

    private interface Handler {
        void handle(HttpExchange ex) throws IOException;
    }

    private HttpsServer start(SSLContext ctx, String name, Handler handler) throws IOException {
        HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(ctx));
        s.createContext("/", ex -> {
            try (ex) {
                URI u = ex.getRequestURI();
                requests.add(new Request(name, ex.getRequestMethod(), u.getRawPath(), Optional.ofNullable(u.getRawQuery()),
                        Optional.ofNullable(ex.getRequestHeaders().getFirst("Authorization"))));
                handler.handle(ex);
            } catch (RuntimeException | IOException e) {
                ex.sendResponseHeaders(500, -1);
            }
        });
        s.start();
        return s;
    }

    private static SSLContext serverContext(TestCertificates.KeyAndCertificate leaf, TestCertificates.KeyAndCertificate ca) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = "emulator".toCharArray();
            ks.setKeyEntry("server", leaf.privateKey(), pw, new Certificate[] {leaf.certificate(), ca.certificate()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the emulator's TLS context", e);
        }
    }

    private URI realm() {
        HttpsServer host = profile.separateRealmHost ? auth : registry;
        return URI.create("https://127.0.0.1:" + host.getAddress().getPort() + profile.realmPath);
    }

    private void registry(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        ex.getResponseHeaders().add("Docker-Distribution-Api-Version", "registry/2.0");
        if (profile.bearer && !profile.separateRealmHost && path.equals(profile.realmPath)) {
            token(ex);
            return;
        }
        Matcher m = MANIFEST.matcher(path);
        Matcher b = BLOB.matcher(path);
        String repository = m.matches() ? m.group(1) : b.matches() ? b.group(1) : null;
        if (profile.bearer && !authorized(ex, repository)) {
            String scope = repository == null ? "" : ",scope=\"repository:" + repository + ":pull\"";
            ex.getResponseHeaders().add("WWW-Authenticate",
                    "Bearer realm=\"" + realm() + "\",service=\"" + profile.service + "\"" + scope);
            error(ex, 401, "UNAUTHORIZED", profile.unauthorizedMessage, repository);
            return;
        }
        if (path.equals("/v2/") || path.equals("/v2")) {
            json(ex, 200, "{}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (m.matches()) {
            if (rateLimited) {
                error(ex, 429, "TOOMANYREQUESTS", "You have reached your pull rate limit. You may increase the limit "
                        + "by authenticating and upgrading: https://www.docker.com/increase-rate-limit", null);
                return;
            }
            Map.Entry<String, byte[]> e = manifests.getOrDefault(repository, Map.of()).get(m.group(2));
            if (e == null) {
                error(ex, 404, "MANIFEST_UNKNOWN", "manifest unknown", null);
                return;
            }
            String accept = String.join(",", ex.getRequestHeaders().getOrDefault("Accept", List.of()));
            if (!accept.contains(e.getKey())) {
                error(ex, 404, "MANIFEST_UNKNOWN", "manifest type " + e.getKey() + " not accepted", null);
                return;
            }
            ex.getResponseHeaders().add("Content-Type", e.getKey());
            ex.getResponseHeaders().add("Docker-Content-Digest", Digest.sha256(e.getValue()).toString());
            body(ex, 200, e.getValue());
            return;
        }
        if (b.matches()) {
            Digest d = Digest.parse(b.group(2));
            byte[] blob = blobs.getOrDefault(repository, Map.of()).get(d);
            if (blob == null) {
                error(ex, 404, "BLOB_UNKNOWN", "blob unknown to registry", null);
                return;
            }
            if (profile.cdnBlobs) {
                // as the CDNs do: a signed, expiring URL on another host, no registry credentials needed
                String location = "https://127.0.0.1:" + cdn.getAddress().getPort() + "/blobs/" + d.algorithm().id() + "/"
                        + d.encoded() + "/data?expires=" + (Instant.now().getEpochSecond() + 1200) + "&signature=emulated";
                ex.getResponseHeaders().add("Location", location);
                body(ex, profile == Profile.DOCKER_HUB ? 307 : 302, new byte[0]);
                return;
            }
            ex.getResponseHeaders().add("Docker-Content-Digest", d.toString());
            ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
            body(ex, 200, blob);
            return;
        }
        error(ex, 404, "NAME_UNKNOWN", "repository name not known to registry", null);
    }

    private boolean authorized(HttpExchange ex, String repository) {
        String h = ex.getRequestHeaders().getFirst("Authorization");
        if (h == null || !h.startsWith("Bearer ")) {
            return false;
        }
        Set<String> granted = tokens.get(h.substring("Bearer ".length()));
        return granted != null && (repository == null || granted.contains(repository));
    }

    private void token(HttpExchange ex) throws IOException {
        Map<String, List<String>> q = query(ex.getRequestURI().getRawQuery());
        if (!q.getOrDefault("service", List.of()).equals(List.of(profile.service))) {
            json(ex, 400, "{\"details\":\"unknown service\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        Optional<String> basic = Optional.ofNullable(ex.getRequestHeaders().getFirst("Authorization"))
                .filter(a -> a.startsWith("Basic "))
                .map(a -> new String(Base64.getDecoder().decode(a.substring(6)), StandardCharsets.UTF_8));
        boolean authenticated = basic.isPresent() && user.isPresent()
                && basic.get().equals(user.get().getKey() + ":" + user.get().getValue());
        if (basic.isPresent() && !authenticated || profile.needsCredentials && !authenticated) {
            ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"" + profile.registry + "\"");
            error(ex, 401, "UNAUTHORIZED", basic.isPresent() ? "invalid username/password" : profile.unauthorizedMessage, null);
            return;
        }
        Set<String> granted = ConcurrentHashMap.newKeySet();
        for (String scope : q.getOrDefault("scope", List.of())) {
            for (String one : scope.split(" ")) {
                String[] parts = one.split(":");
                if (parts.length == 3 && parts[0].equals("repository") && parts[2].contains("pull")
                        && manifests.containsKey(parts[1]) && (authenticated || !privateRepositories.contains(parts[1]))) {
                    granted.add(parts[1]); // unknown repositories get a token that grants nothing, as on Docker Hub
                }
            }
        }
        String token = "emulated." + UUID.randomUUID();
        tokens.put(token, granted);
        String issued = Instant.now().toString();
        String body = switch (tokenJson) {
            case FULL -> "{\"token\":\"" + token + "\",\"access_token\":\"" + token + "\",\"expires_in\":300,\"issued_at\":\""
                    + issued + "\"}";
            case TOKEN_ONLY -> "{\"token\":\"" + token + "\"}";
            case ACCESS_TOKEN_ONLY -> "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":300}";
        };
        json(ex, 200, body.getBytes(StandardCharsets.UTF_8));
    }

    private void cdn(HttpExchange ex) throws IOException {
        String[] parts = ex.getRequestURI().getRawPath().split("/");
        // /blobs/<alg>/<hex>/data
        if (parts.length != 5 || ex.getRequestURI().getRawQuery() == null || !ex.getRequestURI().getRawQuery().contains("signature=")) {
            body(ex, 403, "<Error><Code>AccessDenied</Code></Error>".getBytes(StandardCharsets.UTF_8));
            return;
        }
        Digest d = Digest.parse(parts[2] + ":" + parts[3]);
        for (Map<Digest, byte[]> repoBlobs : blobs.values()) {
            byte[] blob = repoBlobs.get(d);
            if (blob != null) {
                ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
                body(ex, 200, blob);
                return;
            }
        }
        body(ex, 404, new byte[0]);
    }

    private void error(HttpExchange ex, int status, String code, String message, String repository) throws IOException {
        String detail = "";
        if (profile == Profile.DOCKER_HUB && code.equals("UNAUTHORIZED") && repository != null) {
            detail = ",\"detail\":[{\"Type\":\"repository\",\"Class\":\"\",\"Name\":\"" + repository + "\",\"Action\":\"pull\"}]";
        } else if (profile == Profile.QUAY) {
            detail = ",\"detail\":{}";
        }
        json(ex, status, ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"" + detail + "}]}")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static void json(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "application/json");
        body(ex, status, body);
    }

    private static void body(HttpExchange ex, int status, byte[] body) throws IOException {
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (head || body.length == 0) {
            if (head && body.length > 0) {
                ex.getResponseHeaders().add("Content-Length", Integer.toString(body.length));
            }
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }
}
