# Makes this directory's fixtures with implementations independent of ocikit: OpenSSL (through
# Python's hashlib.scrypt and the cryptography package) and libsodium (through PyNaCl).
# Tests do not run it; it documents how the files were made. Run: python3 make.py (Debian:
# python3-nacl, python3-cryptography).
import base64, hashlib, json, os
from nacl.secret import SecretBox
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

PASSPHRASE = "independent passphrase"

def encrypted_key(key, pem_type, n):
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    salt, nonce = os.urandom(32), os.urandom(24)
    box_key = hashlib.scrypt(PASSPHRASE.encode(), salt=salt, n=n, r=8, p=1, maxmem=1 << 30, dklen=32)
    box = SecretBox(box_key).encrypt(der, nonce).ciphertext  # tag || ciphertext, as Go's secretbox.Seal
    doc = {"kdf": {"name": "scrypt", "params": {"N": n, "r": 8, "p": 1}, "salt": base64.b64encode(salt).decode()},
           "cipher": {"name": "nacl/secretbox", "nonce": base64.b64encode(nonce).decode()},
           "ciphertext": base64.b64encode(box).decode()}
    body = base64.b64encode(json.dumps(doc, separators=(",", ":")).encode()).decode()
    lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {pem_type}-----\n{lines}\n-----END {pem_type}-----\n"

def public_pem(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

cosign = ec.generate_private_key(ec.SECP256R1())
sigstore = ec.generate_private_key(ec.SECP256R1())
open("cosign-type.private", "w").write(encrypted_key(cosign, "ENCRYPTED COSIGN PRIVATE KEY", 32768))
open("cosign-type.pub", "wb").write(public_pem(cosign))
open("sigstore-type.private", "w").write(encrypted_key(sigstore, "ENCRYPTED SIGSTORE PRIVATE KEY", 65536))
open("sigstore-type.pub", "wb").write(public_pem(sigstore))
open("passphrase", "w").write(PASSPHRASE + "\n")

# A dir: image signature as cosign writes its payload ("optional": null, a reference without tag),
# stored in containers/image's one-file form.
os.makedirs("dir-image", exist_ok=True)
manifest = b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:' + b"1" * 64 + b'","size":2},"layers":[]}'
open("dir-image/manifest.json", "wb").write(manifest)
payload = json.dumps({"critical": {"identity": {"docker-reference": "quay.io/ocikit/independent"},
                                   "image": {"docker-manifest-digest": "sha256:" + hashlib.sha256(manifest).hexdigest()},
                                   "type": "cosign container image signature"}, "optional": None},
                     separators=(",", ":")).encode()
signature = cosign.sign(payload, ec.ECDSA(hashes.SHA256()))
blob = {"mimeType": "application/vnd.dev.cosign.simplesigning.v1+json", "payload": base64.b64encode(payload).decode(),
        "annotations": {"dev.cosignproject.cosign/signature": base64.b64encode(signature).decode()}}
open("dir-image/signature-1", "wb").write(b"\0sigstore-json\n" + json.dumps(blob, separators=(",", ":")).encode())
open("dir-image/version", "w").write("Directory Transport Version: 1.1\n")
