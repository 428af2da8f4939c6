"""Billing's documents as PDF.

The invoice: the Caisse's header, the household, the lines by child and
activity, the earlier avoirs it carries (« Report »: they belong to no
child), the totals, the due date, how to pay, what was paid and what was
refunded. Made once per invoice (the store keeps the bytes); the document's
dates are the invoice's own, so making it again from the same invoice gives
the same bytes.

The certificates: what a household paid per child and activity, made out
to its guardians, signed by the régie on the day it is asked.
"""
from datetime import date, datetime, time
from itertools import groupby

from fpdf import FPDF

from billing.activities import ACTIVITY_LABELS
from billing.allocation import MEANS_LABELS
from billing.carry import CARRIED_CREDIT
from billing.money import euros
from billing.periods import PARIS, Period, day_label
from billing.refunds import MEANS_LABELS as REFUND_MEANS
from billing.statuses import LABELS, InvoiceStatus


class InvoiceDocument(FPDF):
    def __init__(self, font):
        super().__init__(format="A4")
        self.add_font("Texte", "", font)
        self.add_font("Texte", "B", font.replace(".ttf", "-Bold.ttf"))
        self.set_auto_page_break(True, margin=20)
        self.set_margins(18, 18, 18)

    def footer(self):
        self.set_y(-14)
        self.set_font("Texte", "", 8)
        self.cell(0, 5, f"Page {self.page_no()}/{{nb}}", align="C")

    def row(self, left, right, bold=False, size=10):
        self.set_font("Texte", "B" if bold else "", size)
        self.cell(140, 6, left)
        self.cell(0, 6, right, align="R", new_x="LMARGIN", new_y="NEXT")

    def first_page(self, settings, title, made_on):
        """The document's properties and its first page, headed by the Caisse and the title."""
        self.set_creation_date(made_on)
        self.set_title(title)
        self.set_author(settings.creditor_name)
        self.add_page()
        self.set_font("Texte", "B", 16)
        self.cell(0, 9, settings.creditor_name, new_x="LMARGIN", new_y="NEXT")
        self.set_font("Texte", "", 9)
        self.cell(0, 5, "Régie de recettes — Portail famille", new_x="LMARGIN", new_y="NEXT")
        self.ln(6)
        self.set_font("Texte", "B", 14)
        self.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")

    def paragraph(self, text, bold=False, size=10):
        self.set_font("Texte", "B" if bold else "", size)
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")


def invoice_pdf(invoice, settings):
    document = InvoiceDocument(settings.pdf_font)
    document.first_page(settings, f"Facture {invoice.number}", invoice.issued_at)
    period = Period.parse(invoice.period)

    document.set_font("Texte", "", 10)
    document.cell(0, 6, f"Prestations de {period.label}", new_x="LMARGIN", new_y="NEXT")
    document.cell(0, 6, f"Émise le {day_label(invoice.issued_at.astimezone(PARIS).date())}", new_x="LMARGIN",
                  new_y="NEXT")
    document.cell(0, 6, f"Foyer n° {invoice.household_id}", new_x="LMARGIN", new_y="NEXT")
    document.cell(0, 6, f"À payer au plus tard le {day_label(invoice.due_date)}", new_x="LMARGIN", new_y="NEXT")
    if invoice.status == InvoiceStatus.CANCELLED:
        document.set_font("Texte", "B", 10)
        document.cell(0, 6, f"Facture annulée — avoir {invoice.credit_note_number}", new_x="LMARGIN", new_y="NEXT")
    document.ln(4)

    def by_child(line):
        return line.child_first_name, str(line.child_id)

    own = [line for line in invoice.lines if line.kind != CARRIED_CREDIT]
    for (first_name, _), child_lines in groupby(sorted(own, key=lambda l: (by_child(l), l.position)),
                                                key=by_child):
        document.set_font("Texte", "B", 11)
        document.cell(0, 7, first_name, new_x="LMARGIN", new_y="NEXT")
        for activity, activity_lines in groupby(child_lines, key=lambda line: line.activity):
            document.set_font("Texte", "B", 9)
            document.cell(0, 5, ACTIVITY_LABELS[activity], new_x="LMARGIN", new_y="NEXT")
            for line in activity_lines:
                document.set_font("Texte", "", 9)
                document.multi_cell(140, 5, line.label, new_x="RIGHT", new_y="TOP")
                document.cell(0, 5, euros(line.amount_cents), align="R", new_x="LMARGIN", new_y="NEXT")
        document.ln(2)
    carried = [line for line in invoice.lines if line.kind == CARRIED_CREDIT]  # they belong to no child
    if carried:
        document.set_font("Texte", "B", 11)
        document.cell(0, 7, "Report", new_x="LMARGIN", new_y="NEXT")
        document.set_font("Texte", "", 9)
        for line in carried:
            document.row(line.label, euros(line.amount_cents), size=9)
        document.ln(2)

    document.ln(2)
    document.row("Total de la facture", euros(invoice.total_cents), bold=True, size=11)
    document.row("Déjà payé", euros(invoice.paid_cents))
    due = max(invoice.total_cents - invoice.paid_cents, 0) if invoice.status != InvoiceStatus.CANCELLED else 0
    document.row("Reste à payer", euros(due), bold=True)
    document.row("Statut", LABELS[InvoiceStatus(invoice.status)])
    if invoice.total_cents < 0 and invoice.status != InvoiceStatus.CANCELLED:
        document.set_font("Texte", "", 9)
        refunded = invoice.credit_refunded_cents
        said = (f"Cet avoir de {euros(-invoice.total_cents)} est déduit de vos prochaines factures." if not refunded
                else f"Sur cet avoir de {euros(-invoice.total_cents)}, {euros(refunded)} vous ont été remboursés"
                + ("." if refunded == -invoice.total_cents else " ; le reste est déduit de vos prochaines factures."))
        document.multi_cell(0, 5, said, new_x="LMARGIN", new_y="NEXT")
    if invoice.payments:
        document.ln(3)
        document.set_font("Texte", "B", 10)
        document.cell(0, 6, "Paiements reçus", new_x="LMARGIN", new_y="NEXT")
        for payment in invoice.payments:
            document.row(f"{day_label(payment.received_on)} — {MEANS_LABELS[payment.means]} ({payment.reference})",
                         euros(payment.amount_cents))
    if invoice.refunds:  # money that went back to the family: what it was overpaid, or its avoir
        document.ln(3)
        document.set_font("Texte", "B", 10)
        document.cell(0, 6, "Remboursements", new_x="LMARGIN", new_y="NEXT")
        for refund in invoice.refunds:
            document.row(f"{day_label(refund.refunded_on)} — {REFUND_MEANS[refund.means]} ({refund.reference})",
                         euros(-refund.amount_cents))
    document.ln(4)
    document.set_font("Texte", "B", 10)
    document.cell(0, 6, "Comment payer", new_x="LMARGIN", new_y="NEXT")
    document.set_font("Texte", "", 9)
    ways = ["Par prélèvement automatique SEPA si vous l'avez demandé : rien à faire.",
            "Au guichet de la Caisse des écoles : carte bancaire, chèque, espèces, Pass solidaire, chèques "
            "vacances, bons CAF (uniquement pour les séjours de vacances et les mini-séjours)."]
    if invoice.online:
        ways.insert(0, f"En ligne par carte bancaire sur le Portail famille ({settings.portal_base_url}/factures).")
    for way in ways:
        document.multi_cell(0, 5, f"• {way}", new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


def certificate_pdf(settings, wording, paid, made_out, issued_on):
    """A certificate of what was paid: `wording` says what and when (certificates.Wording), `paid` is
    certificates.ChildPaid per child, `made_out` what family knows of the household."""
    document = InvoiceDocument(settings.pdf_font)
    document.first_page(settings, wording.title, datetime.combine(issued_on, time(12), PARIS))
    document.ln(2)
    document.paragraph(f"Famille : {' et '.join(made_out['guardians'])}")
    address = made_out.get("address")
    if address:
        document.paragraph(f"Adresse : {', '.join(filter(None, (address['line1'], address.get('line2'))))}, "
                           f"{address['postal_code']} {address['city']}")
    document.ln(2)
    document.paragraph(f"Je soussigné·e, régisseur·euse de recettes ({settings.creditor_name}), atteste avoir reçu "
                       f"de cette famille, {wording.statement}, les sommes suivantes :")
    document.ln(3)
    children = {child["id"]: child for child in made_out["children"]}
    for child in paid:
        known = children.get(child.child_id)
        name = f"{known['first_name']} {known['last_name']}" if known else child.first_name
        born = f", né·e le {day_label(date.fromisoformat(known['birth_date']))}" if known else ""
        document.paragraph(f"{name}{born}", bold=True, size=11)
        for activity, cents in child.by_activity:
            document.row(ACTIVITY_LABELS.get(activity, activity), euros(cents))
        document.row(f"Total pour {name}", euros(child.total_cents), bold=True)
        document.ln(2)
    if not paid:
        document.paragraph("Aucune somme reçue sur cette période.")
    document.row("Total", euros(sum(child.total_cents for child in paid)), bold=True, size=11)
    document.ln(4)
    for note in wording.notes:
        document.paragraph(note, size=9)
        document.ln(1)
    document.ln(4)
    document.paragraph(f"Fait le {day_label(issued_on)}, pour servir et valoir ce que de droit.")
    document.paragraph(f"La régie de recettes — {settings.creditor_name}")
    return bytes(document.output())
