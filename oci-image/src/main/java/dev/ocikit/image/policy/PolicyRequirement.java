package dev.ocikit.image.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ocikit.image.signature.OpenPgpKeyException;
import dev.ocikit.image.signature.PublicKeyring;
import dev.ocikit.image.signature.SigstoreKeyException;
import dev.ocikit.image.signature.SigstorePublicKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One requirement of a policy.json scope; every requirement of the scope that applies must be
 * satisfied for an image to be accepted. Immutable and thread-safe.
 */
public sealed interface PolicyRequirement {

    /** The {@code type} value in policy.json. */
    String type();

    /** {@code insecureAcceptAnything}: any image, signed or not. */
    record InsecureAcceptAnything() implements PolicyRequirement {
        @Override
        public String type() {
            return "insecureAcceptAnything";
        }
    }

    /** {@code reject}: no image. */
    record Reject() implements PolicyRequirement {
        @Override
        public String type() {
            return "reject";
        }
    }

    /**
     * {@code signedBy}: at least one simple signature must verify with these keys, be for the
     * image's manifest, and claim an identity {@link #signedIdentity()} accepts.
     *
     * <p>The keys are read the first time a decision needs them (and then kept), so a policy
     * naming key files for scopes that are never used parses without reading them, as
     * containers/image does. Only {@code keyType} {@code GPGKeys} can be evaluated; the other
     * values containers/image accepts ({@code signedByGPGKeys}, {@code X509Certificates},
     * {@code signedByX509CAs}) parse, and reject every image as unimplemented, as there.
     */
    final class SignedBy implements PolicyRequirement {
        /** The only key type that can be evaluated. */
        public static final String GPG_KEYS = "GPGKeys";
        static final List<String> KNOWN_KEY_TYPES = List.of(GPG_KEYS, "signedByGPGKeys", "X509Certificates", "signedByX509CAs");

        private final String keyType;
        private final List<Path> keyPaths;
        private final byte[] keyData;
        private final SignedIdentity signedIdentity;
        private volatile PublicKeyring keyring;

        private SignedBy(String keyType, List<Path> keyPaths, byte[] keyData, SignedIdentity signedIdentity) {
            this.keyType = Objects.requireNonNull(keyType, "keyType");
            if (!KNOWN_KEY_TYPES.contains(keyType)) {
                throw new IllegalArgumentException("unknown keyType \"" + keyType + "\"; use " + GPG_KEYS);
            }
            this.keyPaths = List.copyOf(keyPaths);
            this.keyData = keyData == null ? null : keyData.clone();
            this.signedIdentity = Objects.requireNonNull(signedIdentity, "signedIdentity");
        }

        /** Keys from files ({@code keyPath} for one, {@code keyPaths} for several); GPGKeys. */
        public static SignedBy keyPaths(List<Path> keyPaths, SignedIdentity signedIdentity) {
            return new SignedBy(GPG_KEYS, keyPaths, null, signedIdentity);
        }

        /** Keys given inline ({@code keyData}: an exported keyring, armored or binary); GPGKeys. */
        public static SignedBy keyData(byte[] keyData, SignedIdentity signedIdentity) {
            return new SignedBy(GPG_KEYS, List.of(), Objects.requireNonNull(keyData, "keyData"), signedIdentity);
        }

        static SignedBy of(String keyType, List<Path> keyPaths, byte[] keyData, SignedIdentity signedIdentity) {
            return new SignedBy(keyType, keyPaths, keyData, signedIdentity);
        }

        @Override
        public String type() {
            return "signedBy";
        }

        public String keyType() {
            return keyType;
        }

        /** The key files, if the keys are in files (empty if they are inline). */
        public List<Path> keyPaths() {
            return keyPaths;
        }

        /** The inline keys, if given inline (a copy). */
        public Optional<byte[]> keyData() {
            return Optional.ofNullable(keyData).map(byte[]::clone);
        }

        public SignedIdentity signedIdentity() {
            return signedIdentity;
        }

        /**
         * The trusted keys, read on first use and then kept.
         *
         * @throws OpenPgpKeyException if a key file or the inline data is not a keyring
         * @throws IOException if a key file cannot be read
         */
        public PublicKeyring keyring() throws IOException {
            PublicKeyring k = keyring;
            if (k == null) {
                synchronized (this) {
                    k = keyring;
                    if (k == null) {
                        k = keyData != null ? PublicKeyring.parse(keyData, "keyData") : PublicKeyring.read(keyPaths);
                        keyring = k;
                    }
                }
            }
            return k;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SignedBy s && keyType.equals(s.keyType) && keyPaths.equals(s.keyPaths)
                    && Arrays.equals(keyData, s.keyData) && signedIdentity.equals(s.signedIdentity);
        }

        @Override
        public int hashCode() {
            return Objects.hash(keyType, keyPaths, Arrays.hashCode(keyData), signedIdentity);
        }

        @Override
        public String toString() {
            return "SignedBy[keyType=" + keyType + ", " + (keyData != null ? "keyData (" + keyData.length + " bytes)"
                    : "keyPaths=" + keyPaths) + ", signedIdentity=" + signedIdentity + "]";
        }
    }

    /**
     * {@code signedBaseLayer}: parsed, as containers/image parses it; it rejects every image there
     * (not implemented) and does here.
     */
    record SignedBaseLayer(SignedIdentity baseLayerIdentity) implements PolicyRequirement {
        public SignedBaseLayer {
            Objects.requireNonNull(baseLayerIdentity, "baseLayerIdentity");
        }

        @Override
        public String type() {
            return "signedBaseLayer";
        }
    }

    /**
     * {@code sigstoreSigned}: at least one sigstore signature must verify with one of the public
     * keys ({@code keyPath}, {@code keyPaths}, {@code keyData}, {@code keyDatas}), be for the
     * image's manifest, and claim an identity {@link #signedIdentity()} accepts; with a Rekor key
     * ({@code rekorPublicKey*}) it must also carry a Rekor signed entry timestamp by that key
     * for it (checked offline). Keyless requirements ({@code fulcio}, {@code pki}) parse, and
     * reject every image as not supported: ocikit does not check certificates, and accepting
     * the signature without that check would be weaker than the policy asks.
     *
     * @param keySource which field names the keys or the CA: {@code keyPath}, {@code keyPaths},
     *     {@code keyData}, {@code keyDatas}, {@code fulcio} or {@code pki}
     * @param keySourceValue that field's value, as written
     * @param rekorPublicKey the {@code rekorPublicKey*} field and its value, as a JSON object with
     *     that one member, if there is one
     */
    record SigstoreSigned(String keySource, JsonNode keySourceValue, Optional<JsonNode> rekorPublicKey,
            SignedIdentity signedIdentity) implements PolicyRequirement {
        public SigstoreSigned {
            Objects.requireNonNull(keySource, "keySource");
            Objects.requireNonNull(keySourceValue, "keySourceValue");
            rekorPublicKey = rekorPublicKey == null ? Optional.empty() : rekorPublicKey;
            Objects.requireNonNull(signedIdentity, "signedIdentity");
        }

        @Override
        public String type() {
            return "sigstoreSigned";
        }

        /** Whether the keys are public keys (not a Fulcio or PKI certificate authority). */
        public boolean hasPublicKeys() {
            return keySource.startsWith("key");
        }

        /**
         * The trusted public keys, read from the files or the inline data each time (key files are
         * small; a decision reads them once).
         *
         * @throws IllegalStateException if the keys come from a certificate authority
         *     ({@link #hasPublicKeys()} is false)
         * @throws SigstoreKeyException if a key is not a public key cosign accepts
         * @throws IOException if a key file cannot be read
         */
        public List<SigstorePublicKey> publicKeys() throws IOException {
            List<SigstorePublicKey> keys = new ArrayList<>();
            switch (keySource) {
                case "keyPath" -> keys.add(SigstorePublicKey.read(Path.of(keySourceValue.textValue())));
                case "keyPaths" -> {
                    for (JsonNode p : keySourceValue) {
                        keys.add(SigstorePublicKey.read(Path.of(p.textValue())));
                    }
                }
                case "keyData" -> keys.add(SigstorePublicKey.parse(decode(keySourceValue.textValue()), "keyData"));
                case "keyDatas" -> {
                    for (int i = 0; i < keySourceValue.size(); i++) {
                        keys.add(SigstorePublicKey.parse(decode(keySourceValue.get(i).textValue()), "keyDatas[" + i + "]"));
                    }
                }
                default -> throw new IllegalStateException("sigstoreSigned with " + keySource + " has no public keys");
            }
            return keys;
        }

        /**
         * The Rekor public keys of {@code rekorPublicKeyPath(s)} or {@code rekorPublicKeyData(s)},
         * read each time; empty if the requirement names none.
         *
         * @throws SigstoreKeyException if a key is not a public key
         * @throws IOException if a key file cannot be read
         */
        public List<SigstorePublicKey> rekorPublicKeys() throws IOException {
            List<SigstorePublicKey> keys = new ArrayList<>();
            if (rekorPublicKey.isEmpty()) {
                return keys;
            }
            String field = rekorPublicKey.get().fieldNames().next();
            boolean isPath = field.startsWith("rekorPublicKeyPath");
            JsonNode value = rekorPublicKey.get().get(field);
            List<String> values = new ArrayList<>();
            if (value.isArray()) {
                value.forEach(v -> values.add(v.textValue()));
            } else {
                values.add(value.textValue());
            }
            for (int i = 0; i < values.size(); i++) {
                String v = values.get(i);
                keys.add(isPath ? SigstorePublicKey.read(Path.of(v)) : SigstorePublicKey.parse(decode(v), field + "[" + i + "]"));
            }
            return keys;
        }

        private static byte[] decode(String base64) {
            // validated when the policy was parsed
            return Base64.getDecoder().decode(base64.replace("\r", "").replace("\n", ""));
        }
    }
}
