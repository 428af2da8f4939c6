"""The safe's rules, without any I/O: what it accepts, how names are made safe,
how a stored document is known to be intact."""
import base64
import hashlib
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import Invalid
from vault import documents
from vault.documents import FILE_TYPES, MAX_FILENAME_LENGTH, MAX_SIZE, DocumentCorrupted

PDF, JPEG, PNG = FILE_TYPES
PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256))
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(64)


def b64(content):
    return base64.b64encode(content).decode("ascii")


def refusal(call, *args):
    with pytest.raises(Invalid) as raised:
        call(*args)
    return raised.value


def test_the_safe_keeps_six_categories_with_french_labels():
    assert documents.CATEGORIES == {
        "attestation_domicile": "Attestation de domicile",
        "livret_famille": "Livret de famille",
        "avis_imposition": "Avis d'imposition",
        "attestation_caf": "Attestation CAF",
        "certificat_medical": "Certificat médical",
        "autre": "Autre document",
    }
    assert documents.category_label("certificat_medical") == "Certificat médical"


# --- what a file really is -------------------------------------------------

@pytest.mark.parametrize("content, content_type", [
    (PDF_BYTES, "application/pdf"),
    (b"%PDF-", "application/pdf"),
    (JPEG_BYTES, "image/jpeg"),
    (b"\xff\xd8\xff\xdb" + bytes(10), "image/jpeg"),
    (PNG_BYTES, "image/png"),
])
def test_pdf_jpeg_and_png_are_recognised_by_their_first_bytes(content, content_type):
    assert documents.sniff(content).content_type == content_type


@pytest.mark.parametrize("content", [
    EXE_BYTES,
    b"PK\x03\x04" + bytes(30),            # zip, docx, odt
    b"GIF89a" + bytes(10),
    b"<html><body>%PDF-1.7</body></html>",  # the marker must open the file
    b"%PD",                               # cut short
    b"\x89PNG",                           # cut short
    b"\xff\xd8",                          # cut short
    b"Bonjour, voici mon attestation.",
    b"",
])
def test_anything_else_is_not_recognised(content):
    assert documents.sniff(content) is None


@given(st.sampled_from(FILE_TYPES), st.binary(max_size=200))
def test_a_file_opening_with_a_known_signature_is_of_that_type(file_type, rest):
    assert documents.sniff(file_type.magic + rest) == file_type


@given(st.binary(max_size=200))
def test_a_file_without_a_known_signature_is_never_accepted(content):
    if not any(content.startswith(file_type.magic) for file_type in FILE_TYPES):
        assert documents.sniff(content) is None


# --- checking an upload ------------------------------------------------------

def test_an_acceptable_upload_carries_its_true_type_size_and_fingerprint():
    upload = documents.check_upload("avis_imposition", "avis 2025.pdf", b64(PDF_BYTES))
    assert upload.category == "avis_imposition"
    assert upload.filename == "avis 2025.pdf"
    assert upload.content == PDF_BYTES
    assert upload.content_type == "application/pdf"
    assert upload.size == len(PDF_BYTES)
    assert upload.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()


def test_the_declared_name_does_not_decide_the_type():
    upload = documents.check_upload("autre", "photo.pdf", b64(PNG_BYTES))
    assert upload.content_type == "image/png"
    assert upload.filename == "photo.png"


def test_a_program_renamed_pdf_is_refused():
    error = refusal(documents.check_upload, "autre", "avis.pdf", b64(EXE_BYTES))
    assert error.code == "unsupported_type"
    assert set(error.fields) == {"content_b64"}
    assert "PDF, JPEG ou PNG" in error.message


@pytest.mark.parametrize("category", ["passeport", "", "Autre", "attestation domicile", " autre"])
def test_an_unknown_category_is_refused(category):
    error = refusal(documents.check_upload, category, "avis.pdf", b64(PDF_BYTES))
    assert error.code == "unknown_category"
    assert error.fields == {"category": "Catégorie de document inconnue."}


@pytest.mark.parametrize("content_b64", ["", "   ", "\n"])
def test_an_empty_file_is_refused(content_b64):
    error = refusal(documents.check_upload, "autre", "vide.pdf", content_b64)
    assert error.code == "empty_file"
    assert error.fields == {"content_b64": "Le fichier est vide."}


@pytest.mark.parametrize("content_b64", [
    "pas du base64 !",
    "JVBERi0",          # padding missing
    "JVBER%i0x",
    "JVBERi0=x===",
    "éàü",
    "====",
])
def test_content_that_is_not_base64_is_refused(content_b64):
    error = refusal(documents.check_upload, "autre", "avis.pdf", content_b64)
    assert error.code == "invalid_content"
    assert set(error.fields) == {"content_b64"}


def test_base64_wrapped_in_lines_is_read():
    wrapped = base64.encodebytes(PDF_BYTES * 20).decode("ascii")
    assert "\n" in wrapped.strip()
    assert documents.check_upload("autre", "a.pdf", wrapped).content == PDF_BYTES * 20


def test_a_file_of_exactly_ten_mebibytes_is_accepted():
    content = PDF_BYTES + bytes(MAX_SIZE - len(PDF_BYTES))
    assert documents.check_upload("autre", "gros.pdf", b64(content)).size == MAX_SIZE


def test_a_file_one_byte_over_ten_mebibytes_is_refused():
    content = PDF_BYTES + bytes(MAX_SIZE + 1 - len(PDF_BYTES))
    error = refusal(documents.check_upload, "autre", "gros.pdf", b64(content))
    assert error.code == "file_too_large"
    assert error.fields == {"content_b64": "Le fichier dépasse la taille maximale de 10 Mo."}


def test_an_oversized_payload_is_refused_before_it_is_decoded():
    # Not even valid base64: only its length was looked at.
    error = refusal(documents.check_upload, "autre", "gros.pdf", "!" * (documents.MAX_ENCODED_LENGTH + 1))
    assert error.code == "file_too_large"


@pytest.mark.parametrize("filename", ["", "...", "/", "C:\\Users\\", "\x00\x07"])
def test_an_unusable_name_is_refused(filename):
    error = refusal(documents.check_upload, "autre", filename, b64(PDF_BYTES))
    assert error.code == "invalid_filename"
    assert error.fields == {"filename": "Nom de fichier invalide."}


# --- names made safe -------------------------------------------------------

@pytest.mark.parametrize("raw, safe", [
    ("avis.pdf", "avis.pdf"),
    ("C:\\Users\\Léa\\Documents\\avis.pdf", "avis.pdf"),
    ("../../etc/passwd", "passwd"),
    ("/tmp/scan.png", "scan.png"),
    (".bashrc", "bashrc"),
    ("..", None),
    ("...pdf", "pdf"),
    ("rapport.", "rapport"),
    ("  avis   2025 \t .pdf  ", "avis 2025 .pdf"),
    ("facture\u202efdp.exe", "facturefdp.exe"),    # a right-to-left override disguising the extension
    ("a\x00b\x1b.pdf", "ab.pdf"),
    ('cv<1>:"?*|.pdf', "cv_1______.pdf"),
    ("e\u0301te\u0301.pdf", "été.pdf"),             # decomposed accents composed
    ("attestation\u200b.pdf", "attestation.pdf"),   # zero-width space
    ("Livret de famille — p. 1.jpg", "Livret de famille — p. 1.jpg"),
])
def test_a_name_is_made_safe_to_show_and_to_save(raw, safe):
    if safe is None:
        assert refusal(documents.sanitize_filename, raw).code == "invalid_filename"
    else:
        assert documents.sanitize_filename(raw) == safe


@pytest.mark.parametrize("raw", [None, 42, b"avis.pdf", ["avis.pdf"]])
def test_a_name_that_is_not_text_is_refused(raw):
    assert refusal(documents.sanitize_filename, raw).code == "invalid_filename"


def test_a_long_name_is_shortened_and_keeps_its_extension():
    name = documents.sanitize_filename("a" * 300 + ".pdf")
    assert len(name) == MAX_FILENAME_LENGTH
    assert name == "a" * (MAX_FILENAME_LENGTH - 4) + ".pdf"


def test_a_long_name_without_extension_is_cut():
    assert documents.sanitize_filename("b" * 300) == "b" * MAX_FILENAME_LENGTH


@pytest.mark.parametrize("raw, file_type, named", [
    ("avis.pdf", PDF, "avis.pdf"),
    ("AVIS.PDF", PDF, "AVIS.PDF"),
    ("photo.jpeg", JPEG, "photo.jpeg"),
    ("photo.JPG", JPEG, "photo.JPG"),
    ("scan", PNG, "scan.png"),
    ("image.png", JPEG, "image.jpg"),          # mislabelled: takes its true extension
    ("scan.pdf", PNG, "scan.png"),
    ("rapport.docx", PDF, "rapport.docx.pdf"),  # unknown extension kept, true one added
    ("pdf", PDF, "pdf.pdf"),
    (".pdf", PDF, "pdf.pdf"),
])
def test_a_document_is_named_after_what_it_really_is(raw, file_type, named):
    assert documents.filename_for(raw, file_type) == named


def test_a_long_mislabelled_name_still_ends_with_its_true_extension():
    name = documents.filename_for("x" * 250 + ".doc", PDF)
    assert len(name) == MAX_FILENAME_LENGTH
    assert name.endswith(".pdf")


TRICKY = st.text(alphabet=st.sampled_from(
    ["/", "\\", ".", " ", "\t", "a", "é", "e", "\u0301", "\x00", "\u202e", "\u200b", ":", "*", "\ud800"]))
NAMES = st.one_of(st.text(), TRICKY, st.text(min_size=190, max_size=400))


def assert_safe(name):
    assert name
    assert "/" not in name and "\\" not in name
    assert not name.startswith(".") and not name.endswith(".")
    assert name == name.strip()
    assert not any(unicodedata.category(c).startswith("C") for c in name)
    assert len(name) <= MAX_FILENAME_LENGTH


@given(NAMES)
def test_a_sanitised_name_never_holds_a_path(raw):
    try:
        name = documents.sanitize_filename(raw)
    except Invalid as error:
        assert error.code == "invalid_filename"
        return
    assert_safe(name)
    assert documents.sanitize_filename(name) == name


@given(NAMES, st.sampled_from(FILE_TYPES))
def test_a_stored_name_is_safe_and_ends_with_the_true_extension(raw, file_type):
    try:
        name = documents.filename_for(raw, file_type)
    except Invalid as error:
        assert error.code == "invalid_filename"
        return
    assert_safe(name)
    assert name.lower().endswith(file_type.extensions)


# --- intact or not at all ----------------------------------------------------

def test_intact_content_is_handed_back():
    assert documents.verify(PDF_BYTES, documents.sha256(PDF_BYTES)) == PDF_BYTES


def test_missing_content_is_reported_as_corrupted():
    with pytest.raises(DocumentCorrupted) as raised:
        documents.verify(None, documents.sha256(PDF_BYTES))
    assert raised.value.code == "document_corrupted"
    assert "endommagé" in raised.value.message


@given(st.binary(min_size=1, max_size=300), st.data())
def test_any_altered_byte_is_detected(content, data):
    position = data.draw(st.integers(0, len(content) - 1))
    flip = data.draw(st.integers(1, 255))
    altered = content[:position] + bytes([content[position] ^ flip]) + content[position + 1:]
    with pytest.raises(DocumentCorrupted):
        documents.verify(altered, documents.sha256(content))


@given(st.binary(max_size=300))
def test_truncated_content_is_detected(content):
    with pytest.raises(DocumentCorrupted):
        documents.verify(content, documents.sha256(content + b"\x00"))


def test_storage_keys_are_random_and_say_nothing_of_the_document():
    keys = {documents.new_storage_key() for _ in range(1000)}
    assert len(keys) == 1000
    assert all(len(key) == 32 and set(key) <= set("0123456789abcdef") for key in keys)
