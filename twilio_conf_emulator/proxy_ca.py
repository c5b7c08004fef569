"""The local certificate authority behind the HTTPS proxy (``proxy.py``).

Clients with no base-URL setting (twilio-cli, twilio-node without ``baseUrl``, Java, Go, curl)
only reach the emulator if something answers TLS for ``api.twilio.com``.  The proxy does, with
certificates signed by a CA generated once and kept in the state directory, so a user trusts
it once (``twilio-conf-emulator env`` prints the variables) and every later run reuses it.
"""

from __future__ import annotations

import datetime
import os
import threading
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:  # annotations only
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes

STATE_ENV = "TWILIO_EMULATOR_HOME"
CA_CERT = "twilio-conf-emulator-ca.pem"
CA_KEY = "twilio-conf-emulator-ca-key.pem"


def state_dir(path: str | None = None) -> str:
    """Where the CA lives: ``path``, else $TWILIO_EMULATOR_HOME, else ~/.twilio-conf-emulator."""
    return os.path.abspath(path or os.environ.get(STATE_ENV)
                           or os.path.join(os.path.expanduser("~"), ".twilio-conf-emulator"))


def _name(common_name: str) -> x509.Name:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "twilio-conf-emulator"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _new_key() -> ec.EllipticCurvePrivateKey:
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())  # fast, and every TLS client takes P-256


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


class CertificateAuthority:
    """Loads (or first creates) the CA in ``directory``; ``cert_file(host)`` gives a PEM file
    holding a certificate for ``host`` and its key, ready for ``SSLContext.load_cert_chain``."""

    def __init__(self, directory: str | None = None) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        self.directory = state_dir(directory)
        self.cert_path = os.path.join(self.directory, CA_CERT)
        key_path = os.path.join(self.directory, CA_KEY)
        if not (os.path.exists(self.cert_path) and os.path.exists(key_path)):
            self._create(key_path)
        with open(self.cert_path, "rb") as fh:
            self.cert = x509.load_pem_x509_certificate(fh.read())
        with open(key_path, "rb") as fh:
            self.key = cast("CertificateIssuerPrivateKeyTypes",  # the CA's own key (EC)
                            serialization.load_pem_private_key(fh.read(), password=None))
        self._leaf_key = _new_key()  # one key for every host certificate of this process
        self._leaves: dict[str, str] = {}  # host: its PEM file
        self._lock = threading.Lock()

    def _create(self, key_path: str) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization

        os.makedirs(self.directory, exist_ok=True)
        key = _new_key()
        now = datetime.datetime.now(datetime.timezone.utc)
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        cert = (x509.CertificateBuilder()
                .subject_name(_name("twilio-conf-emulator local CA"))
                .issuer_name(_name("twilio-conf-emulator local CA"))
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                             crl_sign=True, content_commitment=False,
                                             key_encipherment=False, data_encipherment=False,
                                             key_agreement=False, encipher_only=False,
                                             decipher_only=False), critical=True)
                .add_extension(ski, critical=False)
                .sign(key, hashes.SHA256()))
        # The key is written owner-only first: whoever reads it can mint certificates the
        # user's clients trust.
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(_pem_key(key))
        with open(self.cert_path, "wb") as fh:
            fh.write(cert.public_bytes(serialization.Encoding.PEM))

    def cert_file(self, host: str) -> str:
        host = host.lower()
        with self._lock:
            if host not in self._leaves:
                self._leaves[host] = self._issue(host)
            return self._leaves[host]

    def _issue(self, host: str) -> str:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.x509.oid import ExtendedKeyUsageOID

        now = datetime.datetime.now(datetime.timezone.utc)
        pub = self._leaf_key.public_key()
        cert = (x509.CertificateBuilder()
                .subject_name(_name(host)).issuer_name(self.cert.subject)
                .public_key(pub).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=365))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                               critical=False)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    self.key.public_key()), critical=False)
                .sign(self.key, hashes.SHA256()))
        leaf_dir = os.path.join(self.directory, "hosts")
        os.makedirs(leaf_dir, exist_ok=True)
        path = os.path.join(leaf_dir, f"{host}.pem")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(cert.public_bytes(serialization.Encoding.PEM))
            fh.write(self.cert.public_bytes(serialization.Encoding.PEM))
            fh.write(_pem_key(self._leaf_key))
        return path
