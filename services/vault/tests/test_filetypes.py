"""What a file really is: a PDF parses as a real document without scripts,
attachments or password; an image decodes whole; the declared type agrees."""
import pytest

import samples
from kit.errors import Invalid
from vault import filetypes
from vault.filetypes import JPEG, PDF, PNG


@pytest.fixture
def on_disk(tmp_path):
    def write(content):
        path = tmp_path / "upload"
        path.write_bytes(content)
        return str(path)
    return write


@pytest.mark.parametrize("make, content_type, filename, expected", [
    (samples.pdf, "application/pdf", "avis.pdf", PDF),
    (samples.pdf, "", "avis.pdf", PDF),
    (samples.pdf, "application/octet-stream", "scan", PDF),
    (samples.png, "image/png", "photo.png", PNG),
    (samples.jpeg, "image/jpeg", "photo.jpg", JPEG),
    (samples.jpeg, "image/jpg", "photo.jpeg", JPEG),
    (samples.png, "", "photo", PNG),
])
def test_real_documents_are_recognised(on_disk, make, content_type, filename, expected):
    assert filetypes.identify(on_disk(make()), content_type, filename) is expected


@pytest.mark.parametrize("make, content_type, filename, code, said", [
    (lambda: samples.EXE, "application/pdf", "avis.pdf", "unsupported_type", "PDF, JPEG ou PNG"),
    (lambda: samples.EXE, "", "setup.exe", "unsupported_type", "PDF, JPEG ou PNG"),
    (lambda: b"PK\x03\x04" + bytes(30), "", "a.docx", "unsupported_type", "PDF, JPEG ou PNG"),
    (lambda: b"<html>%PDF-1.7</html>", "", "a.pdf", "unsupported_type", "PDF, JPEG ou PNG"),
    (samples.pdf_with_javascript, "application/pdf", "a.pdf", "active_pdf", "JavaScript"),
    (samples.pdf_with_attachment, "application/pdf", "a.pdf", "active_pdf", "fichiers joints"),
    (samples.encrypted_pdf, "application/pdf", "a.pdf", "encrypted_pdf", "protégé par un mot de passe"),
    (samples.truncated_pdf, "application/pdf", "a.pdf", "damaged_pdf", "endommagé ou incomplet"),
    (lambda: b"%PDF-1.7\n" + bytes(500), "application/pdf", "a.pdf", "damaged_pdf", "endommagé"),
    (samples.truncated_png, "image/png", "a.png", "damaged_image", "endommagée ou incomplète"),
    (lambda: samples.jpeg()[:400], "image/jpeg", "a.jpg", "damaged_image", "endommagée"),
    (samples.png, "application/pdf", "photo.pdf", "type_mismatch", "se présente comme un PDF mais son contenu est une image PNG"),
    (samples.png, "", "photo.pdf", "type_mismatch", "un PDF"),
    (samples.pdf, "image/jpeg", "avis.pdf", "type_mismatch", "une image JPEG"),
    (samples.pdf, "text/plain", "avis.txt", "type_mismatch", "de type text/plain"),
])
def test_anything_else_is_refused_with_a_french_reason(on_disk, make, content_type, filename, code, said):
    with pytest.raises(Invalid) as raised:
        filetypes.identify(on_disk(make()), content_type, filename)
    assert raised.value.code == code
    assert said in raised.value.message
    assert raised.value.fields == {"file": raised.value.message}


def test_an_image_too_big_to_decode_is_refused_before_decoding(on_disk):
    with pytest.raises(Invalid) as raised:
        filetypes.identify(on_disk(samples.png(400, 300)), "image/png", "grand.png", max_pixels=100_000)
    assert raised.value.code == "image_too_large"
    assert "400 × 300 pixels" in raised.value.message


@pytest.mark.parametrize("content_type, filename, declared", [
    ("application/pdf; charset=binary", "x", PDF), ("IMAGE/PNG", "x", PNG), ("", "a.JPEG", JPEG),
    ("application/octet-stream", "a.png", PNG), ("", "a.docx", None), ("", "pdf", None), (None, None, None)])
def test_the_declared_type_is_the_content_type_else_the_extension(content_type, filename, declared):
    assert filetypes.declared_type(content_type, filename) == declared
