"""The certificates families need: each ended year's attestation of
childcare costs for the tax return, and a payment certificate for any span
of days (the CAF, an employer's works council). Made on asking from the
payments, made out to the household as family knows it."""
import base64

from nameko.rpc import rpc

from kit.caller import AGENTS, FAMILY, allow
from kit.errors import Conflict

from billing import certificates, pdf, schemas, store
from billing.activities import ACTIVITIES


def _child_view(child):
    return {"child_id": child.child_id, "first_name": child.first_name, "total_cents": child.total_cents,
            "by_activity": [{"activity": activity, "cents": cents} for activity, cents in child.by_activity]}


def _document(wording, made):
    return {"filename": wording.filename, "pdf": base64.b64encode(made).decode()}


class CertificateEntrypoints:
    @rpc
    @allow(FAMILY + AGENTS)
    def list_certificates(self, caller, household_id=None):
        """The childcare attestations the household can download, one per ended year it paid for the care
        of a young child, with what each counts; and the year whose attestation comes next."""
        household_id = caller.household(household_id)
        today = self.settings.today()
        invoices, payments = self._payments_of(household_id)
        years = certificates.ended_years_paid(payments, today)
        born = certificates.birth_dates(self._made_out(household_id)["children"]) if years else {}
        attestations = []
        for year in years:
            counted = certificates.childcare_of_year(invoices, payments, born, year, ACTIVITIES)
            if counted:
                attestations.append({"year": year, "total_cents": sum(child.total_cents for child in counted),
                                     "children": [_child_view(child) for child in counted]})
        return {"childcare": attestations, "next_year": today.year, "today": today.isoformat()}

    @rpc
    @allow(FAMILY + AGENTS)
    def childcare_certificate_pdf(self, caller, year, household_id=None):
        """The attestation of childcare costs paid in an ended year (PDF, base64)."""
        household_id = caller.household(household_id)
        today = self.settings.today()
        certificates.check_year_ended(year, today)
        invoices, payments = self._payments_of(household_id)
        made_out = self._made_out(household_id)
        counted = certificates.childcare_of_year(invoices, payments, certificates.birth_dates(made_out["children"]),
                                                 year, ACTIVITIES)
        if not counted:
            raise Conflict(f"Aucune somme versée en {year} pour la garde d'un enfant de moins de 6 ans au "
                           f"1er janvier {year}.", code="no_childcare_paid")
        wording = certificates.childcare_wording(year)
        return _document(wording, pdf.certificate_pdf(self.settings, wording, counted, made_out, today))

    @rpc
    @allow(FAMILY + AGENTS)
    def payment_certificate_pdf(self, caller, start, end, household_id=None):
        """What the household paid from `start` to `end`, per child and activity (PDF, base64)."""
        household_id = caller.household(household_id)
        today = self.settings.today()
        start, end = certificates.check_span(schemas.day(start, "start"), schemas.day(end, "end"), today)
        invoices, payments = self._payments_of(household_id)
        made_out = self._made_out(household_id)
        paid = certificates.paid_per_child(invoices, payments, start, end, ACTIVITIES)
        wording = certificates.payment_wording(start, end)
        return _document(wording, pdf.certificate_pdf(self.settings, wording, paid, made_out, today))

    def _payments_of(self, household_id):
        with self.db.reading() as session:
            return store.paid_invoices(session, household_id)

    def _made_out(self, household_id):
        return self.family.household_for_certificates(str(household_id))
