"""The rules of the families' document safe (coffre-fort): which documents it
keeps, how an upload is checked before anything is stored, and how a stored
document is known to be intact when it is handed back. Pure: no I/O."""
import base64
import binascii
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass

from nameko.exceptions import deserialize_to_instance

from kit.errors import Invalid, ServiceError

CATEGORIES = {
    "attestation_domicile": "Attestation de domicile",
    "livret_famille": "Livret de famille",
    "avis_imposition": "Avis d'imposition",
    "attestation_caf": "Attestation CAF",
    "certificat_medical": "Certificat médical",
    "autre": "Autre document",
}

MAX_SIZE = 10 * 1024 * 1024
# Base64 of MAX_SIZE bytes: anything longer is refused before it is decoded.
MAX_ENCODED_LENGTH = 4 * -(-MAX_SIZE // 3)
MAX_FILENAME_LENGTH = 200
# Kept within the name when a long one is shortened.
MAX_EXTENSION_LENGTH = 10
# Characters that Windows refuses in a file name; the family may save the
# document again on any computer.
UNSAFE_CHARACTERS = re.compile(r'[<>:"|?*]')
PATH_SEPARATORS = re.compile(r"[/\\]")


@dataclass(frozen=True)
class FileType:
    content_type: str
    magic: bytes
    extensions: tuple  # the first is given to a file named otherwise


FILE_TYPES = (
    FileType("application/pdf", b"%PDF-", (".pdf",)),
    FileType("image/jpeg", b"\xff\xd8\xff", (".jpg", ".jpeg")),
    FileType("image/png", b"\x89PNG\r\n\x1a\n", (".png",)),
)
KNOWN_EXTENSIONS = {extension for file_type in FILE_TYPES for extension in file_type.extensions}


@dataclass(frozen=True)
class Upload:
    """A document that passed every check and may be stored."""

    category: str
    filename: str
    content: bytes
    content_type: str
    sha256: str

    @property
    def size(self):
        return len(self.content)


@deserialize_to_instance
class DocumentCorrupted(ServiceError):
    """The stored bytes are gone or no longer match the fingerprint taken at upload."""

    default_code = "document_corrupted"


def refused(code, field, message):
    return Invalid(message, code=code, fields={field: message})


def category_label(category):
    return CATEGORIES[category]


def check_upload(category, filename, content_b64):
    """Everything a family sends is checked here, before a byte is stored."""
    if category not in CATEGORIES:
        raise refused("unknown_category", "category", "Catégorie de document inconnue.")
    content = decode_content(content_b64)
    file_type = sniff(content)
    if file_type is None:
        raise refused("unsupported_type", "content_b64",
                      "Format non accepté : envoyez un fichier PDF, JPEG ou PNG.")
    return Upload(category=category, filename=filename_for(filename, file_type), content=content,
                  content_type=file_type.content_type, sha256=sha256(content))


def decode_content(content_b64):
    # Base64 wrapped in lines (as e-mail clients write it) is still base64.
    encoded = "".join(content_b64.split())
    if len(encoded) > MAX_ENCODED_LENGTH:
        raise too_large()
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise refused("invalid_content", "content_b64",
                      "Le contenu du fichier est illisible (base64 attendu).") from None
    if not content:
        raise refused("empty_file", "content_b64", "Le fichier est vide.")
    if len(content) > MAX_SIZE:
        raise too_large()
    return content


def too_large():
    return refused("file_too_large", "content_b64", "Le fichier dépasse la taille maximale de 10 Mo.")


def sniff(content):
    """The type a file really has, read from its first bytes, whatever its name says."""
    return next((file_type for file_type in FILE_TYPES if content.startswith(file_type.magic)), None)


def sanitize_filename(raw):
    """A name safe to show and to save anywhere: the last part of whatever path
    the browser sent, without control characters, hidden-file dots or
    characters other systems refuse; never empty, never a path."""
    if not isinstance(raw, str):
        raise invalid_filename()
    name = PATH_SEPARATORS.split(raw)[-1]
    # Control and format characters (a right-to-left override can disguise
    # "fdp.exe" as "exe.pdf") are dropped before composing accents.
    name = "".join(c for c in name if not unicodedata.category(c).startswith("C"))
    name = unicodedata.normalize("NFC", name)
    name = UNSAFE_CHARACTERS.sub("_", name)
    name = " ".join(name.split()).strip(". ")
    if not name:
        raise invalid_filename()
    return fit(name)


def invalid_filename():
    return refused("invalid_filename", "filename", "Nom de fichier invalide.")


def fit(name):
    """Shortens a long name from the middle so that its extension stays."""
    if len(name) <= MAX_FILENAME_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if not stem or len(extension) > MAX_EXTENSION_LENGTH:
        return name[:MAX_FILENAME_LENGTH].rstrip(". ")
    return stem[:MAX_FILENAME_LENGTH - len(extension) - 1].rstrip(". ") + dot + extension


def filename_for(raw, file_type):
    """The sanitised name, ending with an extension that matches what the file
    really is, so that it opens with the right program once downloaded."""
    name = sanitize_filename(raw)
    stem, dot, extension = name.rpartition(".")
    extension = (dot + extension).lower()
    if stem and extension in file_type.extensions:
        return name
    if stem and extension in KNOWN_EXTENSIONS:
        name = stem
    return fit(name + file_type.extensions[0])


def sha256(content):
    return hashlib.sha256(content).hexdigest()


def verify(content, expected_sha256):
    """What is handed back is exactly what was uploaded, or nothing."""
    if content is None or sha256(content) != expected_sha256:
        raise DocumentCorrupted(
            "Ce document est endommagé et ne peut pas être remis. Merci de contacter la Caisse des écoles.")
    return content


def new_storage_key():
    """Random, so that a key says nothing about the document or its family."""
    return secrets.token_hex(16)
