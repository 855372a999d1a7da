package dev.ocikit.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.distribution.ErrorCode;
import dev.ocikit.spec.distribution.ErrorResponse;
import dev.ocikit.spec.distribution.RegistryError;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP layer of {@link RegistryClient}: endpoint (scheme) resolution, authentication
 * (Basic and Bearer tokens, cached per scope), redirects followed here with {@code Authorization}
 * dropped across origins, bounded retries, and error envelopes turned into exceptions.
 * Thread-safe.
 */
final class RegistryHttp {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttp.class);
    private static final int MAX_REDIRECTS = 10;
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final int MAX_TOKEN_BODY = 1024 * 1024;
    /** Tokens are renewed this long before the expiry the token server announced. */
    private static final Duration TOKEN_MARGIN = Duration.ofSeconds(10);
    private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);

    /** A request to a registry; the body supplier is called once per attempt. */
    record Call(String method, String registry, String pathAndQuery, Optional<String> repository,
            List<String> scopes, Map<String, String> headers, Optional<Supplier<HttpRequest.BodyPublisher>> body,
            boolean retryable) {

        static Call get(String registry, String path, Optional<String> repository, List<String> scopes) {
            return new Call("GET", registry, path, repository, scopes, Map.of(), Optional.empty(), true);
        }

        Call with(String method, Optional<Supplier<HttpRequest.BodyPublisher>> newBody) {
            return new Call(method, registry, pathAndQuery, repository, scopes, headers, newBody, retryable);
        }

        Call withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Call(method, registry, pathAndQuery, repository, scopes, Map.copyOf(h), body, retryable);
        }

        Call at(String newPathOrUri) {
            return new Call(method, registry, newPathOrUri, repository, scopes, headers, body, retryable);
        }

        Call notRetryable() {
            return new Call(method, registry, pathAndQuery, repository, scopes, headers, body, false);
        }

        /** For messages: method and path, without a query (upload state is noise). */
        String describe() {
            String p = pathAndQuery;
            if (p.startsWith("http://") || p.startsWith("https://")) {
                URI u = URI.create(p);
                p = u.getRawPath();
                if (!sameOrigin(u, URI.create(u.getScheme() + "://" + registry))) {
                    return method + " " + u.getHost() + p; // a blob store or upload host the registry sent us to
                }
            }
            int q = p.indexOf('?');
            return method + " " + registry + (q < 0 ? p : p.substring(0, q));
        }
    }

    private record Token(String value, Instant expires) {}

    private final RegistryClient.Settings settings;
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();
    private final Map<String, URI> endpoints = new ConcurrentHashMap<>();
    private final Map<String, AuthChallenge> challenges = new ConcurrentHashMap<>();
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    RegistryHttp(RegistryClient.Settings settings) {
        this.settings = settings;
    }

    // ---------------------------------------------------------------- endpoints and clients

    /** The base URI ({@code https://host:port}) a registry is reached at; probed once for insecure registries. */
    URI endpoint(String registry) throws IOException {
        URI known = endpoints.get(registry);
        if (known != null) {
            return known;
        }
        // Parallel blob transfers ask at once: one of them probes, the others wait for its answer.
        synchronized (probeLocks.computeIfAbsent(registry, r -> new Object())) {
            return probeEndpoint(registry);
        }
    }

    private final Map<String, Object> probeLocks = new ConcurrentHashMap<>();

    private URI probeEndpoint(String registry) throws IOException {
        URI known = endpoints.get(registry);
        if (known != null) {
            return known;
        }
        URI override = settings.endpoints().get(registry);
        if (override != null) {
            // its scheme was checked against the registry's insecure/plainHttp marks when the client was built
            endpoints.put(registry, override);
            return override;
        }
        String host = registry.equals("docker.io") ? "registry-1.docker.io" : registry;
        URI https = URI.create("https://" + host);
        if (settings.plainHttp(registry)) {
            URI http = URI.create("http://" + host);
            endpoints.put(registry, http);
            return http;
        }
        if (!settings.insecure(registry)) {
            endpoints.put(registry, https);
            return https;
        }
        // An insecure registry: https without verification, falling back to http (skopeo's --tls-verify=false).
        if (PlainHttpProbe.answersPlainHttp(host, settings.connectTimeout())) {
            LOG.debug("{} answers a TLS hello in plain http; using http", registry);
            URI http = URI.create("http://" + host);
            endpoints.put(registry, http);
            return http;
        }
        URI chosen;
        try {
            client(registry).send(HttpRequest.newBuilder(https.resolve("/v2/")).timeout(settings.requestTimeout())
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
            chosen = https;
        } catch (SSLException | ConnectException e) {
            LOG.debug("{} does not speak https ({}); using http", registry, e.toString());
            chosen = URI.create("http://" + host);
        } catch (IOException e) {
            // Java reports a plain-http answer to a TLS hello in several ways; any failure means "not https here".
            LOG.debug("https probe of {} failed ({}); using http", registry, e.toString());
            chosen = URI.create("http://" + host);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while probing " + registry);
        }
        endpoints.put(registry, chosen);
        return chosen;
    }

    /**
     * The HTTP client for {@code authority} ({@code host[:port]}), with the TLS settings that
     * host has as a registry (its {@code certs.d}, insecure or not); for other servers of the
     * registry setup, such as lookaside signature storage. Redirects are not followed by it.
     */
    HttpClient clientFor(String authority) {
        return client(authority);
    }

    private HttpClient client(String authority) {
        return clients.computeIfAbsent(settings.registryAt(authority), a -> {
            HttpClient.Builder b = HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(settings.connectTimeout());
            settings.executor().ifPresent(b::executor);
            if (settings.insecure(a)) {
                // made only if the registry turns out to speak https: a plain-http one never loads Java's TLS stack
                b.sslContext(new DeferredSslContext(RegistryHttp::trustAll));
                SSLParameters p = new SSLParameters();
                p.setEndpointIdentificationAlgorithm(null);
                b.sslParameters(p);
            } else if (settings.plainHttp(a) && settings.sslContext(a).isEmpty()) {
                // the JDK's defaults, made only if an https URI ever reaches this client
                b.sslContext(new DeferredSslContext(RegistryHttp::defaultTls));
                b.sslParameters(new SSLParameters());
            } else {
                settings.sslContext(a).ifPresent(b::sslContext);
            }
            return b.build();
        });
    }

    // ---------------------------------------------------------------- sending

    /**
     * Sends the call with authentication, redirects and retries; returns any final response whose
     * status is in {@code ok}, else throws the registry's error as an exception. The caller closes
     * the returned body.
     */
    HttpResponse<InputStream> send(Call call, int... ok) throws IOException {
        HttpResponse<InputStream> r = sendRaw(call);
        for (int s : ok) {
            if (r.statusCode() == s) {
                return r;
            }
        }
        throw error(call, r);
    }

    /** Like {@link #send} but returns any final response; the caller closes the body. */
    HttpResponse<InputStream> sendRaw(Call call) throws IOException {
        int attempts = settings.maxAttempts();
        for (int attempt = 1; ; attempt++) {
            HttpResponse<InputStream> r;
            try {
                r = sendWithAuth(call);
            } catch (IOException e) {
                if (!isTransient(e)) {
                    throw failed(call, e);
                }
                if (!call.retryable() || attempt >= attempts) {
                    throw givenUp(call, e, attempt);
                }
                LOG.debug("{} failed ({}), attempt {} of {}", call.describe(), e.toString(), attempt, attempts);
                pause(backoff(attempt), call);
                continue;
            }
            int s = r.statusCode();
            boolean transientStatus = s == 429 || s == 502 || s == 503 || s == 504 || s == 500;
            if (transientStatus && call.retryable() && attempt < attempts) {
                Duration wait = retryAfter(r.headers()).orElse(backoff(attempt));
                close(r);
                LOG.debug("{} answered {}, attempt {} of {}, retrying in {}", call.describe(), s, attempt, attempts, wait);
                pause(wait, call);
                continue;
            }
            return r;
        }
    }

    private HttpResponse<InputStream> sendWithAuth(Call call) throws IOException {
        URI base = endpoint(call.registry());
        URI uri = call.pathAndQuery().startsWith("http://") || call.pathAndQuery().startsWith("https://")
                ? URI.create(call.pathAndQuery()) : base.resolve(call.pathAndQuery());
        Optional<String> auth = sameOrigin(uri, base) ? authorization(call, false) : Optional.empty();
        boolean reauthenticated = false;
        String method = call.method();
        Optional<Supplier<HttpRequest.BodyPublisher>> body = call.body();
        for (int redirects = 0; ; ) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(settings.requestTimeout())
                    .method(method, body.map(Supplier::get).orElse(HttpRequest.BodyPublishers.noBody()))
                    .header("User-Agent", settings.userAgent());
            call.headers().forEach(rb::header);
            auth.ifPresent(a -> rb.header("Authorization", a));
            HttpResponse<InputStream> r = exchange(uri, rb.build());
            int s = r.statusCode();
            if (s == 401 && !reauthenticated && sameOrigin(uri, base)) {
                List<AuthChallenge> cs = AuthChallenge.parseAll(r.headers().allValues("WWW-Authenticate"));
                Optional<AuthChallenge> usable = cs.stream().filter(AuthChallenge::isBearer).findFirst()
                        .or(() -> cs.stream().filter(AuthChallenge::isBasic).findFirst());
                if (usable.isEmpty()) {
                    return r;
                }
                challenges.put(call.registry(), usable.get());
                Optional<String> again;
                try {
                    again = authorizationAfterChallenge(call, usable.get(), auth);
                } catch (IOException | RuntimeException e) {
                    close(r);
                    throw e;
                }
                if (again.isEmpty()) {
                    return r; // nothing new to offer: the refusal stands
                }
                close(r);
                auth = again;
                reauthenticated = true;
                continue;
            }
            if (isRedirect(s)) {
                Optional<String> location = r.headers().firstValue("Location");
                close(r);
                if (location.isEmpty()) {
                    throw new RegistryException(call.describe() + ": redirect " + s + " without a Location header", s, List.of());
                }
                if (++redirects > MAX_REDIRECTS) {
                    throw new RegistryException(call.describe() + ": more than " + MAX_REDIRECTS + " redirects", s, List.of());
                }
                URI next = uri.resolve(location.get());
                if (!sameOrigin(uri, next)) {
                    auth = Optional.empty(); // credentials are only for the host they were meant for
                }
                if (s == 303 || ((s == 301 || s == 302) && method.equals("POST"))) {
                    method = "GET";
                    body = Optional.empty();
                }
                uri = next;
                continue;
            }
            return r;
        }
    }

    private HttpResponse<InputStream> exchange(URI uri, HttpRequest request) throws IOException {
        try {
            return client(uri.getRawAuthority()).send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted during " + request.method() + " " + uri.getHost());
        }
    }

    private static boolean isRedirect(int s) {
        return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    /**
     * The failure of the last attempt, with the call (method, registry, path) and the attempts made
     * in its message: HttpClient's own ("request timed out", "closed") name neither. Timeouts and
     * refused connections keep their types.
     */
    private IOException givenUp(Call call, IOException e, int attempt) {
        String what = call.describe() + (attempt > 1 ? " failed after " + attempt + " attempts" : " failed");
        IOException wrapped;
        if (e instanceof HttpTimeoutException) {
            wrapped = new HttpTimeoutException(what + ": no answer within " + settings.requestTimeout().toMillis()
                    + " ms (the client's request timeout)");
        } else if (e instanceof ConnectException) {
            wrapped = new ConnectException(what + ": cannot connect (" + rootMessage(e, "refused or unreachable: nothing answered at that address") + ")");
        } else {
            return new IOException(what + ": " + e, e);
        }
        wrapped.initCause(e);
        return wrapped;
    }

    /**
     * A failure not worth retrying (TLS, or an interrupt): a TLS error gets the call in its message,
     * since the JDK's names neither the registry nor the request, and a registry that answers plain
     * HTTP is said to be one.
     */
    private static IOException failed(Call call, IOException e) {
        if (!(e instanceof SSLException)) {
            return e;
        }
        String why = rootMessage(e, "TLS failed");
        boolean plain = why.contains("plaintext") || why.contains("Unrecognized SSL message");
        return new SSLException(call.describe() + " failed: " + why + (plain
                ? "; the registry seems to speak plain HTTP: if it is meant to, use --tls-verify=false or mark it"
                        + " insecure in registries.conf" : ""), e);
    }

    /** The message of the deepest cause that has one; {@code otherwise} when none has. */
    private static String rootMessage(Throwable e, String otherwise) {
        String message = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message != null ? message : otherwise;
    }

    private static boolean isTransient(IOException e) {
        if (e instanceof SSLException || e instanceof InterruptedIOException && !(e instanceof HttpTimeoutException)) {
            return false;
        }
        return true;
    }

    private Duration backoff(int attempt) {
        long base = settings.retryBackoff().toMillis() << Math.min(attempt - 1, 10);
        long jitter = base > 0 ? ThreadLocalRandom.current().nextLong(base / 2 + 1) : 0;
        return Duration.ofMillis(Math.min(base + jitter, settings.maxRetryWait().toMillis()));
    }

    private Optional<Duration> retryAfter(HttpHeaders h) {
        Optional<String> v = h.firstValue("Retry-After");
        if (v.isEmpty()) {
            return Optional.empty();
        }
        Duration d;
        try {
            d = Duration.ofSeconds(Math.max(0, Long.parseLong(v.get().trim())));
        } catch (NumberFormatException e) {
            try {
                d = Duration.between(settings.clock().instant(),
                        ZonedDateTime.parse(v.get().trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException e2) {
                return Optional.empty();
            }
        }
        if (d.isNegative()) {
            d = Duration.ZERO;
        }
        return Optional.of(d.compareTo(settings.maxRetryWait()) > 0 ? settings.maxRetryWait() : d);
    }

    private static void pause(Duration d, Call call) throws IOException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry " + call.describe());
        }
    }

    // ---------------------------------------------------------------- authentication

    private Optional<String> authorization(Call call, boolean forceNewToken) throws IOException {
        AuthChallenge c = challenges.get(call.registry());
        if (c == null) {
            return Optional.empty(); // learnt from the first 401
        }
        Optional<Credentials> creds = credentials(call);
        if (c.isBasic()) {
            return creds.flatMap(RegistryHttp::basic);
        }
        return Optional.of("Bearer " + token(call, c, creds, List.of(), forceNewToken).value());
    }

    private Optional<String> authorizationAfterChallenge(Call call, AuthChallenge c, Optional<String> sent) throws IOException {
        Optional<Credentials> creds = credentials(call);
        if (c.isBasic()) {
            Optional<String> basic = creds.flatMap(RegistryHttp::basic);
            return basic.equals(sent) ? Optional.empty() : basic;
        }
        List<String> extra = c.param("scope").map(s -> List.of(s.split(" "))).orElse(List.of());
        Token t = token(call, c, creds, extra, true);
        String header = "Bearer " + t.value();
        return Optional.of(header);
    }

    private Optional<Credentials> credentials(Call call) throws IOException {
        return settings.credentials().credentials(call.registry(), call.repository().orElse(""));
    }

    private static Optional<String> basic(Credentials c) {
        return c.password().map(p -> "Basic " + Base64.getEncoder().encodeToString(
                (c.username() + ":" + p).getBytes(StandardCharsets.UTF_8)));
    }

    private Token token(Call call, AuthChallenge c, Optional<Credentials> creds, List<String> extraScopes,
            boolean forceNew) throws IOException {
        // Cached under the scopes the call needs, whatever extra scopes a challenge asked for, so
        // that the next call of the same kind finds it.
        String key = call.registry() + " " + String.join(" ", new TreeSet<>(call.scopes()));
        TreeSet<String> scopes = new TreeSet<>(call.scopes());
        scopes.addAll(extraScopes);
        Token cached = tokens.get(key);
        Instant now = settings.clock().instant();
        if (!forceNew && cached != null && now.isBefore(cached.expires())) {
            return cached;
        }
        Token fresh = fetchToken(call, c, creds, List.copyOf(scopes));
        tokens.put(key, fresh);
        return fresh;
    }

    private Token fetchToken(Call call, AuthChallenge c, Optional<Credentials> creds, List<String> scopes) throws IOException {
        String registry = call.registry();
        String realmText = c.param("realm").orElseThrow(() -> new RegistryException(
                registry + " asked for a Bearer token without naming a realm", 401, List.of()));
        URI realm;
        try {
            realm = new URI(realmText);
        } catch (java.net.URISyntaxException e) {
            throw new RegistryException(registry + " named a token realm that is not a URL", 401, List.of());
        }
        checkRealm(registry, realm);
        Optional<String> service = c.param("service");
        HttpRequest.Builder rb;
        boolean identity = creds.flatMap(Credentials::identityToken).isPresent();
        if (identity) {
            StringBuilder form = new StringBuilder("grant_type=refresh_token&client_id=ocikit");
            form.append("&refresh_token=").append(enc(creds.get().identityToken().get()));
            service.ifPresent(s -> form.append("&service=").append(enc(s)));
            if (!scopes.isEmpty()) {
                form.append("&scope=").append(enc(String.join(" ", scopes)));
            }
            rb = HttpRequest.newBuilder(realm).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form.toString()));
        } else {
            StringBuilder q = new StringBuilder();
            service.ifPresent(s -> q.append("service=").append(enc(s)));
            for (String s : scopes) {
                q.append(q.length() > 0 ? "&" : "").append("scope=").append(enc(s));
            }
            String sep = realm.getRawQuery() == null ? "?" : "&";
            URI u = q.length() == 0 ? realm : URI.create(realm.toString() + sep + q);
            rb = HttpRequest.newBuilder(u).GET();
            creds.flatMap(RegistryHttp::basic).ifPresent(b -> rb.header("Authorization", b));
        }
        rb.timeout(settings.requestTimeout()).header("User-Agent", settings.userAgent());
        HttpResponse<InputStream> r = exchange(realm, rb.build());
        byte[] body;
        try (InputStream in = r.body()) {
            body = readCapped(in, MAX_TOKEN_BODY, "token response from " + realm.getHost());
        }
        int s = r.statusCode();
        if (s == 401 || s == 403) {
            throw new UnauthorizedException("the token server of " + registry + " (" + realm.getHost()
                    + ") refused " + (creds.isPresent() ? "the credentials of user '" + creds.get().username() + "'"
                    : "anonymous access") + " for " + String.join(" ", scopes) + " (HTTP " + s
                    + "); check the user name and password, or log in", s, List.of());
        }
        if (s != 200) {
            throw new RegistryException("the token server of " + registry + " (" + realm.getHost() + ") answered HTTP " + s,
                    s, List.of());
        }
        JsonNode json;
        try {
            json = Json.tree(body, "token response");
        } catch (MalformedDocumentException e) {
            throw new RegistryException("the token server of " + registry + " sent a response that is not JSON", s, List.of());
        }
        String token = text(json, "token").or(() -> text(json, "access_token")).orElseThrow(
                () -> new RegistryException("the token server of " + registry + " sent no token", s, List.of()));
        long expiresIn = json.path("expires_in").asLong(DEFAULT_TOKEN_LIFETIME.toSeconds());
        if (expiresIn <= 0) {
            expiresIn = DEFAULT_TOKEN_LIFETIME.toSeconds();
        }
        Instant expires = settings.clock().instant().plusSeconds(expiresIn).minus(TOKEN_MARGIN);
        LOG.debug("token for {} {} valid for {}s", registry, scopes, expiresIn);
        return new Token(token, expires);
    }

    private static Optional<String> text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() && !v.asText().isEmpty() ? Optional.of(v.asText()) : Optional.empty();
    }

    /**
     * A token realm gets our credentials, so it must be https, or plain http only on the host of
     * a registry configured insecure; and it may not be an IP literal other than the registry's host.
     */
    private void checkRealm(String registry, URI realm) throws IOException {
        String scheme = realm.getScheme() == null ? "" : realm.getScheme().toLowerCase(Locale.ROOT);
        String host = realm.getHost();
        if (host == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new RegistryException(registry + " named a token realm that is not an http(s) URL", 401, List.of());
        }
        String registryHost = endpoint(registry).getHost();
        boolean sameHost = host.equalsIgnoreCase(registryHost);
        if (scheme.equals("http") && !(sameHost && settings.insecure(registry))) {
            throw new RegistryException(registry + " named a plain-http token realm (" + host
                    + "); only https realms are used, except on the host of a registry marked insecure", 401, List.of());
        }
        if (isIpLiteral(host) && !sameHost) {
            throw new RegistryException(registry + " named a token realm at IP address " + host
                    + ", which is not the registry's host; refusing to send credentials there", 401, List.of());
        }
    }

    private static boolean isIpLiteral(String host) {
        return host.startsWith("[") || host.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch));
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- errors and bodies

    /** The exception for an unexpected response; reads (a capped part of) and closes its body. */
    RegistryException error(Call call, HttpResponse<InputStream> r) {
        int s = r.statusCode();
        List<RegistryError> errors = List.of();
        if (!call.method().equals("HEAD")) {
            try (InputStream in = r.body()) {
                byte[] body = in.readNBytes(MAX_ERROR_BODY);
                if (body.length > 0) {
                    errors = ErrorResponse.parse(body).errors();
                }
            } catch (IOException | MalformedDocumentException e) {
                // not an error envelope: the status alone tells
            }
        } else {
            close(r);
        }
        String codes = errors.isEmpty() ? "" : ": " + new ErrorResponse(errors).summary();
        String msg = call.describe() + " failed with HTTP " + s + codes;
        boolean manifestPath = call.pathAndQuery().contains("/manifests/");
        if (s == 401 || s == 403) {
            return new UnauthorizedException(msg + "; check the credentials for " + call.registry()
                    + " and that the user may access " + call.repository().orElse("it"), s, errors);
        }
        boolean unknown = errors.stream().anyMatch(e -> e.errorCode() == ErrorCode.MANIFEST_UNKNOWN
                || e.errorCode() == ErrorCode.NAME_UNKNOWN);
        if (s == 404 && (unknown || manifestPath && errors.isEmpty())) {
            return new ManifestUnknownException(msg, s, errors);
        }
        return new RegistryException(msg, s, errors);
    }

    /** Reads a whole body of at most {@code max} bytes; a longer one is refused. */
    static byte[] readCapped(InputStream in, long max, String what) throws IOException {
        byte[] b = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
        if (b.length > max) {
            throw new RegistryException(what + " is larger than the limit of " + max + " bytes", 0, List.of());
        }
        return b;
    }

    static void close(HttpResponse<InputStream> r) {
        try {
            r.body().close();
        } catch (IOException e) {
            // nothing to do: the connection is dropped
        }
    }

    static List<String> scopes(String repository, String actions) {
        List<String> l = new ArrayList<>();
        l.add("repository:" + repository + ":" + actions);
        return l;
    }

    private static SSLContext defaultTls() {
        try {
            return SSLContext.getDefault();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("no TLS support in this JVM", e);
        }
    }

    private static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new javax.net.ssl.TrustManager[] {new TrustEverything()}, null);
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("no TLS support in this JVM", e);
        }
    }

    /** For registries configured insecure only: accepts any certificate, as --tls-verify=false does. */
    private static final class TrustEverything extends X509ExtendedTrustManager {
        @Override public void checkClientTrusted(X509Certificate[] c, String a, java.net.Socket s) {}
        @Override public void checkServerTrusted(X509Certificate[] c, String a, java.net.Socket s) {}
        @Override public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) {}
        @Override public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) {}
        @Override public void checkClientTrusted(X509Certificate[] c, String a) {}
        @Override public void checkServerTrusted(X509Certificate[] c, String a) {}
        @Override public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

}
