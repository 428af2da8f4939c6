"""The certificates a family needs, as pages: « Mes attestations » lists
each ended year's attestation of childcare costs (for the tax return) and
makes a payment certificate for the days asked (CAF, works council). Agents
download the same documents from a household's account page."""
from flask import Blueprint, render_template, request
from kit import errors

from gateway.auth import AGENTS, FAMILY, require, services
from gateway.billing_pages import REFUSALS, named_household, pdf_response, render_household_account

certificates = Blueprint("certificates", __name__)


@certificates.get("/factures/attestations")
@require(FAMILY)
def certificate_list(account):
    return render_certificates()


def render_certificates(error=None, status=200):
    return render_template("attestations.html", listed=services().billing.list_certificates(), error=error,
                           form=request.args), status


def refused_page(account, household_id, refused):
    """Where a refused certificate is explained: the family's certificates, or the agent's household account."""
    if account["role"] == "family":
        return render_certificates(refused, 422)
    return render_household_account(household_id, refused, form=request.args, status=422)


@certificates.get("/factures/attestations/frais-de-garde-<int:year>.pdf")
@require(FAMILY + AGENTS)
def childcare_certificate(year, account):
    household_id = named_household(account)
    try:
        return pdf_response(services().billing.childcare_certificate_pdf(year, household_id))
    except REFUSALS as refused:
        return refused_page(account, household_id, refused)


@certificates.get("/factures/attestations/paiement")
@require(FAMILY + AGENTS)
def payment_certificate(account):
    household_id = named_household(account)
    start, end = request.args.get("du", ""), request.args.get("au", "")
    if not start or not end:
        return refused_page(account, household_id, errors.Invalid(
            "Indiquez les deux dates de la période.", code="invalid_span",
            fields={key: "Ce champ est obligatoire." for key, value in (("start", start), ("end", end)) if not value}))
    try:
        return pdf_response(services().billing.payment_certificate_pdf(start, end, household_id))
    except REFUSALS as refused:
        return refused_page(account, household_id, refused)
