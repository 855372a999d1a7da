package dev.ocikit.image.signature;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.image.signature.SignatureVerificationException.Reason;
import dev.ocikit.spec.Digest;
import dev.ocikit.spec.DigestAlgorithm;
import dev.ocikit.spec.ImageReference;
import dev.ocikit.spec.Json;
import dev.ocikit.spec.OciException;
import dev.ocikit.spec.UnsupportedManifestException;
import dev.ocikit.spec.image.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.bcpg.BCPGOutputStream;
import org.bouncycastle.bcpg.CompressionAlgorithmTags;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.sig.IssuerFingerprint;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPCompressedDataGenerator;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPOnePassSignature;
import org.bouncycastle.openpgp.PGPOnePassSignatureList;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * Simple signing, the signatures {@code skopeo standalone-sign}, {@code skopeo copy --sign-by}
 * and {@code podman push --sign-by} make: a {@link SimpleSigningPayload} in an OpenPGP signed
 * message, as {@code gpg --sign} writes it (compressed, one-pass, binary literal data, one
 * signature). Stateless and thread-safe.
 *
 * <p>Verification checks the OpenPGP signature against the trusted keys before any of the JSON
 * is read, and refuses, with a {@link SignatureVerificationException} naming the
 * {@link Reason}: input that is not such a message (MALFORMED), more than one signature
 * (SIGNATURE_COUNT), a key not in the trusted keyring (UNKNOWN_KEY), a signature that does not
 * verify (BAD_SIGNATURE), a key revoked, expired now or at signing time, or a signature past its
 * own expiry (REVOKED, EXPIRED), a subkey not bound for signing (KEY_USAGE), and a payload that
 * {@link SimpleSigningPayload#parse} refuses (INVALID_PAYLOAD). {@link #verifyFor} then checks
 * that the signature is for this manifest (DIGEST_MISMATCH) and this name (IDENTITY_MISMATCH).
 */
public final class SimpleSigning {
    /** A payload is a few hundred bytes; anything much larger is not one (or is a compression bomb). */
    static final int MAX_PAYLOAD_SIZE = 64 * 1024;
    /** Room for the one-pass signature and signature packets around the payload (an RSA-16384 signature is 2 KiB). */
    private static final int MAX_PACKETS_AROUND_PAYLOAD = 16 * 1024;
    /** Signature files are a few hundred bytes to a few kilobytes. */
    static final int MAX_SIGNATURE_SIZE = 4 * 1024 * 1024;

    private static final BcPGPContentVerifierBuilderProvider VERIFIERS = new BcPGPContentVerifierBuilderProvider();

    private SimpleSigning() {}

    /**
     * The digest a signature names for these manifest bytes: SHA-256 of the bytes exactly as
     * stored (for an image index too), as containers/image's {@code manifest.Digest} computes it.
     *
     * @throws UnsupportedManifestException for a signed Docker schema 1 manifest, whose digest
     *     excludes its JWS signatures and which ocikit does not read
     */
    public static Digest manifestDigest(byte[] manifest) {
        return manifestDigest(manifest, DigestAlgorithm.SHA256);
    }

    /**
     * Signs a manifest as {@code dockerReference}, as {@code skopeo standalone-sign} does: the
     * payload names the SHA-256 digest of the manifest bytes, the reference as given, ocikit as
     * the creator and the current time.
     *
     * @param dockerReference the name to sign the image as, for example
     *     {@code quay.io/me/app:1.0}; must be a valid reference
     * @return the signature, to store as a {@code signature-N} file or in a lookaside store
     */
    public static byte[] sign(byte[] manifest, String dockerReference, SigningKey key) {
        ImageReference.parse(dockerReference); // a signature for a name nobody can ask for is useless
        Instant now = Instant.now();
        return sign(SimpleSigningPayload.of(manifestDigest(manifest), dockerReference, creator(), now), key, now);
    }

    /** Signs a payload the caller built; see {@link #sign(byte[], String, SigningKey)}. */
    public static byte[] sign(SimpleSigningPayload payload, SigningKey key) {
        return sign(payload, key, Instant.now());
    }

    static byte[] sign(SimpleSigningPayload payload, SigningKey key, Instant now) {
        Objects.requireNonNull(payload, "payload");
        return signBytes(payload.toJson(), key, now);
    }

    /** Any content in the message shape simple signing uses (tests sign payloads no valid signer would make). */
    static byte[] signBytes(byte[] content, SigningKey key, Instant now) {
        Objects.requireNonNull(key, "key");
        Date time = Date.from(now);
        try {
            PGPPublicKey pub = key.publicKey();
            PGPSignatureGenerator generator = new PGPSignatureGenerator(
                    new BcPGPContentSignerBuilder(pub.getAlgorithm(), HashAlgorithmTags.SHA256), pub);
            generator.init(PGPSignature.BINARY_DOCUMENT, key.privateKey());
            PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
            hashed.setSignatureCreationTime(false, time);
            hashed.setIssuerFingerprint(false, pub);
            generator.setHashedSubpackets(hashed.generate());
            PGPSignatureSubpacketGenerator unhashed = new PGPSignatureSubpacketGenerator();
            unhashed.setIssuerKeyID(false, pub.getKeyID());
            generator.setUnhashedSubpackets(unhashed.generate());

            ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
            PGPCompressedDataGenerator compressed = new PGPCompressedDataGenerator(CompressionAlgorithmTags.ZIP);
            try (BCPGOutputStream packets = new BCPGOutputStream(compressed.open(out))) {
                generator.generateOnePassVersion(false).encode(packets);
                PGPLiteralDataGenerator literal = new PGPLiteralDataGenerator();
                try (OutputStream data = literal.open(packets, PGPLiteralData.BINARY, "", content.length, time)) {
                    data.write(content);
                }
                generator.update(content);
                generator.generate().encode(packets);
            }
            compressed.close();
            return out.toByteArray();
        } catch (IOException | PGPException e) {
            throw new OciException("cannot sign with key " + key.signingKeyFingerprint() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Verifies a signature against trusted keys and returns what it signs. Does not say whether
     * it is for any particular image: see {@link #verifyFor}.
     *
     * @throws SignatureVerificationException naming why the signature is refused
     */
    public static VerifiedSignature verify(byte[] signature, PublicKeyring trustedKeys) {
        return verify(signature, trustedKeys, Instant.now());
    }

    /**
     * Verifies a signature for a manifest and a name, as {@code skopeo standalone-verify} does:
     * {@link #verify}, then the signed digest must be that of {@code manifest}'s bytes, and the
     * signed name must be {@code expectedDockerReference} (both normalised as Docker references,
     * so {@code busybox} and {@code docker.io/library/busybox} are the same name; a tag or a
     * digest must match exactly, and no default tag is assumed).
     *
     * @throws SignatureVerificationException naming why the signature is refused
     * @throws dev.ocikit.spec.InvalidReferenceException if {@code expectedDockerReference} is not
     *     a valid reference
     */
    public static VerifiedSignature verifyFor(byte[] signature, byte[] manifest, String expectedDockerReference,
            PublicKeyring trustedKeys) {
        ImageReference expected = ImageReference.parse(expectedDockerReference);
        return requireFor(verify(signature, trustedKeys), manifest, expected, expectedDockerReference);
    }

    /** The checks of {@link #verifyFor} after the cryptographic one, shared with {@link SigstoreSigning#verifyFor}. */
    static VerifiedSignature requireFor(VerifiedSignature verified, byte[] manifest, ImageReference expected,
            String expectedDockerReference) {
        SimpleSigningPayload payload = verified.payload();
        Digest signed = payload.dockerManifestDigest();
        if (!manifestDigest(manifest, signed.algorithm()).equals(signed)) {
            throw new SignatureVerificationException(Reason.DIGEST_MISMATCH, "the signature is for manifest " + signed
                    + ", not for this one (" + manifestDigest(manifest, signed.algorithm()) + ")");
        }
        ImageReference signedName;
        try {
            signedName = ImageReference.parse(payload.dockerReference());
        } catch (OciException e) {
            throw new SignatureVerificationException(Reason.IDENTITY_MISMATCH, "the signature names an invalid image reference \""
                    + payload.dockerReference() + "\"", e);
        }
        if (!signedName.equals(expected)) {
            throw new SignatureVerificationException(Reason.IDENTITY_MISMATCH, "the signature is for \""
                    + payload.dockerReference() + "\", not \"" + expectedDockerReference + "\"");
        }
        return verified;
    }

    static VerifiedSignature verify(byte[] signature, PublicKeyring trustedKeys, Instant now) {
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(trustedKeys, "trustedKeys");
        if (signature.length > MAX_SIGNATURE_SIZE) {
            throw malformed("it is " + signature.length + " bytes, far larger than any signature", null);
        }
        Message message = readMessage(signature);
        PGPOnePassSignature ops = message.onePass;
        PGPSignature sig = message.signature;
        Map.Entry<PGPPublicKeyRing, PGPPublicKey> found = trustedKeys.findKey(ops.getKeyID())
                .orElseThrow(() -> new SignatureVerificationException(Reason.UNKNOWN_KEY, "signed by key ID "
                        + String.format("%016X", ops.getKeyID()) + ", which is not a trusted key (trusted: "
                        + (trustedKeys.isEmpty() ? "none" : String.join(", ", trustedKeys.fingerprints())) + ")"));
        PGPPublicKey primary = found.getKey().getPublicKey();
        PGPPublicKey key = found.getValue();
        IssuerFingerprint issuer = sig.getHashedSubPackets() == null ? null : sig.getHashedSubPackets().getIssuerFingerprint();
        if (issuer != null && !Arrays.equals(issuer.getFingerprint(), key.getFingerprint())) {
            throw new SignatureVerificationException(Reason.BAD_SIGNATURE, "the signature names key "
                    + HexFormat.of().withUpperCase().formatHex(issuer.getFingerprint())
                    + ", but its key ID is that of trusted key " + PublicKeyring.fingerprint(key));
        }
        if (sig.getHashAlgorithm() == HashAlgorithmTags.MD5 || sig.getHashAlgorithm() != ops.getHashAlgorithm()) {
            throw new SignatureVerificationException(Reason.BAD_SIGNATURE, "the signature uses a broken or inconsistent hash algorithm ("
                    + sig.getHashAlgorithm() + ")");
        }
        try {
            ops.init(VERIFIERS, key);
            ops.update(message.content);
            if (!ops.verify(sig)) {
                throw new SignatureVerificationException(Reason.BAD_SIGNATURE, "the signature by key "
                        + PublicKeyring.fingerprint(primary) + " does not verify: the signed content or the signature was changed");
            }
        } catch (PGPException | RuntimeException e) {
            if (e instanceof SignatureVerificationException s) {
                throw s;
            }
            throw new SignatureVerificationException(Reason.BAD_SIGNATURE, "the signature by key "
                    + PublicKeyring.fingerprint(primary) + " cannot be checked: " + e.getMessage(), e);
        }
        Instant signedAt = sig.getCreationTime().toInstant();
        KeyChecks.requireUsable(primary, key, signedAt, now);
        long lifetime = sig.getHashedSubPackets() == null ? 0 : sig.getHashedSubPackets().getSignatureExpirationTime();
        if (lifetime > 0 && !now.isBefore(signedAt.plusSeconds(lifetime))) {
            throw new SignatureVerificationException(Reason.EXPIRED, "the signature expired on " + signedAt.plusSeconds(lifetime));
        }
        // Only now, with the signature verified, is any of the JSON read.
        return new VerifiedSignature(SimpleSigningPayload.parse(message.content), PublicKeyring.fingerprint(primary),
                PublicKeyring.fingerprint(key), signedAt);
    }

    private record Message(PGPOnePassSignature onePass, byte[] content, PGPSignature signature) {}

    /** The one shape accepted: [compressed] one-pass signature, binary literal data, signature, nothing else. */
    private static Message readMessage(byte[] bytes) {
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(bytes))) {
            BcPGPObjectFactory outer = new BcPGPObjectFactory(in);
            BcPGPObjectFactory factory = outer;
            Object o = outer.nextObject();
            if (o instanceof PGPCompressedData compressed) {
                factory = new BcPGPObjectFactory(new ByteArrayInputStream(decompress(compressed)));
                o = factory.nextObject();
            }
            if (!(o instanceof PGPOnePassSignatureList onePass)) {
                throw malformed("it does not start with a one-pass signature, as gpg --sign writes (found "
                        + describe(o) + ")", null);
            }
            if (onePass.size() != 1) {
                throw new SignatureVerificationException(Reason.SIGNATURE_COUNT, "the message holds " + onePass.size()
                        + " signatures; a simple signature has exactly one");
            }
            o = factory.nextObject();
            if (!(o instanceof PGPLiteralData literal)) {
                throw malformed("the signed data is not literal data (found " + describe(o) + ")", null);
            }
            byte[] content = readBounded(literal.getDataStream());
            o = factory.nextObject();
            if (!(o instanceof PGPSignatureList signatures)) {
                throw malformed("the signature packet after the data is missing (found " + describe(o) + ")", null);
            }
            if (signatures.size() != 1) {
                throw new SignatureVerificationException(Reason.SIGNATURE_COUNT, "the message holds " + signatures.size()
                        + " signatures; a simple signature has exactly one");
            }
            Object extra = factory.nextObject();
            if (extra == null && factory != outer) {
                extra = outer.nextObject();
            }
            if (extra != null) {
                throw malformed("more follows the signature (" + describe(extra) + ")", null);
            }
            PGPOnePassSignature ops = onePass.get(0);
            PGPSignature sig = signatures.get(0);
            if (ops.getKeyID() != sig.getKeyID() || sig.getSignatureType() != PGPSignature.BINARY_DOCUMENT
                    || ops.getSignatureType() != PGPSignature.BINARY_DOCUMENT) {
                throw malformed("not a binary document signature by the key its header names", null);
            }
            return new Message(ops, content, sig);
        } catch (IOException | PGPException | RuntimeException e) {
            if (e instanceof SignatureVerificationException s) {
                throw s;
            }
            // Bouncy Castle reports truncated or hostile packets with assorted exceptions.
            throw malformed("not an OpenPGP signed message, or a truncated one (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The content of a compressed packet, all of it or a refusal. gpg writes that packet with no
     * length (it runs to the end of the message), so bytes after the compressed stream are still
     * inside it; a decompressing stream stops at the stream's end and never shows them. Inflating
     * here, the bytes left over are seen and refused as what they are: more after the signature.
     */
    private static byte[] decompress(PGPCompressedData compressed) throws IOException, PGPException {
        int limit = MAX_PAYLOAD_SIZE + MAX_PACKETS_AROUND_PAYLOAD;
        int algorithm = compressed.getAlgorithm();
        if (algorithm == CompressionAlgorithmTags.BZIP2) {
            return readBounded(compressed.getDataStream(), limit); // bzip2's own reader: its framing ends the data
        }
        byte[] raw = readBounded(compressed.getInputStream(), limit);
        if (algorithm == CompressionAlgorithmTags.UNCOMPRESSED) {
            return raw;
        }
        if (algorithm != CompressionAlgorithmTags.ZIP && algorithm != CompressionAlgorithmTags.ZLIB) {
            throw malformed("it is compressed with algorithm " + algorithm + ", which OpenPGP does not define", null);
        }
        java.util.zip.Inflater inflater = new java.util.zip.Inflater(algorithm == CompressionAlgorithmTags.ZIP);
        try {
            inflater.setInput(raw);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw malformed("the compressed data is truncated", null);
                }
                out.write(buf, 0, n);
                if (out.size() > limit) {
                    throw malformed("the signed data is larger than " + MAX_PAYLOAD_SIZE + " bytes, which no payload is", null);
                }
            }
            if (inflater.getRemaining() > 0) {
                throw malformed("more follows the signature (" + inflater.getRemaining()
                        + " bytes after its compressed data)", null);
            }
            return out.toByteArray();
        } catch (java.util.zip.DataFormatException e) {
            throw malformed("the compressed data is not valid (" + e.getMessage() + ")", e);
        } finally {
            inflater.end();
        }
    }

    private static byte[] readBounded(InputStream in, int limit) throws IOException {
        byte[] content = in.readNBytes(limit + 1);
        if (content.length > limit) {
            throw malformed("the message is larger than " + limit + " bytes, which no simple signature is", null);
        }
        return content;
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        byte[] content = in.readNBytes(MAX_PAYLOAD_SIZE + 1);
        if (content.length > MAX_PAYLOAD_SIZE) {
            throw malformed("the signed data is larger than " + MAX_PAYLOAD_SIZE + " bytes, which no payload is", null);
        }
        return content;
    }

    private static String describe(Object o) {
        return o == null ? "the end of the message" : o.getClass().getSimpleName().replace("PGP", "an OpenPGP ");
    }

    private static SignatureVerificationException malformed(String problem, Throwable cause) {
        return new SignatureVerificationException(Reason.MALFORMED, "not a simple signature: " + problem, cause);
    }

    private static Digest manifestDigest(byte[] manifest, DigestAlgorithm algorithm) {
        if (isSignedSchema1(manifest)) {
            throw new UnsupportedManifestException(MediaTypes.DOCKER_SCHEMA1_SIGNED_MANIFEST,
                    "signed Docker schema 1 manifests are not supported; convert the image to schema 2 or OCI");
        }
        return Digest.compute(algorithm, manifest);
    }

    private static boolean isSignedSchema1(byte[] manifest) {
        String text = new String(manifest, StandardCharsets.ISO_8859_1);
        if (!text.contains("\"signatures\"") || !text.contains("\"schemaVersion\"")) {
            return false; // cheap: most manifests are not schema 1
        }
        try {
            JsonNode tree = Json.tree(manifest, "manifest");
            return tree.path("schemaVersion").asInt() == 1 && tree.path("signatures").isArray();
        } catch (OciException e) {
            return false;
        }
    }

    private static String creator() {
        String version = SimpleSigning.class.getPackage().getImplementationVersion();
        return version == null ? "ocikit" : "ocikit " + version;
    }
}
