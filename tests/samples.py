"""Real files for the safe's tests, made on the spot: good PDFs and images,
and the bad ones a safe must refuse (scripts, attachments, passwords,
truncation, a program in disguise)."""
import io
import os

import pikepdf
from PIL import Image

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + bytes(64) + b"This program cannot be run in DOS mode"


def pdf(padding=0, text="Attestation de domicile"):
    """A real one-page PDF; `padding` random bytes in a stream make it as big as needed."""
    document = pikepdf.new()
    document.add_blank_page()
    page = document.pages[0]
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    page.Contents = document.make_stream(content)
    if padding:
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(
            Im0=document.make_stream(os.urandom(padding), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                                     Width=1, Height=1, ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8)))
    return _saved(document)


def pdf_with_javascript():
    document = pikepdf.new()
    document.add_blank_page()
    document.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('x')"))
    return _saved(document)


def pdf_with_attachment():
    document = pikepdf.new()
    document.add_blank_page()
    document.attachments["programme.exe"] = pikepdf.AttachedFileSpec(document, EXE)
    return _saved(document)


def encrypted_pdf():
    document = pikepdf.new()
    document.add_blank_page()
    out = io.BytesIO()
    document.save(out, encryption=pikepdf.Encryption(owner="proprietaire", user="secret"))
    return out.getvalue()


def truncated_pdf():
    whole = pdf(2000)
    return whole[:len(whole) // 2]


def png(width=120, height=80):
    return _image("PNG", width, height)


def jpeg(width=120, height=80):
    return _image("JPEG", width, height)


def truncated_png():
    whole = png(300, 300)
    return whole[:len(whole) - 200]


def _image(kind, width, height):
    picture = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    picture.save(out, kind)
    return out.getvalue()


def _saved(document):
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
