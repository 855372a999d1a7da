package dev.ocikit.image.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.image.policy.PolicyRequirement.InsecureAcceptAnything;
import dev.ocikit.image.policy.PolicyRequirement.Reject;
import dev.ocikit.image.policy.PolicyRequirement.SignedBaseLayer;
import dev.ocikit.image.policy.PolicyRequirement.SignedBy;
import dev.ocikit.image.policy.PolicyRequirement.SigstoreSigned;
import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.image.signature.PublicKeyring;
import dev.ocikit.image.signature.SignatureVerificationException;
import dev.ocikit.image.signature.SigstorePublicKey;
import dev.ocikit.image.signature.SigstoreSignature;
import dev.ocikit.image.signature.SigstoreSigning;
import dev.ocikit.image.signature.SimpleSignature;
import dev.ocikit.image.signature.SimpleSigning;
import dev.ocikit.image.signature.VerifiedSignature;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestAlgorithm;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.MalformedDocumentException;
import dev.ocikit.spec.OciException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A signature verification policy, {@code policy.json} (containers-policy.json(5)), read and
 * applied as containers/image does, so that a machine set up for Podman trusts the same images in
 * ocikit. Immutable and thread-safe.
 *
 * <p>Parsing is strict, as there: an unknown or duplicated field anywhere, an unknown requirement
 * or identity type, a missing or empty {@code default}, an empty requirement list, or a scope
 * the transport does not accept rejects the whole file with a {@link PolicyException} naming the
 * file and the JSON path.
 *
 * <p>{@link #decide} finds the scope for an image (the most specific key of
 * {@code transports.<transport>} that covers it, then that transport's "" scope, then the global
 * {@code default}) and requires every requirement of that one scope to be satisfied.
 */
public final class TrustPolicy {
    /** The system-wide policy file. */
    public static final Path SYSTEM_POLICY = Path.of("/etc/containers/policy.json");
    /** The per-user policy file, relative to the home directory. */
    public static final String USER_POLICY = ".config/containers/policy.json";
    /** Policies are small; a huge file is a mistake or an attack. */
    private static final long MAX_FILE_SIZE = 4L << 20;

    private final String source;
    private final List<PolicyRequirement> defaultRequirements;
    private final Map<String, Map<String, List<PolicyRequirement>>> transports;

    private TrustPolicy(String source, List<PolicyRequirement> defaultRequirements,
            Map<String, Map<String, List<PolicyRequirement>>> transports) {
        this.source = source;
        this.defaultRequirements = List.copyOf(defaultRequirements);
        Map<String, Map<String, List<PolicyRequirement>>> copy = new LinkedHashMap<>();
        transports.forEach((t, scopes) -> {
            Map<String, List<PolicyRequirement>> s = new LinkedHashMap<>();
            scopes.forEach((k, v) -> s.put(k, List.copyOf(v)));
            copy.put(t, Collections.unmodifiableMap(s));
        });
        this.transports = Collections.unmodifiableMap(copy);
    }

    /**
     * A policy built in code.
     *
     * @param defaultRequirements the global default; must not be empty
     * @param transports per transport name, per scope, the requirements (none empty); scopes are
     *     validated as in a file
     * @throws PolicyException if a list is empty or a scope is invalid for its transport
     */
    public static TrustPolicy of(List<PolicyRequirement> defaultRequirements,
            Map<String, Map<String, List<PolicyRequirement>>> transports) {
        String source = "(built in code)";
        if (defaultRequirements.isEmpty()) {
            throw new PolicyException(source, "default", "the list of requirements must not be empty");
        }
        transports.forEach((t, scopes) -> scopes.forEach((scope, reqs) -> {
            String path = "transports." + t + "[" + quote(scope) + "]";
            validateScope(source, path, t, scope);
            if (reqs.isEmpty()) {
                throw new PolicyException(source, path, "the list of requirements must not be empty");
            }
        }));
        return new TrustPolicy(source, defaultRequirements, transports);
    }

    /**
     * Parses policy.json bytes.
     *
     * @param source names the policy in messages (a file name)
     * @throws PolicyException naming the JSON path of the first problem
     */
    public static TrustPolicy parse(byte[] json, String source) {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(source, "source");
        JsonNode root;
        try {
            root = Json.tree(json, "trust policy " + source);
        } catch (MalformedDocumentException e) {
            throw new PolicyException(source, e.field(), "not valid JSON (" + e.getMessage() + ")", e);
        }
        return new Parser(source).policy(root);
    }

    /** Reads a policy file; see {@link #parse}. */
    public static TrustPolicy read(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_SIZE) {
            throw new PolicyException(file.toString(), "", "larger than " + MAX_FILE_SIZE + " bytes, which no policy is");
        }
        return parse(Files.readAllBytes(file), file.toString());
    }

    /**
     * The machine's policy, from where containers/image reads it:
     * {@code $HOME/.config/containers/policy.json} if it exists, otherwise
     * {@code /etc/containers/policy.json}.
     *
     * @throws PolicyException if neither exists: a policy is required, and none is assumed
     */
    public static TrustPolicy load() throws IOException {
        return load(userHome(), SYSTEM_POLICY);
    }

    /**
     * The machine's policy if it has one ({@link #load()}), else empty. What ocikit's pulls use by
     * default: on a machine set up for Podman they honour its rules; on one without any
     * {@code policy.json} they accept what they fetch, as a copy without a policy does.
     *
     * @throws PolicyException if the file exists but is not a valid policy
     */
    public static Optional<TrustPolicy> loadIfPresent() throws IOException {
        Path chosen = defaultPath();
        return Files.exists(chosen) ? Optional.of(read(chosen)) : Optional.empty();
    }

    /** {@link #load()} with another home directory and system file (for tests and chroots). */
    public static TrustPolicy load(Path home, Path systemPolicy) throws IOException {
        Path chosen = defaultPath(home, systemPolicy);
        try {
            return read(chosen);
        } catch (NoSuchFileException e) {
            throw new PolicyException("no trust policy: neither " + home.resolve(USER_POLICY) + " nor " + systemPolicy
                    + " exists; create one (for example {\"default\": [{\"type\": \"reject\"}]} with the scopes to trust),"
                    + " or pass a policy file explicitly");
        }
    }

    /** The file {@link #load()} reads: the user's if it exists, otherwise the system's (which may not exist). */
    public static Path defaultPath() {
        return defaultPath(userHome(), SYSTEM_POLICY);
    }

    static Path defaultPath(Path home, Path systemPolicy) {
        Path user = home.resolve(USER_POLICY);
        return Files.exists(user) ? user : systemPolicy;
    }

    private static Path userHome() {
        String home = System.getenv("HOME");
        return Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home"));
    }

    /** Where this policy came from (a file name), for messages. */
    public String source() {
        return source;
    }

    /** The global {@code default} requirements. */
    public List<PolicyRequirement> defaultRequirements() {
        return defaultRequirements;
    }

    /** {@code transports}: per transport name, per scope, the requirements; unmodifiable. */
    public Map<String, Map<String, List<PolicyRequirement>>> transports() {
        return transports;
    }

    /**
     * The scope that applies to an image: the most specific key of its transport's section that
     * covers it, "" if only the transport's default does, empty if only the global default does.
     */
    public Optional<String> scopeFor(PolicyTarget target) {
        Map<String, List<PolicyRequirement>> scopes = transports.get(target.transport());
        if (scopes != null) {
            for (String scope : target.scopes()) {
                if (scopes.containsKey(scope)) {
                    return Optional.of(scope);
                }
            }
        }
        return Optional.empty();
    }

    /** The requirements that apply to an image; see {@link #scopeFor}. */
    public List<PolicyRequirement> requirementsFor(PolicyTarget target) {
        return scopeFor(target).map(s -> transports.get(target.transport()).get(s)).orElse(defaultRequirements);
    }

    /**
     * Decides whether an image may be used: every requirement of the scope that applies must be
     * satisfied. A {@code signedBy} requirement needs at least one of the simple
     * signatures among {@code signatures} that verifies with its keys, names the digest of
     * {@code manifest} (the exact bytes fetched), and claims an identity its
     * {@code signedIdentity} accepts; {@code sigstoreSigned} the same of a sigstore signature and
     * its public keys (and Rekor keys, if named; keyless requirements reject the image as not
     * supported). Key
     * files are read on first use.
     *
     * @param manifest the image's manifest bytes, exactly as fetched; if the target is an
     *     {@linkplain PolicyTarget#instance instance} or its reference has a digest, the manifest
     *     must have that digest
     * @param signatures the image's signatures, any order, possibly none
     * @return why the image is accepted
     * @throws PolicyRejectedException listing why each unsatisfied requirement failed
     */
    public PolicyDecision decide(PolicyTarget target, byte[] manifest, List<ImageSignature> signatures) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(signatures, "signatures");
        Optional<String> scope = scopeFor(target);
        List<PolicyRequirement> requirements = requirementsFor(target);
        List<String> reasons = new ArrayList<>();
        List<VerifiedSignature> accepted = new ArrayList<>();
        Optional<Digest> named = target.instance().or(() -> target.dockerReference().flatMap(ImageReference::digest));
        if (named.isPresent() && !digestOf(manifest, named.get().algorithm()).equals(named.get())) {
            reasons.add("the manifest is not the one " + target + " names (its digest is "
                    + digestOf(manifest, named.get().algorithm()) + ")");
        } else {
            for (int i = 0; i < requirements.size(); i++) {
                PolicyRequirement r = requirements.get(i);
                Optional<String> failure = evaluate(r, target, manifest, signatures, accepted);
                failure.ifPresent(f -> reasons.add(r.type() + ": " + f));
            }
        }
        if (!reasons.isEmpty()) {
            throw new PolicyRejectedException(target.toString(), target.transport(), scope, reasons);
        }
        return new PolicyDecision(target, scope, requirements, accepted);
    }

    /** Why a requirement is not satisfied, or empty if it is. */
    private static Optional<String> evaluate(PolicyRequirement requirement, PolicyTarget target, byte[] manifest,
            List<ImageSignature> signatures, List<VerifiedSignature> accepted) {
        if (requirement instanceof InsecureAcceptAnything) {
            return Optional.empty();
        } else if (requirement instanceof Reject) {
            return Optional.of("rejected by policy");
        } else if (requirement instanceof SignedBaseLayer) {
            return Optional.of("signedBaseLayer is not implemented (containers/image does not implement it either)");
        } else if (requirement instanceof SigstoreSigned sigstore) {
            return evaluateSigstore(sigstore, target, manifest, signatures, accepted);
        }
        SignedBy signedBy = (SignedBy) requirement;
        if (!signedBy.keyType().equals(SignedBy.GPG_KEYS)) {
            return Optional.of("keyType \"" + signedBy.keyType() + "\" is not implemented; only " + SignedBy.GPG_KEYS + " is");
        }
        PublicKeyring keyring;
        try {
            keyring = signedBy.keyring();
        } catch (IOException | OciException e) {
            return Optional.of("cannot read the trusted keys: " + e.getMessage());
        }
        if (keyring.isEmpty()) {
            return Optional.of("no trusted keys (keyPaths is empty)");
        }
        List<SimpleSignature> simple = signatures.stream().filter(SimpleSignature.class::isInstance)
                .map(SimpleSignature.class::cast).toList();
        if (simple.isEmpty()) {
            return Optional.of(signatures.isEmpty() ? "a signature was required, but the image has none"
                    : "a simple signature was required, but the image has only " + signatures.size() + " sigstore signature(s)");
        }
        List<String> refused = new ArrayList<>();
        for (int i = 0; i < simple.size(); i++) {
            byte[] message = simple.get(i).message();
            String why = checkSignature(() -> SimpleSigning.verify(message, keyring), signedBy.signedIdentity(), target, manifest,
                    accepted);
            if (why != null) {
                refused.add("signature " + (i + 1) + ": " + why);
            }
        }
        if (refused.size() < simple.size()) {
            return Optional.empty();
        }
        return Optional.of("none of the " + simple.size() + " signatures is accepted (" + String.join("; ", refused) + ")");
    }

    /**
     * {@code sigstoreSigned}, as containers/image evaluates it with a public key: at least one of the
     * sigstore signatures (simple ones are ignored, as are attachments of other media types) must
     * verify with one of the keys (and carry a Rekor SET by a Rekor key, if the requirement names
     * one), name this manifest and claim an accepted identity. Keyless ({@code fulcio}) and
     * {@code pki} requirements are refused as not supported.
     */
    private static Optional<String> evaluateSigstore(SigstoreSigned requirement, PolicyTarget target, byte[] manifest,
            List<ImageSignature> signatures, List<VerifiedSignature> accepted) {
        if (!requirement.hasPublicKeys()) {
            return Optional.of("keyless verification (" + requirement.keySource() + ": a Fulcio or PKI certificate authority)"
                    + " is not supported by ocikit; require signatures made with a key (keyPath, keyPaths, keyData or keyDatas)");
        }
        List<SigstorePublicKey> keys;
        try {
            keys = requirement.publicKeys();
        } catch (IOException | OciException e) {
            return Optional.of("cannot read the trusted public keys: " + e.getMessage());
        }
        List<SigstorePublicKey> rekorKeys;
        try {
            rekorKeys = requirement.rekorPublicKeys();
        } catch (IOException | OciException e) {
            return Optional.of("cannot read the Rekor public keys: " + e.getMessage());
        }
        List<SigstoreSignature> candidates = new ArrayList<>();
        int simple = 0;
        int attachments = 0;
        for (ImageSignature s : signatures) {
            if (!(s instanceof SigstoreSignature sigstore)) {
                simple++;
            } else if (!sigstore.mimeType().equals(SigstoreSignature.PAYLOAD_MEDIA_TYPE)) {
                attachments++;
            } else {
                candidates.add(sigstore);
            }
        }
        if (candidates.isEmpty()) {
            return Optional.of(signatures.isEmpty() ? "a signature was required, but the image has none"
                    : "a sigstore signature was required, but the image has none (" + simple + " simple signature(s), "
                            + attachments + " sigstore attachment(s) that are not signatures)");
        }
        List<String> refused = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            SigstoreSignature candidate = candidates.get(i);
            String why = checkSignature(() -> SigstoreSigning.verify(candidate, keys, rekorKeys), requirement.signedIdentity(), target,
                    manifest, accepted);
            if (why == null) {
                return Optional.empty(); // one accepted signature is enough, as in containers/image
            }
            refused.add("signature " + (i + 1) + ": " + why);
        }
        return Optional.of("none of the " + candidates.size() + " sigstore signatures is accepted (" + String.join("; ", refused) + ")");
    }

    /** Null if the signature is accepted (and then added to {@code accepted}), otherwise why not. */
    private static String checkSignature(Supplier<VerifiedSignature> verify, SignedIdentity identity, PolicyTarget target,
            byte[] manifest, List<VerifiedSignature> accepted) {
        VerifiedSignature verified;
        try {
            verified = verify.get();
        } catch (SignatureVerificationException e) {
            return e.getMessage() + " [" + e.reason() + "]";
        }
        Digest signed = verified.payload().dockerManifestDigest();
        Digest actual;
        try {
            actual = digestOf(manifest, signed.algorithm());
        } catch (OciException e) {
            return e.getMessage();
        }
        if (!actual.equals(signed)) {
            return "it is for manifest " + signed + ", not this one (" + actual + ") [" + SignatureVerificationException.Reason.DIGEST_MISMATCH + "]";
        }
        String claimed = verified.payload().dockerReference();
        if (!identity.matches(target.dockerReference(), claimed)) {
            return "it is for \"" + claimed + "\", which signedIdentity " + identity.type() + " does not accept for "
                    + target.dockerReference().map(ImageReference::toString).orElse(target + " (which has no Docker reference)")
                    + " [" + SignatureVerificationException.Reason.IDENTITY_MISMATCH + "]";
        }
        accepted.add(verified);
        return null;
    }

    private static Digest digestOf(byte[] manifest, DigestAlgorithm algorithm) {
        return algorithm == DigestAlgorithm.SHA256 ? SimpleSigning.manifestDigest(manifest) : Digest.compute(algorithm, manifest);
    }

    @Override
    public String toString() {
        return "TrustPolicy[" + source + "]";
    }

    // ---- scopes ---------------------------------------------------------------------------------

    /** Scopes each transport accepts, as its containers/image ValidatePolicyConfigurationScope does. */
    static void validateScope(String source, String path, String transport, String scope) {
        if (scope.isEmpty()) {
            return;
        }
        switch (transport) {
            case "dir", "oci", "oci-archive" -> {
                if (!scope.startsWith("/")) {
                    throw new PolicyException(source, path, "scope \"" + scope + "\" must be an absolute path");
                }
                if (scope.equals("/")) {
                    throw new PolicyException(source, path, "scope \"/\" is not allowed; use the transport default scope \"\"");
                }
                String clean;
                try {
                    clean = Path.of(scope).normalize().toString();
                } catch (RuntimeException e) {
                    throw new PolicyException(source, path, "scope \"" + scope + "\" is not a valid path");
                }
                if (!clean.equals(scope)) {
                    throw new PolicyException(source, path, "scope \"" + scope + "\" is not in canonical form; use \"" + clean + "\"");
                }
            }
            case "docker-archive", "docker-daemon" -> throw new PolicyException(source, path,
                    "transport " + transport + " supports no scope but the default \"\"");
            default -> {
                // docker, atomic and transports ocikit does not know accept any scope, as in containers/image
            }
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    // ---- parsing --------------------------------------------------------------------------------

    /** Walks the JSON tree, refusing anything containers/image refuses; every message carries the path. */
    private static final class Parser {
        private static final String DOMAIN = "(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
                + "(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?";
        private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
        private static final Pattern PREFIX_DOMAIN = Pattern.compile(DOMAIN);
        private static final Pattern PREFIX_NAME = Pattern.compile("(?:" + DOMAIN + "/)?" + COMPONENT + "(?:/" + COMPONENT + ")*");
        private static final Pattern PREFIX_STARTS_WITH_DOMAIN = Pattern.compile(DOMAIN + "/.*", Pattern.DOTALL);

        private final String source;

        Parser(String source) {
            this.source = source;
        }

        TrustPolicy policy(JsonNode root) {
            object(root, "");
            fields(root, "", Set.of("default", "transports"));
            if (!root.has("default")) {
                throw error("", "\"default\" is missing; a policy must say what to do with images no scope covers");
            }
            List<PolicyRequirement> defaults = requirements(root.get("default"), "default");
            Map<String, Map<String, List<PolicyRequirement>>> transports = new LinkedHashMap<>();
            if (root.has("transports")) {
                JsonNode t = root.get("transports");
                object(t, "transports");
                for (Iterator<Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> transport = it.next();
                    String tPath = "transports." + transport.getKey();
                    object(transport.getValue(), tPath);
                    Map<String, List<PolicyRequirement>> scopes = new LinkedHashMap<>();
                    for (Iterator<Map.Entry<String, JsonNode>> s = transport.getValue().fields(); s.hasNext(); ) {
                        Map.Entry<String, JsonNode> scope = s.next();
                        String sPath = tPath + "[" + quote(scope.getKey()) + "]";
                        validateScope(source, sPath, transport.getKey(), scope.getKey());
                        scopes.put(scope.getKey(), requirements(scope.getValue(), sPath));
                    }
                    transports.put(transport.getKey(), scopes);
                }
            }
            return new TrustPolicy(source, defaults, transports);
        }

        List<PolicyRequirement> requirements(JsonNode node, String path) {
            if (!node.isArray()) {
                throw error(path, "expected a list of requirements, found " + kind(node));
            }
            if (node.isEmpty()) {
                throw error(path, "the list of requirements must not be empty");
            }
            List<PolicyRequirement> result = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                result.add(requirement(node.get(i), path + "[" + i + "]"));
            }
            return result;
        }

        PolicyRequirement requirement(JsonNode node, String path) {
            object(node, path);
            String type = type(node, path, "requirement");
            switch (type) {
                case "insecureAcceptAnything" -> {
                    fields(node, path, Set.of("type"));
                    return new InsecureAcceptAnything();
                }
                case "reject" -> {
                    fields(node, path, Set.of("type"));
                    return new Reject();
                }
                case "signedBy" -> {
                    return signedBy(node, path);
                }
                case "signedBaseLayer" -> {
                    fields(node, path, Set.of("type", "baseLayerIdentity"));
                    if (!node.has("baseLayerIdentity")) {
                        throw error(path, "\"baseLayerIdentity\" is missing");
                    }
                    return new SignedBaseLayer(identity(node.get("baseLayerIdentity"), path + ".baseLayerIdentity"));
                }
                case "sigstoreSigned" -> {
                    return sigstoreSigned(node, path);
                }
                default -> throw error(path + ".type", "unknown requirement type \"" + type
                        + "\" (known: insecureAcceptAnything, reject, signedBy, sigstoreSigned, signedBaseLayer)");
            }
        }

        SignedBy signedBy(JsonNode node, String path) {
            fields(node, path, Set.of("type", "keyType", "keyPath", "keyPaths", "keyData", "signedIdentity"));
            if (!node.has("keyType")) {
                throw error(path, "\"keyType\" is missing; use \"" + SignedBy.GPG_KEYS + "\"");
            }
            String keyType = string(node.get("keyType"), path + ".keyType");
            if (!SignedBy.KNOWN_KEY_TYPES.contains(keyType)) {
                throw error(path + ".keyType", "unknown keyType \"" + keyType + "\"; use \"" + SignedBy.GPG_KEYS + "\"");
            }
            List<String> sources = present(node, "keyPath", "keyPaths", "keyData");
            if (sources.size() != 1) {
                throw error(path, "exactly one of keyPath, keyPaths and keyData must be given, "
                        + (sources.isEmpty() ? "none is" : String.join(" and ", sources) + " are"));
            }
            SignedIdentity identity = node.has("signedIdentity")
                    ? identity(node.get("signedIdentity"), path + ".signedIdentity") : new SignedIdentity.MatchRepoDigestOrExact();
            switch (sources.get(0)) {
                case "keyPath" -> {
                    String p = nonEmptyString(node.get("keyPath"), path + ".keyPath");
                    return SignedBy.of(keyType, List.of(path(p, path + ".keyPath")), null, identity);
                }
                case "keyPaths" -> {
                    List<Path> paths = new ArrayList<>();
                    for (String p : strings(node.get("keyPaths"), path + ".keyPaths")) {
                        paths.add(path(p, path + ".keyPaths"));
                    }
                    return SignedBy.of(keyType, paths, null, identity);
                }
                default -> {
                    return SignedBy.of(keyType, List.of(), base64(node.get("keyData"), path + ".keyData"), identity);
                }
            }
        }

        SigstoreSigned sigstoreSigned(JsonNode node, String path) {
            fields(node, path, Set.of("type", "keyPath", "keyPaths", "keyData", "keyDatas", "fulcio", "pki",
                    "rekorPublicKeyPath", "rekorPublicKeyPaths", "rekorPublicKeyData", "rekorPublicKeyDatas", "signedIdentity"));
            List<String> sources = present(node, "keyPath", "keyPaths", "keyData", "keyDatas", "fulcio", "pki");
            if (sources.size() != 1) {
                throw error(path, "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio and pki must be given, "
                        + (sources.isEmpty() ? "none is" : String.join(" and ", sources) + " are"));
            }
            String keySource = sources.get(0);
            JsonNode value = node.get(keySource);
            String vPath = path + "." + keySource;
            switch (keySource) {
                case "keyPath" -> nonEmptyString(value, vPath);
                case "keyData" -> base64(value, vPath);
                case "keyPaths" -> nonEmpty(strings(value, vPath), vPath);
                case "keyDatas" -> nonEmpty(strings(value, vPath), vPath).forEach(d -> base64(d, vPath));
                default -> object(value, vPath); // fulcio, pki: only checked to be objects until sigstore is supported
            }
            List<String> rekor = present(node, "rekorPublicKeyPath", "rekorPublicKeyPaths", "rekorPublicKeyData", "rekorPublicKeyDatas");
            if (rekor.size() > 1) {
                throw error(path, "at most one of rekorPublicKeyPath, rekorPublicKeyPaths, rekorPublicKeyData and"
                        + " rekorPublicKeyDatas may be given, " + String.join(" and ", rekor) + " are");
            }
            Optional<JsonNode> rekorValue = Optional.empty();
            if (!rekor.isEmpty()) {
                JsonNode r = node.get(rekor.get(0));
                String rPath = path + "." + rekor.get(0);
                if (rekor.get(0).endsWith("s")) {
                    nonEmpty(strings(r, rPath), rPath);
                } else {
                    nonEmptyString(r, rPath);
                }
                com.fasterxml.jackson.databind.node.ObjectNode field = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
                field.set(rekor.get(0), r.deepCopy());
                rekorValue = Optional.of(field);
            }
            SignedIdentity identity = node.has("signedIdentity")
                    ? identity(node.get("signedIdentity"), path + ".signedIdentity") : new SignedIdentity.MatchRepoDigestOrExact();
            return new SigstoreSigned(keySource, value.deepCopy(), rekorValue.map(JsonNode::deepCopy), identity);
        }

        SignedIdentity identity(JsonNode node, String path) {
            object(node, path);
            String type = type(node, path, "signedIdentity");
            switch (type) {
                case "matchExact" -> {
                    fields(node, path, Set.of("type"));
                    return new SignedIdentity.MatchExact();
                }
                case "matchRepoDigestOrExact" -> {
                    fields(node, path, Set.of("type"));
                    return new SignedIdentity.MatchRepoDigestOrExact();
                }
                case "matchRepository" -> {
                    fields(node, path, Set.of("type"));
                    return new SignedIdentity.MatchRepository();
                }
                case "exactReference" -> {
                    exactFields(node, path, "dockerReference");
                    String ref = string(node.get("dockerReference"), path + ".dockerReference");
                    ImageReference parsed = reference(ref, path + ".dockerReference");
                    if (parsed.tag().isEmpty() && parsed.digest().isEmpty()) {
                        throw error(path + ".dockerReference", "\"" + ref + "\" has neither a tag nor a digest;"
                                + " use exactRepository to accept any image of a repository");
                    }
                    return new SignedIdentity.ExactReference(ref);
                }
                case "exactRepository" -> {
                    exactFields(node, path, "dockerRepository");
                    String repo = string(node.get("dockerRepository"), path + ".dockerRepository");
                    reference(repo, path + ".dockerRepository");
                    return new SignedIdentity.ExactRepository(repo);
                }
                case "remapIdentity" -> {
                    exactFields(node, path, "prefix", "signedPrefix");
                    String prefix = string(node.get("prefix"), path + ".prefix");
                    String signedPrefix = string(node.get("signedPrefix"), path + ".signedPrefix");
                    remapPrefix(prefix, path + ".prefix");
                    remapPrefix(signedPrefix, path + ".signedPrefix");
                    return new SignedIdentity.RemapIdentity(prefix, signedPrefix);
                }
                default -> throw error(path + ".type", "unknown signedIdentity type \"" + type + "\" (known: matchExact,"
                        + " matchRepoDigestOrExact, matchRepository, exactReference, exactRepository, remapIdentity)");
            }
        }

        /** A host[:port], or a repository name that starts with one (as containers/image checks it). */
        void remapPrefix(String prefix, String path) {
            if (PREFIX_DOMAIN.matcher(prefix).matches()
                    || (PREFIX_NAME.matcher(prefix).matches() && PREFIX_STARTS_WITH_DOMAIN.matcher(prefix).matches())) {
                return;
            }
            throw error(path, "prefix \"" + prefix + "\" is not a host[:port] or a repository name starting with one");
        }

        ImageReference reference(String ref, String path) {
            try {
                return ImageReference.parse(ref);
            } catch (OciException e) {
                throw new PolicyException(source, path, "not a valid image reference: " + e.getMessage(), e);
            }
        }

        String type(JsonNode node, String path, String what) {
            if (!node.has("type")) {
                throw error(path, "the " + what + " has no \"type\"");
            }
            return string(node.get("type"), path + ".type");
        }

        void fields(JsonNode node, String path, Set<String> allowed) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!allowed.contains(name)) {
                    throw error(path.isEmpty() ? name : path + "." + name, "unknown field \"" + name + "\" (allowed here: "
                            + String.join(", ", allowed.stream().sorted().toList()) + ")");
                }
            }
        }

        void exactFields(JsonNode node, String path, String... required) {
            Set<String> allowed = new java.util.HashSet<>(List.of(required));
            allowed.add("type");
            fields(node, path, allowed);
            for (String r : required) {
                if (!node.has(r)) {
                    throw error(path, "\"" + r + "\" is missing");
                }
            }
        }

        List<String> present(JsonNode node, String... names) {
            List<String> found = new ArrayList<>();
            for (String n : names) {
                if (node.has(n)) {
                    found.add(n);
                }
            }
            return found;
        }

        void object(JsonNode node, String path) {
            if (!node.isObject()) {
                throw error(path, "expected a JSON object, found " + kind(node));
            }
        }

        String string(JsonNode node, String path) {
            if (!node.isTextual()) {
                throw error(path, "expected a string, found " + kind(node));
            }
            return node.textValue();
        }

        String nonEmptyString(JsonNode node, String path) {
            String s = string(node, path);
            if (s.isEmpty()) {
                throw error(path, "must not be empty");
            }
            return s;
        }

        List<String> strings(JsonNode node, String path) {
            if (!node.isArray()) {
                throw error(path, "expected a list of strings, found " + kind(node));
            }
            List<String> result = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                result.add(string(node.get(i), path + "[" + i + "]"));
            }
            return result;
        }

        List<String> nonEmpty(List<String> list, String path) {
            if (list.isEmpty()) {
                throw error(path, "must not be empty");
            }
            return list;
        }

        byte[] base64(JsonNode node, String path) {
            return base64(string(node, path), path);
        }

        byte[] base64(String text, String path) {
            try {
                // Go's JSON decoding of []byte: standard base64, ignoring only line breaks.
                return Base64.getDecoder().decode(text.replace("\r", "").replace("\n", ""));
            } catch (IllegalArgumentException e) {
                throw error(path, "not base64 (keyData holds the key file's bytes in base64): " + e.getMessage());
            }
        }

        Path path(String p, String path) {
            try {
                return Path.of(p);
            } catch (RuntimeException e) {
                throw error(path, "not a valid path: \"" + p + "\"");
            }
        }

        PolicyException error(String path, String problem) {
            return new PolicyException(source, path, problem);
        }

        private static String kind(JsonNode node) {
            return node.isNull() ? "null" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
