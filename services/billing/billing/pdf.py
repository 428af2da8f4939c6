"""The invoice as a PDF: the Caisse's header, the household, the lines by
child and activity, the earlier avoirs it carries (« Report »: they belong to
no child), the totals, the due date, how to pay and what was paid.

Made once per invoice (the store keeps the bytes); the document's dates are
the invoice's own, so making it again from the same invoice gives the same
bytes.
"""
from itertools import groupby

from babel.dates import format_date
from fpdf import FPDF

from billing.activities import ACTIVITY_LABELS
from billing.allocation import MEANS_LABELS
from billing.carry import CARRIED_CREDIT
from billing.money import euros
from billing.periods import PARIS, Period
from billing.statuses import LABELS, InvoiceStatus


def _day(day):
    return format_date(day, "d MMMM yyyy", locale="fr_FR")


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


def invoice_pdf(invoice, settings):
    document = InvoiceDocument(settings.pdf_font)
    document.set_creation_date(invoice.issued_at)
    document.set_title(f"Facture {invoice.number}")
    document.set_author(settings.creditor_name)
    document.add_page()
    period = Period.parse(invoice.period)

    document.set_font("Texte", "B", 16)
    document.cell(0, 9, settings.creditor_name, new_x="LMARGIN", new_y="NEXT")
    document.set_font("Texte", "", 9)
    document.cell(0, 5, "Régie de recettes — Portail famille", new_x="LMARGIN", new_y="NEXT")
    document.ln(6)
    document.set_font("Texte", "B", 14)
    document.cell(0, 8, f"Facture {invoice.number}", new_x="LMARGIN", new_y="NEXT")
    document.set_font("Texte", "", 10)
    document.cell(0, 6, f"Prestations de {period.label}", new_x="LMARGIN", new_y="NEXT")
    document.cell(0, 6, f"Émise le {_day(invoice.issued_at.astimezone(PARIS).date())}", new_x="LMARGIN",
                  new_y="NEXT")
    document.cell(0, 6, f"Foyer n° {invoice.household_id}", new_x="LMARGIN", new_y="NEXT")
    document.cell(0, 6, f"À payer au plus tard le {_day(invoice.due_date)}", new_x="LMARGIN", new_y="NEXT")
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
        document.multi_cell(0, 5, f"Cet avoir de {euros(-invoice.total_cents)} est déduit de vos prochaines "
                                  "factures.", new_x="LMARGIN", new_y="NEXT")
    if invoice.payments:
        document.ln(3)
        document.set_font("Texte", "B", 10)
        document.cell(0, 6, "Paiements reçus", new_x="LMARGIN", new_y="NEXT")
        for payment in invoice.payments:
            document.row(f"{_day(payment.received_on)} — {MEANS_LABELS[payment.means]} ({payment.reference})",
                         euros(payment.amount_cents))
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
