/**
 * Image signatures: simple signing ("atomic container signature", as Skopeo and Podman make and
 * check with GnuPG), done in process with Bouncy Castle, without running {@code gpg}.
 *
 * <p>{@link dev.ocikit.image.signature.SimpleSigning} signs a manifest and verifies a signature;
 * {@link dev.ocikit.image.signature.PublicKeyring} holds the keys a verification trusts (from
 * key files or a GnuPG home); {@link dev.ocikit.image.signature.SigningKey} is an unlocked secret
 * key (from GnuPG's own key store, as {@code skopeo --sign-by} finds it, or an exported key
 * file). A signature is verified cryptographically before a byte of its JSON is read, and every
 * refusal is a {@link dev.ocikit.image.signature.SignatureVerificationException} naming its
 * {@link dev.ocikit.image.signature.SignatureVerificationException.Reason}, which a trust policy
 * can act on.
 */
package dev.ocikit.image.signature;
