"""RSA keys: the platforms' public keys (checked on upload), key pairs issued to platforms, and CCPro's own
key that signs instant event notifications."""

import hashlib
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

MIN_RSA_BITS = 2048
ISSUED_RSA_BITS = 2048


class PublicKeyError(ValueError):
    """The text is not a usable RSA public key."""


def rsa_public_key_load(pem: str) -> rsa.RSAPublicKey:
    """A PEM RSA public key of at least MIN_RSA_BITS bits, else PublicKeyError saying why."""
    try:
        key = serialization.load_pem_public_key((pem or "").strip().encode())
    except (ValueError, TypeError) as exc:
        raise PublicKeyError("The public key must be a PEM-encoded RSA public key.") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise PublicKeyError("The public key must be an RSA key.")
    if key.key_size < MIN_RSA_BITS:
        raise PublicKeyError(f"The public key must have at least {MIN_RSA_BITS} bits (this one has {key.key_size}).")
    return key


def public_key_pem(key: rsa.RSAPublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def fingerprint(key: rsa.RSAPublicKey) -> str:
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def rsa_key_pair_generate(bits: int = ISSUED_RSA_BITS) -> tuple[str, str]:
    """(private PEM, public PEM) of a new RSA key pair."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return private_pem, public_key_pem(private.public_key())


# --- CCPro's key for instant event notifications ----------------------------------------------------


@lru_cache(maxsize=4)
def _ien_private_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < MIN_RSA_BITS:
        raise ValueError(f"IEN_PRIVATE_KEY must be an RSA key of at least {MIN_RSA_BITS} bits")
    return key


def ien_private_key() -> rsa.RSAPrivateKey:
    """CCPro's signing key: IEN_PRIVATE_KEY (PEM) or the file IEN_PRIVATE_KEY_FILE. Outside production a key is
    generated into that file the first time it is needed (var/ien_private_key.pem by default)."""
    pem = settings.IEN_PRIVATE_KEY
    if not pem:
        path = Path(settings.IEN_PRIVATE_KEY_FILE)
        if not path.exists():
            if not settings.IEN_PRIVATE_KEY_AUTOGENERATE:
                raise RuntimeError("IEN_PRIVATE_KEY or IEN_PRIVATE_KEY_FILE must be set")
            path.parent.mkdir(parents=True, exist_ok=True)
            private_pem, _ = rsa_key_pair_generate()
            path.write_text(private_pem)
            path.chmod(0o600)
        pem = path.read_text()
    return _ien_private_key(pem)


def ien_public_key_pem() -> str:
    """The key partners verify `jwt` instant event notifications with (published at /.well-known/)."""
    return public_key_pem(ien_private_key().public_key())
