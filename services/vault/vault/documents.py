"""The rules of the families' document safe (coffre-fort): how a document is
named, how big it and the safe may grow, and how a stored document is known
to be intact when it is handed back. Pure: no I/O."""
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date

from kit.errors import Invalid, Unavailable
from vault import categories

MAX_FILENAME_LENGTH = 200
# Kept within the name when a long one is shortened.
MAX_EXTENSION_LENGTH = 10
# Characters that Windows refuses in a file name; the family may save the
# document again on any computer.
UNSAFE_CHARACTERS = re.compile(r'[<>:"|?*]')
PATH_SEPARATORS = re.compile(r"[/\\]")
MEBIBYTE = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much a safe may hold; settings of the deployment."""

    max_file_bytes: int = 10 * MEBIBYTE
    max_documents: int = 50
    max_bytes: int = 200 * MEBIBYTE


@dataclass(frozen=True)
class Described:
    """What a family says of a document before its bytes are read."""

    category: str
    filename: str
    issued_on: date | None
    valid_until: date | None


def refused(code, field, message):
    return Invalid(message, code=code, fields={field: message})


def describe(category, filename, issued_on, given_until, today):
    """What a family says of a document, checked before a byte is read."""
    kind = categories.category(category)
    name = sanitize_filename(filename)
    until = categories.valid_until(kind, issued_on, given_until, today)
    return Described(kind.code, name, issued_on, until)


def megabytes(size):
    """As a family reads a size: "10 Mo", "2,5 Mo", "300 ko"."""
    if size < MEBIBYTE:
        return f"{max(1, round(size / 1024))} ko"
    value = round(size / MEBIBYTE, 1)
    return (f"{value:.1f}".rstrip("0").rstrip(".")).replace(".", ",") + " Mo"


def too_large(limits):
    return refused("file_too_large", "file",
                   f"Le fichier dépasse la taille maximale de {megabytes(limits.max_file_bytes)}.")


def empty_file():
    return refused("empty_file", "file", "Le fichier est vide.")


def check_room(documents, used_bytes, size, limits):
    """Whether a document of `size` bytes fits in a safe that holds `documents`
    documents of `used_bytes` bytes; `size` may be 0 before it is known."""
    if size > limits.max_file_bytes:
        raise too_large(limits)
    if documents + 1 > limits.max_documents:
        raise quota_full(f"il contient déjà {documents} documents, le maximum")
    if used_bytes + size > limits.max_bytes:
        left = max(0, limits.max_bytes - used_bytes)
        raise quota_full(f"il reste {megabytes(left)} de libre sur {megabytes(limits.max_bytes)}")


def quota_full(why=None):
    said = f" : {why}" if why else ""
    return refused("quota_full", "file",
                   f"Votre coffre-fort est plein{said}. Supprimez un document dont vous n'avez plus besoin "
                   "pour en déposer un autre.")


def usage_view(documents, used_bytes, limits):
    return {"documents": documents, "max_documents": limits.max_documents, "bytes": used_bytes,
            "max_bytes": limits.max_bytes, "max_file_bytes": limits.max_file_bytes,
            "summary": f"{documents} document{'s' if documents > 1 else ''} sur {limits.max_documents}, "
                       f"{megabytes(used_bytes) if used_bytes else '0 Mo'} sur {megabytes(limits.max_bytes)}"}


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


def filename_for(name, file_type):
    """The (sanitised) name, ending with an extension that matches what the
    file really is, so that it opens with the right program once downloaded."""
    stem, dot, extension = name.rpartition(".")
    if stem and (dot + extension).lower() in file_type.extensions:
        return name
    return fit(name + file_type.extensions[0])


def unavailable(missing):
    """The refusal for a document whose object is gone or altered: the family
    is told plainly, never handed bytes that are not what it deposited. A
    kit error, so that the gateway knows it (503) without knowing the vault."""
    if missing:
        return Unavailable(
            "Ce document est momentanément indisponible. La Caisse des écoles a été prévenue ; "
            "réessayez plus tard.", code="document_missing")
    return Unavailable(
        "Ce document est endommagé et ne peut pas être remis. La Caisse des écoles a été prévenue.",
        code="document_corrupted")


def new_storage_key():
    """Random, so that a key says nothing about the document or its family."""
    return secrets.token_hex(16)
