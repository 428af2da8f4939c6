"""What a file really is, read from its content: a PDF must parse as a real
document (qpdf, through pikepdf) without scripts, embedded files or a
password; an image must decode whole (Pillow). The first bytes only say
which parser to ask; the name and the type the browser declared must agree
with the answer.

Each check reads a file on disk (the upload spooled there), so that memory
stays bounded by the parsers, not by the file.
"""
import warnings
from dataclasses import dataclass

import pikepdf
from PIL import Image, UnidentifiedImageError

from kit.errors import Invalid

FIELD = "file"


@dataclass(frozen=True)
class FileType:
    content_type: str
    magic: bytes
    extensions: tuple  # the first is given to a file named otherwise
    description: str  # as in "un PDF"


PDF = FileType("application/pdf", b"%PDF-", (".pdf",), "un PDF")
JPEG = FileType("image/jpeg", b"\xff\xd8\xff", (".jpg", ".jpeg"), "une image JPEG")
PNG = FileType("image/png", b"\x89PNG\r\n\x1a\n", (".png",), "une image PNG")
FILE_TYPES = (PDF, JPEG, PNG)
BY_CONTENT_TYPE = {file_type.content_type: file_type for file_type in FILE_TYPES}
BY_EXTENSION = {extension: file_type for file_type in FILE_TYPES for extension in file_type.extensions}
# Browsers and clients that do not know say one of these: the name then speaks.
UNDECLARED = {"", "application/octet-stream", "binary/octet-stream", "application/x-download"}
ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "application/x-pdf": "application/pdf",
           "image/x-png": "image/png"}
MAGIC_LENGTH = max(len(file_type.magic) for file_type in FILE_TYPES)

# Names in a PDF that run something or carry another file inside.
ACTIVE_KEYS = {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA",
               "/SubmitForm", "/ImportData"}
ACTIVE_VALUES = {"/JavaScript", "/Launch", "/EmbeddedFile", "/RichMedia", "/SubmitForm", "/ImportData",
                 "/FileAttachment", "/Sound", "/Movie"}
# Decoding an image takes width x height x 4 bytes: bigger ones are refused
# (a phone photo is about 12 megapixels).
DEFAULT_MAX_PIXELS = 40_000_000


def refused(code, message):
    return Invalid(message, code=code, fields={FIELD: message})


def sniff(head):
    """The type whose signature opens `head`, or None."""
    return next((file_type for file_type in FILE_TYPES if head.startswith(file_type.magic)), None)


def declared_type(content_type, filename):
    """The type the sender says the file has: its declared content type when
    it names one, else its extension; None when it says nothing."""
    declared = (content_type or "").split(";")[0].strip().lower()
    declared = ALIASES.get(declared, declared)
    if declared not in UNDECLARED:
        return BY_CONTENT_TYPE.get(declared, declared)
    stem, dot, extension = (filename or "").rpartition(".")
    return BY_EXTENSION.get((dot + extension).lower()) if stem else None


def identify(path, content_type, filename, max_pixels=DEFAULT_MAX_PIXELS):
    """The FileType of the file at `path`, once it is shown to be a real
    document of the declared type; Invalid with a French reason otherwise."""
    with open(path, "rb") as file:
        found = sniff(file.read(MAGIC_LENGTH))
    if found is None:
        raise refused("unsupported_type", "Format non accepté : envoyez un fichier PDF, JPEG ou PNG.")
    declared = declared_type(content_type, filename)
    if declared is not None and declared != found:
        said = declared.description if isinstance(declared, FileType) else f"de type {declared}"
        raise refused("type_mismatch",
                      f"Le fichier se présente comme {said} mais son contenu est {found.description}.")
    if found is PDF:
        check_pdf(path)
    else:
        check_image(path, found, max_pixels)
    return found


def check_pdf(path):
    try:
        pdf = pikepdf.open(path, attempt_recovery=False)
    except pikepdf.PasswordError:
        raise _protected() from None
    except (pikepdf.PdfError, ValueError, RuntimeError):
        raise refused("damaged_pdf", "Ce PDF est endommagé ou incomplet : il ne peut pas être lu.") from None
    with pdf:
        if pdf.is_encrypted:
            raise _protected()
        try:
            if len(pdf.pages) == 0:
                raise refused("damaged_pdf", "Ce PDF ne contient aucune page.")
            for obj in pdf.objects:
                if _is_active(obj):
                    raise refused("active_pdf",
                                  "Ce PDF contient du code (JavaScript) ou des fichiers joints : il n'est pas accepté. "
                                  "Enregistrez-le à nouveau avec « Imprimer en PDF » ou envoyez une numérisation.")
        except (pikepdf.PdfError, RuntimeError):
            raise refused("damaged_pdf", "Ce PDF est endommagé ou incomplet : il ne peut pas être lu.") from None


def _protected():
    return refused("encrypted_pdf",
                   "Ce PDF est protégé par un mot de passe ou chiffré : enregistrez-le sans protection "
                   "(« Imprimer en PDF ») puis déposez-le à nouveau.")


def _is_active(obj):
    """Whether an object of the file, or a direct object nested in it, runs or carries something.
    (Indirect objects nested in it are looked at on their own: every object of the file is.)"""
    if isinstance(obj, pikepdf.Stream):
        obj = obj.stream_dict
    if isinstance(obj, pikepdf.Array):
        return any(_is_active(item) for item in obj if _nested(item))
    if not isinstance(obj, pikepdf.Dictionary):
        return False
    keys = set(obj.keys())
    if keys & ACTIVE_KEYS:
        return True
    if any(str(obj.get(name)) in ACTIVE_VALUES for name in ("/S", "/Type", "/Subtype") if name in keys):
        return True
    return any(_is_active(obj.get(key)) for key in keys if _nested(obj.get(key)))


def _nested(value):
    return isinstance(value, (pikepdf.Dictionary, pikepdf.Array)) and not value.is_indirect


def check_image(path, file_type, max_pixels):
    formats = {JPEG: "JPEG", PNG: "PNG"}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[formats[file_type]]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise refused("image_too_large",
                                  f"Cette image est trop grande ({width} × {height} pixels) : réduisez-la avant "
                                  "de la déposer.")
                if file_type is JPEG:
                    # decoded at a reduced scale: every byte is read, a fraction of the pixels kept
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise refused("damaged_image", "Cette image est endommagée ou incomplète : elle ne peut pas être lue.") from None
