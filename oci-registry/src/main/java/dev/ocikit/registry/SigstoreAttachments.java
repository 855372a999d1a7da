package dev.ocikit.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ocikit.image.signature.ImageSignature;
import dev.ocikit.image.signature.SignatureVerificationException;
import dev.ocikit.image.signature.SigstoreReferrers;
import dev.ocikit.image.signature.SigstoreSignature;
import dev.ocikit.image.spi.ManifestBlob;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.OciException;
import dev.ocikit.spec.image.Descriptor;
import dev.ocikit.spec.image.ImageManifest;
import dev.ocikit.spec.image.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sigstore signatures kept in the registry as cosign keeps them, and containers/image reads and
 * writes them: an OCI image manifest tagged {@code <algorithm>-<hex>.sig} (the digest of the
 * signed manifest) in the same repository, each of whose layers is one signature: the layer's
 * blob is the payload, its media type the payload's, its annotations the signature's. Every
 * layer is read, whatever its media type (a consumer decides by {@link SigstoreSignature#mimeType()}),
 * as containers/image does. Stateless; thread-safe.
 */
final class SigstoreAttachments {
    private static final Logger LOG = LoggerFactory.getLogger(SigstoreAttachments.class);
    /** More than any image has signatures; as for lookaside storage. */
    static final int MAX_SIGNATURES = Lookaside.MAX_SIGNATURES;
    /** The bound containers/image puts on one payload, and ocikit on one signature. */
    static final int MAX_PAYLOAD_SIZE = Lookaside.MAX_SIGNATURE_SIZE;
    /** The bound containers/image puts on the attachment manifest's config. */
    static final int MAX_CONFIG_SIZE = 4 << 20;
    /** Built on first use: an ObjectMapper costs a fresh JVM tens of milliseconds that most commands never spend. */
    private static final class Lazy {
        static final ObjectMapper PLAIN = new ObjectMapper();
    }

    private SigstoreAttachments() {}

    /** The tag of the attachments of {@code manifest}: {@code sha256-<hex>.sig}. */
    static String tag(Digest manifest) {
        return manifest.algorithm().id() + "-" + manifest.encoded() + ".sig";
    }

    /** The signatures attached to {@code manifest} in {@code repo}; empty when there is no attachment manifest. */
    static List<ImageSignature> read(RegistryRepository repo, Digest manifest) throws IOException {
        return read(repo, manifest, new SignatureBudget(manifest));
    }

    /** {@link #read(RegistryRepository, Digest)}, counting what it reads against the image's budget. */
    static List<ImageSignature> read(RegistryRepository repo, Digest manifest, SignatureBudget budget) throws IOException {
        Optional<ImageManifest> m = attachmentManifest(repo, manifest);
        if (m.isEmpty()) {
            return List.of();
        }
        List<Descriptor> layers = m.get().layers();
        if (layers.size() > MAX_SIGNATURES) {
            throw malformed(repo, manifest, "it has " + layers.size() + " layers, more than the " + MAX_SIGNATURES
                    + " signatures ocikit reads for one image");
        }
        List<ImageSignature> signatures = new ArrayList<>();
        for (Descriptor layer : layers) {
            budget.take(layer.size(), repo.registry() + "/" + repo.path() + ":" + tag(manifest));
            byte[] payload = readBlob(repo, layer, MAX_PAYLOAD_SIZE, "signature payload");
            signatures.add(new SigstoreSignature(layer.mediaType(), payload, layer.annotations()));
        }
        LOG.debug("{} sigstore signature(s) attached to {} in {}", signatures.size(), manifest, repo);
        return List.copyOf(signatures);
    }

    /**
     * The sigstore signatures stored the OCI 1.1 way: cosign signature manifests among the
     * referrers of {@code manifest} (the referrers API, or its tag-schema fallback), each layer
     * one signature, as at the {@code .sig} tag. Sigstore bundles are recognised and skipped with
     * a warning: ocikit cannot verify them, and an image may well have other signatures it can.
     */
    static List<ImageSignature> readReferrers(RegistryRepository repo, Digest manifest, SignatureBudget budget)
            throws IOException {
        List<Descriptor> referrers;
        try {
            referrers = repo.referrers(manifest, Optional.empty());
        } catch (RegistryException | dev.ocikit.spec.MalformedDocumentException e) {
            // containers/image does not look here at all: a registry whose referrers answer is broken
            // must not stop the signatures kept elsewhere from counting
            LOG.warn("{}/{}@{}: the registry's referrers of the image cannot be read, so signatures kept there are"
                    + " not seen: {}", repo.registry(), repo.path(), manifest, e.getMessage());
            return List.of();
        }
        List<ImageSignature> signatures = new ArrayList<>();
        for (Descriptor referrer : referrers) {
            switch (SigstoreReferrers.classify(referrer)) {
                case COSIGN_SIGNATURE -> {
                    String where = repo.registry() + "/" + repo.path() + "@" + referrer.digest();
                    budget.take(referrer.size(), where); // the manifest fetched counts, as its layers do
                    ManifestBlob blob = repo.manifest(referrer.digest().toString());
                    ImageManifest m;
                    try {
                        m = ImageManifest.parse(blob.bytes());
                    } catch (OciException e) {
                        throw malformed(repo, manifest, "its cosign signature referrer " + referrer.digest() + " is not an"
                                + " image manifest: " + e.getMessage());
                    }
                    for (Descriptor layer : m.layers()) {
                        if (signatures.size() >= MAX_SIGNATURES) {
                            throw malformed(repo, manifest, "its referrers hold more than the " + MAX_SIGNATURES
                                    + " signatures ocikit reads for one image");
                        }
                        budget.take(layer.size(), where);
                        byte[] payload = readBlob(repo, layer, MAX_PAYLOAD_SIZE, "signature payload");
                        signatures.add(new SigstoreSignature(layer.mediaType(), payload, layer.annotations()));
                    }
                }
                case SIGSTORE_BUNDLE -> LOG.warn("{}/{}@{}: {}", repo.registry(), repo.path(), manifest,
                        SigstoreReferrers.unsupported(referrer).getMessage());
                default -> {
                    // an SBOM, an attestation of another tool: not a signature
                }
            }
        }
        return List.copyOf(signatures);
    }

    /**
     * Adds {@code signatures} to those attached to {@code manifest}: each that is not there already
     * (same media type, payload and annotations) becomes a new layer, after the existing ones;
     * then the config (its {@code rootfs.diff_ids} extended) and the manifest are pushed under the
     * attachment tag. Nothing is removed, as in containers/image.
     */
    static void write(RegistryRepository repo, Digest manifest, List<SigstoreSignature> signatures) throws IOException {
        if (signatures.isEmpty()) {
            return;
        }
        Optional<ImageManifest> existing = attachmentManifest(repo, manifest);
        ObjectNode config;
        List<Descriptor> layers = new ArrayList<>();
        if (existing.isPresent()) {
            layers.addAll(existing.get().layers());
            JsonNode tree;
            byte[] bytes = readBlob(repo, existing.get().config(), MAX_CONFIG_SIZE, "attachment config");
            try {
                tree = Json.tree(bytes, "sigstore attachment config of " + manifest);
            } catch (OciException e) {
                throw malformed(repo, manifest, "its config is not JSON: " + e.getMessage());
            }
            if (!(tree instanceof ObjectNode o)) {
                throw malformed(repo, manifest, "its config is not a JSON object");
            }
            config = o;
        } else {
            config = newConfig();
        }
        JsonNode rootfs = config.get("rootfs");
        if (rootfs == null || rootfs.isNull()) {
            rootfs = config.putObject("rootfs").put("type", "layers");
        }
        if (!(rootfs instanceof ObjectNode rootfsObject)) {
            throw malformed(repo, manifest, "the \"rootfs\" of its config is not an object");
        }
        JsonNode ids = rootfsObject.get("diff_ids");
        if (ids == null || ids.isNull()) {
            ids = rootfsObject.putArray("diff_ids");
        }
        if (!(ids instanceof ArrayNode diffIds)) {
            throw malformed(repo, manifest, "the \"rootfs.diff_ids\" of its config is not an array");
        }
        int added = 0;
        for (SigstoreSignature s : signatures) {
            byte[] payload = s.payload();
            Digest digest = Digest.sha256(payload);
            if (layers.stream().anyMatch(l -> matches(l, s.mimeType(), digest, payload.length, s.annotations()))) {
                LOG.debug("signature {} is attached to {} already", digest, manifest);
                continue;
            }
            repo.pushBlob(digest, payload.length, RegistryRepository.Content.of(payload));
            layers.add(new Descriptor(s.mimeType(), digest, (long) payload.length, List.of(), new TreeMap<>(s.annotations()),
                    Optional.empty(), Optional.empty(), Optional.empty(), Map.of()));
            diffIds.add(digest.toString());
            added++;
        }
        byte[] configBytes;
        try {
            configBytes = Lazy.PLAIN.writeValueAsBytes(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
        Digest configDigest = Digest.sha256(configBytes);
        repo.pushBlob(configDigest, configBytes.length, RegistryRepository.Content.of(configBytes));
        Descriptor configDescriptor = new Descriptor(MediaTypes.OCI_CONFIG, configDigest, (long) configBytes.length, List.of(),
                Map.of(), Optional.empty(), Optional.empty(), Optional.empty(), Map.of());
        ImageManifest out = existing
                .map(e -> new ImageManifest(e.schemaVersion(), e.mediaType(), e.artifactType(), configDescriptor, layers,
                        e.subject(), e.annotations(), e.unknownFields()))
                .orElseGet(() -> new ImageManifest(2, Optional.of(MediaTypes.OCI_MANIFEST), Optional.empty(), configDescriptor,
                        layers, Optional.empty(), Map.of(), Map.of()));
        repo.putManifest(ManifestBlob.of(Json.write(out), MediaTypes.OCI_MANIFEST), List.of(tag(manifest)));
        LOG.debug("attached {} new sigstore signature(s) to {} in {}", added, manifest, repo);
    }

    /**
     * The config containers/image writes for a new attachment manifest, member for member:
     * {@code {"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":[]}}}.
     */
    static ObjectNode newConfig() {
        ObjectNode c = Lazy.PLAIN.createObjectNode();
        c.put("architecture", "");
        c.put("os", "");
        c.putObject("config");
        c.putObject("rootfs").put("type", "layers").putArray("diff_ids");
        return c;
    }

    private static boolean matches(Descriptor layer, String mimeType, Digest digest, long size, Map<String, String> annotations) {
        return layer.mediaType().equals(mimeType) && layer.size() == size && layer.digest().equals(digest)
                && layer.annotations().equals(annotations);
    }

    /** The attachment manifest, if the repository has one; anything but an OCI image manifest is refused. */
    private static Optional<ImageManifest> attachmentManifest(RegistryRepository repo, Digest manifest) throws IOException {
        ManifestBlob blob;
        try {
            blob = repo.manifest(tag(manifest));
        } catch (ManifestUnknownException e) {
            return Optional.empty();
        } catch (RegistryException e) {
            if (e.status() == 404) {
                return Optional.empty(); // any 404 means "none", whatever error code came with it
            }
            throw e;
        }
        if (!blob.mediaType().equals(MediaTypes.OCI_MANIFEST)) {
            throw malformed(repo, manifest, "it is a " + blob.mediaType() + ", not an OCI image manifest");
        }
        try {
            return Optional.of(ImageManifest.parse(blob.bytes()));
        } catch (OciException e) {
            throw malformed(repo, manifest, e.getMessage());
        }
    }

    /** A blob of the attachment manifest, verified against its descriptor, refused beyond {@code max} bytes. */
    private static byte[] readBlob(RegistryRepository repo, Descriptor d, int max, String what) throws IOException {
        if (d.size() > max) {
            throw new SignatureVerificationException(SignatureVerificationException.Reason.MALFORMED, "the " + what + " "
                    + d.digest() + " in " + repo.registry() + "/" + repo.path() + " is " + d.size() + " bytes, more than the "
                    + max + " ocikit reads");
        }
        try (InputStream in = repo.openBlob(d.digest(), d.size())) {
            return in.readAllBytes(); // the stream checks size and digest at its end
        }
    }

    private static SignatureVerificationException malformed(RegistryRepository repo, Digest manifest, String problem) {
        return new SignatureVerificationException(SignatureVerificationException.Reason.MALFORMED, "the sigstore attachment"
                + " manifest " + repo.registry() + "/" + repo.path() + ":" + tag(manifest) + " cannot be used: " + problem);
    }
}
