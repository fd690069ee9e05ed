"""The platform's seal on documents people are bound by (电子签名法 arts. 13-14): a PAdES
signature by pyHanko with the platform's certificate, so that any later change to the PDF is
detectable and anyone holding the platform's root certificate can check it.

Production configures its own key and certificates (SEAL_KEY_PATH, SEAL_CERT_PATH, and
SEAL_ROOT_PATH, the root the certificate chains to, published for verifiers). With
SEAL_DEV_CERTIFICATE on (development, tests) a development root and seal certificate are made
in SEAL_DIR the first time a seal is needed; their names say they are for development.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEV_NAME = "Dispute Portal DEVELOPMENT seal"


@dataclass(frozen=True)
class SealFiles:
    key: Path
    cert: Path
    root: Path


def seal_files() -> SealFiles:
    if settings.SEAL_KEY_PATH and settings.SEAL_CERT_PATH and settings.SEAL_ROOT_PATH:
        return SealFiles(
            Path(settings.SEAL_KEY_PATH),
            Path(settings.SEAL_CERT_PATH),
            Path(settings.SEAL_ROOT_PATH),
        )
    if not settings.SEAL_DEV_CERTIFICATE:
        raise ImproperlyConfigured(
            "Set SEAL_KEY_PATH, SEAL_CERT_PATH and SEAL_ROOT_PATH (or SEAL_DEV_CERTIFICATE=true "
            "for development)."
        )
    folder = Path(settings.SEAL_DIR)
    files = SealFiles(folder / "seal-dev.key", folder / "seal-dev.crt", folder / "root-dev.crt")
    if not (files.key.exists() and files.cert.exists() and files.root.exists()):
        make_dev_certificate(files)
    return files


def make_dev_certificate(files: SealFiles) -> None:
    """A development root (10 years) and a seal certificate it issued (2 years)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{DEV_NAME} root")])
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(root_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, DEV_NAME)]))
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    files.key.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(files.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.root.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    _signer.cache_clear()


@cache
def _signer(key: Path, cert: Path, root: Path) -> Any:
    from pyhanko.sign import signers

    return signers.SimpleSigner.load(str(key), str(cert), ca_chain_files=(str(root),))


def seal_pdf(pdf: bytes, *, reason: str) -> bytes:
    """The PDF with the platform's PAdES seal added (an incremental update)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    files = seal_files()
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name="PlatformSeal",
        reason=reason,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    out = signers.sign_pdf(writer, metadata, signer=_signer(files.key, files.cert, files.root))
    return out.getvalue()


@dataclass(frozen=True)
class SealCheck:
    sealed: bool
    intact: bool
    trusted: bool
    signer: str

    @property
    def valid(self) -> bool:
        return self.sealed and self.intact and self.trusted


def check_seal(pdf: bytes) -> SealCheck:
    """Whether `pdf` carries the platform's seal, unchanged since, by a certificate that
    chains to the platform's root."""
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(BytesIO(pdf))
        signatures = reader.embedded_signatures
    except Exception:
        return SealCheck(False, False, False, "")
    if not signatures:
        return SealCheck(False, False, False, "")
    root_bytes = seal_files().root.read_bytes()
    _, _, der = pem.unarmor(root_bytes)
    context = ValidationContext(trust_roots=[x509.Certificate.load(der)])
    status = validate_pdf_signature(signatures[-1], context)
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    covers_all = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    return SealCheck(
        True, bool(status.intact and status.valid and covers_all), bool(status.trusted), signer
    )
