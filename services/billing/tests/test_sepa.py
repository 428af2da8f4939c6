import os
import uuid
from datetime import date

import pytest
import sepaxml
import xmlschema
from lxml import etree

from kit.errors import Invalid

from billing import sepa
from billing.settings import BillingSettings

XSD = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", "pain.008.001.02.xsd")
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}


def collection(end_to_end_id, amount, kind=sepa.FIRST, iban="FR7630006000011234567890189"):
    return sepa.Collection(end_to_end_id, amount, kind, f"RUM-DEM-{end_to_end_id}", date(2026, 9, 12),
                           "Camille Martin-Dupré", iban, "AGRIFRPP", "Facture F-2026-10-0000001")


def test_the_pain008_of_a_due_date_is_valid_against_the_schema_and_says_what_is_collected():
    message_id, xml = sepa.pain008(BillingSettings.from_config({}), date(2026, 11, 30),
                                   [collection("E1", 1740), collection("E2", 520, sepa.RECURRING)])
    xmlschema.XMLSchema(XSD).validate(xml.decode())
    tree = etree.fromstring(xml)
    assert tree.findtext(".//p:GrpHdr/p:MsgId", namespaces=NS) == message_id
    assert tree.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    assert tree.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS) == "22.60"
    assert sorted(tree.xpath("//p:SeqTp/text()", namespaces=NS)) == ["FRST", "RCUR"]
    assert set(tree.xpath("//p:ReqdColltnDt/text()", namespaces=NS)) == {"2026-11-30"}
    assert sorted(tree.xpath("//p:MndtId/text()", namespaces=NS)) == ["RUM-DEM-E1", "RUM-DEM-E2"]
    assert "Camille Martin-Dupre" in xml.decode()  # the bank's character set


def test_a_rum_names_the_request_and_the_household_within_35_characters():
    household = uuid.UUID("8f0c2a1e-0000-4000-8000-1234567890ab")
    assert sepa.rum("DEM-2026-00042", household) == "RUM-DEM-2026-00042-8F0C2A1E0000"
    assert len(sepa.rum("X" * 60, household)) <= 35


def test_a_mandate_starts_with_frst_then_rcur_and_is_suspended_at_the_second_rejection():
    assert sepa.sequence_type(False) == "FRST"
    assert sepa.sequence_type(True) == "RCUR"
    assert sepa.after_rejection(1) == "active"
    assert sepa.after_rejection(2) == "suspended"


def test_an_account_is_checked_before_a_mandate_is_made():
    assert sepa.check_account("fr76 3000 6000 0112 3456 7890 189", "agrifrpp") == (
        "FR7630006000011234567890189", "AGRIFRPP")
    with pytest.raises(Invalid) as refused:
        sepa.check_account("FR7630006000011234567890180", "AGRIFRPP")
    assert refused.value.code == "invalid_iban"
    with pytest.raises(Invalid) as refused:
        sepa.check_account("FR7630006000011234567890189", "AGRI")
    assert refused.value.code == "invalid_bic"
