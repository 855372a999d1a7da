/**
 * Image signatures, done in process with Bouncy Castle, without running {@code gpg} or
 * {@code cosign}: simple signing ("atomic container signature", as Skopeo and Podman make and
 * check with GnuPG) and sigstore signing with keys (cosign's format, as containers/image makes
 * and checks it offline).
 *
 * <p>Simple signing: {@link dev.ocikit.image.signature.SimpleSigning} signs a manifest and
 * verifies a signature; {@link dev.ocikit.image.signature.PublicKeyring} holds the keys a
 * verification trusts (from key files or a GnuPG home); {@link dev.ocikit.image.signature.SigningKey}
 * is an unlocked secret key (from GnuPG's own key store, as {@code skopeo --sign-by} finds it, or
 * an exported key file).
 *
 * <p>Sigstore: {@link dev.ocikit.image.signature.SigstoreSigning} signs and verifies
 * {@link dev.ocikit.image.signature.SigstoreSignature}s with a
 * {@link dev.ocikit.image.signature.SigstorePrivateKey} (cosign's encrypted key file) and
 * {@link dev.ocikit.image.signature.SigstorePublicKey}s, optionally requiring a Rekor signed entry
 * timestamp; {@link dev.ocikit.image.signature.SigstoreReferrers} tells OCI 1.1 referrers apart.
 * Keyless (Fulcio) signatures and sigstore bundles are recognised, not verified.
 *
 * <p>A signature is verified cryptographically before a byte of its JSON is read, and every
 * refusal is a {@link dev.ocikit.image.signature.SignatureVerificationException} naming its
 * {@link dev.ocikit.image.signature.SignatureVerificationException.Reason}, which a trust policy
 * can act on.
 */
package dev.ocikit.image.signature;
