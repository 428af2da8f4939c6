"""The safe's rules, without any I/O: how names are made safe, what a
family says of a document, how big a document and a safe may grow."""
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import Invalid, Unavailable
from vault import documents
from vault.documents import MAX_FILENAME_LENGTH, MEBIBYTE, Limits
from vault.filetypes import FILE_TYPES

PDF, JPEG, PNG = FILE_TYPES
TODAY = date(2026, 12, 2)
LIMITS = Limits(max_file_bytes=10 * MEBIBYTE, max_documents=3, max_bytes=20 * MEBIBYTE)


def refusal(call, *args):
    with pytest.raises(Invalid) as raised:
        call(*args)
    return raised.value


# --- what a family says of a document ----------------------------------------

def test_a_described_document_carries_its_safe_name_and_validity():
    described = documents.describe("attestation_domicile", "C:\\Docs\\edf.pdf", date(2026, 11, 15), None, TODAY)
    assert described == documents.Described("attestation_domicile", "edf.pdf", date(2026, 11, 15), date(2027, 2, 14))


@pytest.mark.parametrize("category", ["passeport", "", "Autre", None, 3])
def test_an_unknown_category_is_refused(category):
    error = refusal(documents.describe, category, "a.pdf", None, None, TODAY)
    assert error.code == "unknown_category"
    assert error.fields == {"category": "Catégorie de document inconnue."}


@pytest.mark.parametrize("filename", ["", "...", "/", "C:\\Users\\", "\x00\x07"])
def test_an_unusable_name_is_refused(filename):
    error = refusal(documents.describe, "autre", filename, None, None, TODAY)
    assert error.code == "invalid_filename"
    assert error.fields == {"filename": "Nom de fichier invalide."}


# --- sizes and quota ---------------------------------------------------------

@pytest.mark.parametrize("size, said", [(10 * MEBIBYTE, "10 Mo"), (int(2.5 * MEBIBYTE), "2,5 Mo"), (300 * 1024, "300 ko"),
                                        (1, "1 ko"), (200 * MEBIBYTE, "200 Mo")])
def test_sizes_read_as_a_family_reads_them(size, said):
    assert documents.megabytes(size) == said


def test_a_document_fits_until_the_quota_is_reached():
    documents.check_room(2, 10 * MEBIBYTE, 10 * MEBIBYTE, LIMITS)
    full_count = refusal(documents.check_room, 3, 0, 10, LIMITS)
    assert full_count.code == "quota_full" and "3 documents" in full_count.message
    full_bytes = refusal(documents.check_room, 1, 15 * MEBIBYTE, 6 * MEBIBYTE, LIMITS)
    assert full_bytes.code == "quota_full" and "il reste 5 Mo de libre sur 20 Mo" in full_bytes.message
    assert set(full_bytes.fields) == {"file"}


def test_a_file_over_the_size_limit_is_refused_whatever_the_room():
    error = refusal(documents.check_room, 0, 0, 10 * MEBIBYTE + 1, LIMITS)
    assert error.code == "file_too_large"
    assert error.fields == {"file": "Le fichier dépasse la taille maximale de 10 Mo."}


@given(st.integers(0, 5), st.integers(0, 30 * MEBIBYTE), st.integers(0, 12 * MEBIBYTE))
def test_a_document_is_let_in_exactly_when_it_fits(count, used, size):
    fits = size <= LIMITS.max_file_bytes and count < LIMITS.max_documents and used + size <= LIMITS.max_bytes
    try:
        documents.check_room(count, used, size, LIMITS)
    except Invalid:
        assert not fits
    else:
        assert fits


def test_the_usage_is_shown_to_the_family():
    assert documents.usage_view(2, 3 * MEBIBYTE, LIMITS)["summary"] == "2 documents sur 3, 3 Mo sur 20 Mo"
    assert documents.usage_view(0, 0, LIMITS)["summary"] == "0 document sur 3, 0 Mo sur 20 Mo"


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
    ("rapport.docx", PDF, "rapport.docx.pdf"),  # unknown extension kept, true one added
    ("pdf", PDF, "pdf.pdf"),
])
def test_a_document_is_named_after_what_it_really_is(raw, file_type, named):
    assert documents.filename_for(documents.sanitize_filename(raw), file_type) == named


def test_a_long_mislabelled_name_still_ends_with_its_true_extension():
    name = documents.filename_for(documents.sanitize_filename("x" * 250 + ".doc"), PDF)
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
        name = documents.filename_for(documents.sanitize_filename(raw), file_type)
    except Invalid as error:
        assert error.code == "invalid_filename"
        return
    assert_safe(name)
    assert name.lower().endswith(file_type.extensions)


# --- unavailable, never a crash ------------------------------------------------

@pytest.mark.parametrize("missing, code, said", [(True, "document_missing", "indisponible"),
                                                  (False, "document_corrupted", "endommagé")])
def test_a_document_that_cannot_be_handed_back_is_a_clear_unavailable(missing, code, said):
    error = documents.unavailable(missing)
    assert isinstance(error, Unavailable)
    assert error.code == code and said in error.message


def test_storage_keys_are_random_and_say_nothing_of_the_document():
    keys = {documents.new_storage_key() for _ in range(1000)}
    assert len(keys) == 1000
    assert all(len(key) == 32 and set(key) <= set("0123456789abcdef") for key in keys)
