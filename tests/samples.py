"""Real files for the safe's tests, made on the spot: good PDFs and images,
and the bad ones a safe must refuse (scripts, attachments, passwords,
truncation, a program in disguise); and the return files a bank sends
about direct debits (pain.002, camt.054)."""
import io
import os
from xml.sax.saxutils import escape

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


ISO = "urn:iso:std:iso:20022:tech:xsd:"


def pain002(original_message_id, rejected, accepted=(), message_id="RETOUR-20261203-0001", group_status="PART",
            version="pain.002.001.03"):
    """The bank's status report of a pain.008, as French banks send it: `rejected` is [(end_to_end_id,
    reason)] with TxSts RJCT, `accepted` end-to-end ids reported accepted."""
    transactions = [_status(end_to_end_id, "RJCT", reason) for end_to_end_id, reason in rejected]
    transactions += [_status(end_to_end_id, "ACCP") for end_to_end_id in accepted]
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{ISO}{version}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>{escape(message_id)}</MsgId><CreDtTm>2026-12-03T08:15:00</CreDtTm>
      <DbtrAgt><FinInstnId><BIC>AGRIFRPP</BIC></FinInstnId></DbtrAgt></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>{escape(original_message_id)}</OrgnlMsgId>
      <OrgnlMsgNmId>pain.008.001.02</OrgnlMsgNmId><GrpSts>{group_status}</GrpSts></OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts><OrgnlPmtInfId>{escape(original_message_id)}-RCUR</OrgnlPmtInfId>{"".join(transactions)}
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
""".encode()


def _status(end_to_end_id, status, reason=None):
    why = f"<StsRsnInf><Rsn><Cd>{escape(reason)}</Cd></Rsn></StsRsnInf>" if reason else ""
    return f"""
      <TxInfAndSts><StsId>{escape(end_to_end_id)}-S</StsId><OrgnlEndToEndId>{escape(end_to_end_id)}</OrgnlEndToEndId>
        <TxSts>{status}</TxSts>{why}
        <OrgnlTxRef><Amt><InstdAmt Ccy="EUR">17.40</InstdAmt></Amt><ReqdColltnDt>2026-11-30</ReqdColltnDt></OrgnlTxRef>
      </TxInfAndSts>"""


def camt054(returned, message_id="CAMT054-20261204-0001", version="camt.054.001.02"):
    """The bank's debit notification of returned direct debits: `returned` is [(end_to_end_id, reason)]."""
    details = "".join(f"""
          <TxDtls><Refs><EndToEndId>{escape(end_to_end_id)}</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">17.40</Amt></TxAmt></AmtDtls>
            <RtrInf><Rsn><Cd>{escape(reason)}</Cd></Rsn></RtrInf></TxDtls>""" for end_to_end_id, reason in returned)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{ISO}{version}">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>{escape(message_id)}</MsgId><CreDtTm>2026-12-04T07:00:00</CreDtTm></GrpHdr>
    <Ntfctn><Id>{escape(message_id)}-1</Id><CreDtTm>2026-12-04T07:00:00</CreDtTm>
      <Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></Acct>
      <Ntry><Amt Ccy="EUR">17.40</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>{details}
          <TxDtls><Refs><EndToEndId>AUTRE-OPERATION</EndToEndId></Refs></TxDtls>
        </NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
""".encode()
