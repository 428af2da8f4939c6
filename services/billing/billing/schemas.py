"""The shapes billing accepts over RPC and the dicts it answers with.

Shapes only: the rules (a quotient familial is not negative, brackets cover
every quotient) live in the domain modules.
"""
from marshmallow import EXCLUDE, Schema, fields, post_load, validate

from kit.errors import Invalid
from kit.validation import load

from billing import carry, refunds
from billing.activities import ACTIVITIES, ACTIVITY_LABELS, PRICE_BASES
from billing.allocation import COUNTER_MEANS, MEANS_LABELS
from billing.lines import ITEM_STATUSES, BillableHousehold, Item, QuotientPeriod
from billing.numbering import INVOICE_NUMBER_SHAPE
from billing.statuses import LABELS, InvoiceStatus
from billing.tariffs import BRACKETS, EFFORT_RATE, Bracket, Tariff

HOUSEHOLD_ID = {"message": "Identifiant de foyer invalide (UUID attendu)."}
QUOTIENT_FAMILIAL = {"message": "Nombre entier d'euros, entre 0 et 100 000, attendu."}
QUOTIENT_FAMILIAL_RANGE = validate.Range(min=0, max=100_000)  # as family takes it; beyond, a typo


class QuotientFamilialInput(Schema):
    quotient_familial = fields.Integer(required=True, strict=True, validate=QUOTIENT_FAMILIAL_RANGE,
                                       metadata=QUOTIENT_FAMILIAL)


class InvoiceNumberInput(Schema):
    number = fields.String(required=True, validate=validate.Regexp(INVOICE_NUMBER_SHAPE), metadata={
        "message": "Numéro de facture invalide (format F-AAAA-MM-NNNNNNN attendu)."})


class InvoiceFilterInput(Schema):
    period = fields.String(load_default=None, validate=validate.Regexp(r"[0-9]{4}-[0-9]{2}\Z"),
                           metadata={"message": "Mois au format AAAA-MM attendu."})
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in InvoiceStatus]),
                           metadata={"message": "Statut de facture inconnu."})
    household_id = fields.UUID(load_default=None, metadata=HOUSEHOLD_ID)


def quotient_familial(value):
    return load(QuotientFamilialInput(), {"quotient_familial": value},
                "Quotient familial invalide.", "invalid_quotient_familial")["quotient_familial"]


def invoice_number(value):
    return load(InvoiceNumberInput(), {"number": value},
                "Numéro de facture invalide.", "invalid_invoice_number")["number"]


def invoice_filter(**values):
    return load(InvoiceFilterInput(), values, None, "invalid_filter")


class PayerInput(Schema):
    email = fields.Email(required=True, validate=validate.Length(min=6, max=80),
                         metadata={"message": "Adresse électronique attendue (6 à 80 caractères)."})


def payer_email(value):
    return load(PayerInput(), {"email": value}, None, "invalid_email")["email"]


class CancelInput(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=300),
                           metadata={"message": "Motif de l'annulation attendu (3 à 300 caractères)."})


def cancel_reason(value):
    return load(CancelInput(), {"reason": value}, None, "invalid_reason")["reason"].strip()


class CounterPaymentInput(Schema):
    number = fields.String(required=True, validate=validate.Regexp(INVOICE_NUMBER_SHAPE),
                           metadata={"message": "Numéro de facture invalide (format F-AAAA-MM-NNNNNNN attendu)."})
    amount_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10_000_000),
                                  metadata={"message": "Montant positif en centimes attendu.",
                                            "code": "invalid_amount"})
    means = fields.String(required=True, validate=validate.OneOf(COUNTER_MEANS),
                          metadata={"message": "Moyen de paiement inconnu.", "code": "unknown_means"})
    received_on = fields.Date(load_default=None, metadata={"message": "Date au format AAAA-MM-JJ attendue."})
    cheque_number = fields.String(load_default=None, validate=validate.Regexp(r"[0-9]{7}\Z"),
                                  metadata={"message": "Numéro de chèque à 7 chiffres attendu."})
    bank = fields.String(load_default=None, validate=validate.Length(min=2, max=80),
                         metadata={"message": "Nom de la banque attendu."})


def counter_payment(values):
    data = load(CounterPaymentInput(), values, None, "invalid_payment")
    if data["means"] == "cheque" and not (data["cheque_number"] and data["bank"]):
        missing = {name: "Ce champ est obligatoire pour un chèque." for name in ("cheque_number", "bank")
                   if not data[name]}
        raise Invalid("Le numéro du chèque et sa banque sont attendus.", code="cheque_details_required",
                      fields=missing)
    return data


class RefundInput(Schema):
    number = fields.String(required=True, validate=validate.Regexp(INVOICE_NUMBER_SHAPE),
                           metadata={"message": "Numéro de facture invalide (format F-AAAA-MM-NNNNNNN attendu)."})
    amount_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10_000_000),
                                  metadata={"message": "Montant positif en centimes attendu.",
                                            "code": "invalid_amount"})
    means = fields.String(required=True, validate=validate.OneOf(list(refunds.MEANS_LABELS)),
                          metadata={"message": "Virement, chèque du Trésor public ou espèces attendu.",
                                    "code": "unknown_means"})
    refunded_on = fields.Date(load_default=None, metadata={"message": "Date au format AAAA-MM-JJ attendue."})
    iban = fields.String(load_default=None, validate=validate.Length(max=42),
                         metadata={"message": "IBAN invalide.", "code": "invalid_iban"})
    note = fields.String(load_default=None, validate=validate.Length(max=300),
                         metadata={"message": "Note de 300 caractères au plus attendue."})


def refund(values):
    data = load(RefundInput(), values, None, "invalid_refund")
    return {**data, "note": (data["note"] or "").strip() or None, "iban": (data["iban"] or "").strip() or None}


# Caps that keep a typo from overflowing a column: prices per unit up to 100 000 €, a QF up to 1 000 000 €.
MOST_CENTS, MOST_QUOTIENT, MOST_RATE = 10_000_000, 1_000_000, 10_000
PRICE = {"message": "Montant entier en centimes attendu, au plus 10 000 000 (100 000 €)."}
BRACKET_QUOTIENT = {"message": "Quotient familial en euros entiers attendu, au plus 1 000 000 €."}


class BracketInput(Schema):
    qf_min = fields.Integer(required=True, strict=True, validate=validate.Range(max=MOST_QUOTIENT),
                            metadata=BRACKET_QUOTIENT)
    qf_max = fields.Integer(load_default=None, strict=True, allow_none=True,
                            validate=validate.Range(max=MOST_QUOTIENT), metadata=BRACKET_QUOTIENT)
    price_cents = fields.Integer(required=True, strict=True, validate=validate.Range(max=MOST_CENTS), metadata=PRICE)


class TariffInput(Schema):
    activity = fields.String(required=True, validate=validate.OneOf(list(ACTIVITY_LABELS)),
                             metadata={"message": "Activité inconnue.", "code": "unknown_activity"})
    effective_from = fields.Date(required=True, metadata={"message": "Date au format AAAA-MM-JJ attendue."})
    price_basis = fields.String(required=True, validate=validate.OneOf(list(PRICE_BASES)),
                                metadata={"message": "Par jour, par demi-journée ou par séjour."})
    kind = fields.String(required=True, validate=validate.OneOf([BRACKETS, EFFORT_RATE]),
                         metadata={"message": "Par tranches ou par taux d'effort."})
    brackets = fields.List(fields.Nested(BracketInput), load_default=list,
                           metadata={"message": "Tranches de quotient familial invalides."})
    effort_rate = fields.Integer(load_default=None, strict=True, allow_none=True,
                                 validate=validate.Range(max=MOST_RATE), metadata={
                                     "message": "Taux d'effort attendu jusqu'à 100 %, en centièmes de pour cent "
                                                "(45 pour 0,45 %)."})
    floor_cents = fields.Integer(load_default=None, strict=True, allow_none=True,
                                 validate=validate.Range(max=MOST_CENTS), metadata=PRICE)
    ceiling_cents = fields.Integer(load_default=None, strict=True, allow_none=True,
                                   validate=validate.Range(max=MOST_CENTS), metadata=PRICE)
    non_resident_cents = fields.Integer(load_default=None, strict=True, allow_none=True,
                                        validate=validate.Range(max=MOST_CENTS), metadata=PRICE)


def tariff(values, version):
    """An agent's new tariff, checked by its shape then by the rules of tariffs."""
    data = load(TariffInput(), values, None, "invalid_tariff")
    data["brackets"] = tuple(Bracket(b["qf_min"], b["qf_max"], b["price_cents"]) for b in data["brackets"])
    return Tariff(version=version, **data)


class FamilyAnswer(Schema):
    """What family.billable_items answers is read, not trusted."""

    class Meta:
        unknown = EXCLUDE  # family may say more than billing needs

    error_messages = {"type": "Valeur invalide."}


class QuotientSchema(FamilyAnswer):
    value = fields.Integer(required=True, strict=True, validate=QUOTIENT_FAMILIAL_RANGE, metadata=QUOTIENT_FAMILIAL)
    valid_from = fields.Date(required=True, metadata={"message": "Date au format AAAA-MM-JJ attendue."})
    valid_until = fields.Date(load_default=None, allow_none=True,
                              metadata={"message": "Date au format AAAA-MM-JJ attendue."})
    justified = fields.Boolean(required=True, metadata={"message": "Vrai ou faux attendu."})

    @post_load
    def make(self, data, **_):
        return QuotientPeriod(**data)


class ItemSchema(FamilyAnswer):
    item_id = fields.String(required=True, validate=validate.Length(min=1, max=200),
                            metadata={"message": "Identifiant de prestation attendu."})
    child_id = fields.UUID(required=True, metadata={"message": "Identifiant d'enfant invalide (UUID attendu)."})
    child_first_name = fields.String(required=True, validate=validate.Length(min=1, max=100),
                                     metadata={"message": "Prénom de l'enfant attendu."})
    activity = fields.String(required=True, metadata={"message": "Code d'activité attendu."})
    price_basis = fields.String(required=True, validate=validate.OneOf(list(PRICE_BASES)),
                                metadata={"message": "Unité de prix inconnue."})
    date = fields.Date(required=True, metadata={"message": "Date au format AAAA-MM-JJ attendue."})
    end_date = fields.Date(load_default=None, allow_none=True,
                           metadata={"message": "Date au format AAAA-MM-JJ attendue."})
    status = fields.String(required=True, validate=validate.OneOf(ITEM_STATUSES),
                           metadata={"message": "Statut de prestation inconnu."})
    billable = fields.Boolean(required=True, metadata={"message": "Vrai ou faux attendu."})
    reason = fields.String(load_default="", allow_none=True)

    @post_load
    def make(self, data, **_):
        return Item(**{**data, "reason": data["reason"] or ""})


class BillableHouseholdSchema(FamilyAnswer):
    household_id = fields.UUID(required=True, metadata=HOUSEHOLD_ID)
    resident = fields.Boolean(load_default=True, metadata={"message": "Vrai ou faux attendu."})
    quotient_familial = fields.List(fields.Nested(QuotientSchema), required=True,
                                    metadata={"message": "Historique du quotient familial attendu."})
    items = fields.List(fields.Nested(ItemSchema), required=True,
                        metadata={"message": "Liste de prestations attendue."})

    @post_load
    def make(self, data, **_):
        history = tuple(sorted(data["quotient_familial"], key=lambda entry: entry.valid_from))
        return BillableHousehold(data["household_id"], data["resident"], history, tuple(data["items"]))


INVALID_ITEMS = "Les prestations à facturer reçues du service famille sont mal formées ; rien n'a été facturé."


def billable_households(data):
    """One page of family.billable_items, checked before anything is billed."""
    households = load(BillableHouseholdSchema(many=True), data, INVALID_ITEMS, "invalid_billable_items")
    _once([household.household_id for household in households])
    return households


def billable_month(fetch):
    """A month of family.billable_items, page by page: `fetch(after)` answers
    the page of households after that household id (None: the first). Each
    page is checked as it comes; it ends with the household its `next` names,
    and no household comes twice, so that the reading ends."""
    households, after = [], None
    while True:
        page = fetch(after)
        if not isinstance(page, dict) or not isinstance(page.get("households"), list):
            raise Invalid(INVALID_ITEMS, code="invalid_billable_items",
                          fields={"households": "Page de foyers attendue."})
        found = billable_households(page["households"])
        households += found
        _once([household.household_id for household in households])
        after = page.get("next")
        if after is None:
            return households
        if not found or str(found[-1].household_id) != after:
            raise Invalid(INVALID_ITEMS, code="invalid_billable_items",
                          fields={"next": "Identifiant du dernier foyer de la page attendu."})


def _once(ids):
    if len(set(ids)) != len(ids):
        raise Invalid(INVALID_ITEMS, code="invalid_billable_items", fields={"household_id": "Foyer présent deux fois."})


def merge_months(answers):
    """Several months' answers as one household each: all the items, the QF
    history of all, the residence of the latest month (answers oldest first)."""
    merged = {}
    for households in answers:
        for household in households:
            before = merged.get(household.household_id)
            if before is None:
                merged[household.household_id] = household
                continue
            history = tuple(sorted(set(before.quotient_familial) | set(household.quotient_familial),
                                   key=lambda entry: (entry.valid_from, entry.value)))
            merged[household.household_id] = BillableHousehold(
                household.household_id, household.resident, history, before.items + household.items)
    return list(merged.values())


class PaymentView(Schema):
    id = fields.UUID()
    reference = fields.String()
    invoice_number = fields.Function(lambda payment: payment.invoice_number)
    amount_cents = fields.Integer()
    applied_cents = fields.Integer()
    excess_cents = fields.Integer()
    means = fields.String()
    means_label = fields.Function(lambda payment: MEANS_LABELS[payment.means])
    details = fields.Dict()
    received_on = fields.Date()
    created_at = fields.DateTime()


class InvoiceSummary(Schema):
    id = fields.UUID()
    number = fields.String()
    household_id = fields.UUID()
    period = fields.String()
    issued_at = fields.DateTime()
    due_date = fields.Date()
    total_cents = fields.Integer()
    paid_cents = fields.Integer()
    due_cents = fields.Function(lambda invoice: max(invoice.total_cents - invoice.paid_cents, 0)
                                if invoice.status != InvoiceStatus.CANCELLED else 0)
    overpaid_cents = fields.Integer()
    carried_cents = fields.Integer()
    credit_left_cents = fields.Function(lambda invoice: carry.credit_left(
        invoice.total_cents, invoice.carried_cents, invoice.credit_refunded_cents, invoice.status))
    refunded_cents = fields.Integer()
    credit_refunded_cents = fields.Integer()
    refundable_cents = fields.Function(lambda invoice: refunds.refundable(invoice).cents)
    status = fields.String()
    status_label = fields.Function(lambda invoice: LABELS[InvoiceStatus(invoice.status)])
    online = fields.Boolean()
    credit_note_number = fields.String(allow_none=True)


class InvoiceLineView(Schema):
    # a line carrying an avoir (kind carried_credit) has no child, activity, status nor price basis
    child_id = fields.UUID(allow_none=True)
    child_first_name = fields.String(allow_none=True)
    activity = fields.String(allow_none=True)
    activity_label = fields.Function(lambda line: ACTIVITY_LABELS[line.activity] if line.activity else None)
    kind = fields.String()
    status = fields.String(allow_none=True)
    price_basis = fields.String(allow_none=True)
    origin = fields.String()
    label = fields.String()
    dates = fields.List(fields.String())
    quantity = fields.Integer()
    unit_price_cents = fields.Integer()
    amount_cents = fields.Integer()


class RefundView(Schema):
    id = fields.UUID()
    reference = fields.String()
    invoice_number = fields.Function(lambda refund: refund.invoice_number)
    amount_cents = fields.Integer()
    credit_cents = fields.Integer()
    means = fields.String()
    means_label = fields.Function(lambda refund: refunds.MEANS_LABELS[refund.means])
    iban_masked = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    refunded_on = fields.Date()
    created_at = fields.DateTime()


class InvoiceDetail(InvoiceSummary):
    lines = fields.List(fields.Nested(InvoiceLineView))
    payments = fields.Method("payments_of")
    refunds = fields.Method("refunds_of")

    def payments_of(self, invoice):
        for payment in invoice.payments:
            payment.invoice_number = invoice.number
        return PaymentView(many=True).dump(invoice.payments)

    def refunds_of(self, invoice):
        for refund in invoice.refunds:
            refund.invoice_number = invoice.number
        return RefundView(many=True).dump(invoice.refunds)


class CarriedCreditView(Schema):
    """A line that carries an earlier invoice's avoir, with the invoices on both ends."""

    label = fields.String()
    amount_cents = fields.Integer()
    avoir_number = fields.String(allow_none=True)  # None once that invoice is past its retention
    number = fields.String()
    period = fields.String()


class TariffView(Schema):
    activity = fields.String()
    activity_label = fields.Function(lambda tariff: ACTIVITY_LABELS[tariff.activity])
    version = fields.Integer()
    effective_from = fields.Date()
    school_year = fields.String()
    price_basis = fields.String()
    price_basis_label = fields.Function(lambda tariff: PRICE_BASES[tariff.price_basis])
    kind = fields.String()
    brackets = fields.Function(lambda tariff: [
        {"code": chr(ord("A") + rank), "qf_min": b.qf_min, "qf_max": b.qf_max, "price_cents": b.price_cents}
        for rank, b in enumerate(tariff.brackets)])
    effort_rate = fields.Integer(allow_none=True)
    floor_cents = fields.Integer(allow_none=True)
    ceiling_cents = fields.Integer(allow_none=True)
    non_resident_cents = fields.Integer(allow_none=True)


def tariff_history(history, book, day):
    """Every version, the nine activities in their order, each with where it
    stands on `day`, who added it and when."""
    ordered = sorted(history, key=lambda entry: ACTIVITIES.index(entry[0].activity))
    return [{**TariffView().dump(tariff), "standing": book.standing(tariff, day),
             "added_by": None if added_by is None else str(added_by), "added_at": added_at.isoformat()}
            for tariff, added_by, added_at in ordered]


def price_view(price):
    return {"activity": price.activity, "activity_label": price.activity_label,
            "unit_price_cents": price.unit_price_cents, "price_basis": price.price_basis,
            "price_basis_label": PRICE_BASES[price.price_basis], "rule": price.rule, "bracket": price.bracket,
            "reason": price.reason}


class RunView(Schema):
    period = fields.String()
    started_by = fields.UUID(allow_none=True)
    started_at = fields.DateTime()
    automatic = fields.Boolean()
    invoices_created = fields.Integer()
    total_cents = fields.Integer()
    duration_ms = fields.Integer()


class DirectDebitAccepted(FamilyAnswer):
    event_id = fields.String(required=True)
    household_id = fields.UUID(required=True)
    request_id = fields.String(required=True)
    request_reference = fields.String(load_default="")


class DirectDebitDetails(FamilyAnswer):
    household_id = fields.UUID(required=True)
    request_reference = fields.String(required=True, validate=validate.Length(min=1, max=40))
    account_holder = fields.String(required=True, validate=validate.Length(min=1, max=140))
    iban = fields.String(required=True)
    bic = fields.String(required=True)
    signed_on = fields.Date(required=True)


def direct_debit_accepted(payload):
    """The event's fields, or None when it is malformed (it will never be readable)."""
    schema = DirectDebitAccepted()
    return None if schema.validate(payload or {}) else schema.load(payload)


def direct_debit_details(answer):
    schema = DirectDebitDetails()
    return None if not isinstance(answer, dict) or schema.validate(answer) else schema.load(answer)


def day(value, name):
    schema = Schema.from_dict({name: fields.Date(required=True, metadata={
        "message": "Date au format AAAA-MM-JJ attendue."})})()
    return load(schema, {name: value}, None, "invalid_date")[name]


def uuid_of(value, name):
    schema = Schema.from_dict({name: fields.UUID(required=True, metadata={
        "message": "Identifiant invalide (UUID attendu)."})})()
    return load(schema, {name: value}, None, "invalid_id")[name]
