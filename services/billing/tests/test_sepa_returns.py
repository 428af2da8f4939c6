"""Reading the bank's return file of direct debits, without I/O: the
rejections of a pain.002 or a camt.054, and every file that must be refused."""
import base64

import pytest
import samples
from hypothesis import given, settings, strategies as st

from kit.errors import Conflict, Invalid

from billing import sepa, sepa_returns
from billing.sepa_returns import Rejection


def test_a_status_report_gives_each_rejected_debit_with_its_reason_in_order_and_skips_the_accepted_ones():
    report = sepa_returns.read(samples.pain002("LOT-2026-11", [("PRLV01", "AM04"), ("PRLV02", "MD06")],
                                               accepted=["PRLV03"], message_id="BANQUE-0001"))
    assert (report.kind, report.message_id, report.original_message_id) == ("pain.002", "BANQUE-0001", "LOT-2026-11")
    assert report.rejections == (Rejection("PRLV01", "AM04"), Rejection("PRLV02", "MD06"))


def test_a_report_that_accepts_everything_rejects_nothing():
    assert sepa_returns.read(samples.pain002("LOT-1", [], accepted=["PRLV01"], group_status="ACCP")).rejections == ()


@pytest.mark.parametrize("version", ["camt.054.001.02", "camt.054.001.04", "camt.054.001.08"])
def test_a_debit_notification_gives_the_returned_debits_and_not_the_other_entries(version):
    notification = sepa_returns.read(samples.camt054([("PRLV01", "AC04"), ("PRLV02", "MS02")], version=version,
                                                     message_id="CAMT-7"))
    assert (notification.kind, notification.message_id, notification.original_message_id) == (
        "camt.054", "CAMT-7", None)
    assert notification.rejections == (Rejection("PRLV01", "AC04"), Rejection("PRLV02", "MS02"))


def test_a_reason_the_portal_does_not_know_is_still_a_rejection_named_by_its_code():
    report = sepa_returns.read(samples.pain002("LOT-1", [("PRLV01", "ZZ99")]))
    assert report.rejections == (Rejection("PRLV01", "ZZ99"),)
    assert sepa.rejection_label("ZZ99") == "Motif ZZ99"
    assert sepa.rejection_label("AM04") == "Provision insuffisante"
    assert sepa.rejection_label("MD07") == "Débiteur décédé"


def test_the_same_bytes_give_the_same_fingerprint_and_other_bytes_another():
    first = sepa_returns.read(samples.pain002("LOT-1", [("PRLV01", "AM04")]))
    assert sepa_returns.read(samples.pain002("LOT-1", [("PRLV01", "AM04")])).sha256 == first.sha256
    assert sepa_returns.read(samples.pain002("LOT-1", [("PRLV01", "AC04")])).sha256 != first.sha256


REPORT = samples.pain002("LOT-1", [("PRLV01", "AM04")]).decode()
UNREADABLE = {
    "not XML": b"MsgId;EndToEndId;Motif\nB1;PRLV01;AM04\n",
    "cut short": REPORT[:len(REPORT) // 2].encode(),
    "the pain.008 itself": b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"><CstmrDrctDbtInitn/>'
                           b'</Document>',
    "a version not read": REPORT.replace("pain.002.001.03", "pain.002.001.10").encode(),
    "no namespace": REPORT.replace(' xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"', "").encode(),
    "another root": REPORT.replace("<Document", "<Doc").replace("</Document>", "</Doc>").encode(),
    "an empty message": b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"/>',
    "no message id": REPORT.replace("<MsgId>RETOUR-20261203-0001</MsgId>", "").encode(),
    "a message id too long": REPORT.replace("RETOUR-20261203-0001", "R" * 36).encode(),
    "no original group": REPORT.replace("OrgnlGrpInfAndSts>", "Autre>").encode(),
    "a report on credit transfers": REPORT.replace("pain.008.001.02", "pain.001.001.03").encode(),
    "a rejection without reason": REPORT.replace("<StsRsnInf><Rsn><Cd>AM04</Cd></Rsn></StsRsnInf>", "").encode(),
    "a reason of another shape": REPORT.replace("<Cd>AM04</Cd>", "<Cd>provision</Cd>").encode(),
    "a rejection without end-to-end id": REPORT.replace("<OrgnlEndToEndId>PRLV01</OrgnlEndToEndId>", "").encode(),
    "a camt.054 return without reason": samples.camt054([("PRLV01", "AM04")]).replace(b"<Cd>AM04</Cd>", b""),
}


@pytest.mark.parametrize("content", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_file_that_is_not_a_return_file_the_portal_reads_is_refused_in_french(content):
    with pytest.raises(Invalid) as refused:
        sepa_returns.read(content)
    assert refused.value.code == "unreadable_return_file"
    assert refused.value.message.startswith("Fichier de retour illisible : ")
    assert refused.value.fields == {"file": refused.value.message}


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt><GrpHdr><MsgId>&c;</MsgId>
</GrpHdr></CstmrPmtStsRpt></Document>"""
EXTERNAL_ENTITY = REPORT.replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?>\n'
                                 '<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>').replace(
    "PRLV01", "&secret;").encode()
DTD_ONLY = REPORT.replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?>\n'
                          '<!DOCTYPE Document SYSTEM "http://banque.example/pain.002.dtd">').encode()


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL_ENTITY, DTD_ONLY], ids=["entities", "external", "dtd"])
def test_a_file_with_a_dtd_or_entities_is_refused_without_expanding_or_fetching_anything(content):
    with pytest.raises(Invalid) as refused:
        sepa_returns.read(content)
    assert refused.value.code == "unreadable_return_file"
    assert "root:" not in refused.value.message


def test_a_batch_the_bank_refused_as_a_whole_is_not_taken_for_rejected_debits():
    whole = samples.pain002("LOT-1", [], group_status="RJCT").replace(
        b"<GrpSts>RJCT</GrpSts>", b"<GrpSts>RJCT</GrpSts><StsRsnInf><Rsn><Cd>FF01</Cd></Rsn></StsRsnInf>")
    with pytest.raises(Conflict) as refused:
        sepa_returns.read(whole)
    assert refused.value.code == "batch_rejected_by_bank"
    assert "le lot entier (motif FF01 : Format de fichier invalide)" in refused.value.message
    part = samples.pain002("LOT-1", []).replace(b"-RCUR</OrgnlPmtInfId>",
                                                b"-RCUR</OrgnlPmtInfId><PmtInfSts>RJCT</PmtInfSts>")
    with pytest.raises(Conflict) as refused:
        sepa_returns.read(part)
    assert "la partie LOT-1-RCUR du lot" in refused.value.message


def test_the_file_comes_as_base64_within_two_megabytes():
    content = samples.pain002("LOT-1", [("PRLV01", "AM04")])
    assert sepa_returns.decode(base64.b64encode(content).decode()) == content
    assert len(sepa_returns.decode(base64.b64encode(bytes(sepa_returns.MAX_BYTES)).decode())) == sepa_returns.MAX_BYTES
    for too_long in (bytes(sepa_returns.MAX_BYTES + 1), bytes(sepa_returns.MAX_BYTES * 3)):
        with pytest.raises(Invalid) as refused:
            sepa_returns.decode(base64.b64encode(too_long).decode())
        assert refused.value.code == "return_file_too_large"
        assert "2 Mo" in refused.value.message
    for not_a_file in ("", None, "pas du base64 !", 12):
        with pytest.raises(Invalid) as refused:
            sepa_returns.decode(not_a_file)
        assert refused.value.code == "unreadable_return_file"


def test_a_file_is_listed_under_its_own_name_without_the_folders_it_came_from():
    assert sepa_returns.file_label("C:\\Banque\\retours\\pain002_20261203.xml") == "pain002_20261203.xml"
    assert sepa_returns.file_label("/home/agent/../retour.xml ") == "retour.xml"
    assert sepa_returns.file_label("") == "retour.xml"
    assert sepa_returns.file_label(None) == "retour.xml"
    assert len(sepa_returns.file_label("r" * 500 + ".xml")) == 200


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode),
                 st.integers(min_value=0, max_value=len(REPORT)).map(lambda cut: REPORT[:cut].encode())))
def test_no_content_breaks_the_reader_it_reads_or_refuses(content):
    try:
        sepa_returns.read(content)
    except (Invalid, Conflict) as refused:
        assert refused.code in ("unreadable_return_file", "batch_rejected_by_bank")
