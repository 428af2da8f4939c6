"""A family's activities through the gateway, on the real stack and clock: a
month of catering and evening care across the next school holidays, a late
and an early cancellation, a justified absence, two children pre-registered
for a holiday centre (one confirmed, one waiting then promoted, with an
e-mail at each change), and what billing then reads, line by line."""
from datetime import date, datetime, timedelta, timezone

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

import samples
from family.activities import ACTIVITIES
from family import deadlines
from family.calendars import Calendar, school_year_key
from family.catalogue import Catalogue, default
from kit.caller import Caller, CallerKey

PDF = samples.pdf(text="Certificat medical")


def next_holidays(today):
    """The first school holidays that start late enough for their previous week to be bookable."""
    calendar = Calendar.official()
    return next(holiday for year in calendar.years.values() for holiday in year.holidays
                if holiday.first_day >= today + timedelta(days=12))


def first_closed_school_day(today):
    """A coming school day whose catering can no longer be booked by a family."""
    catering = Catalogue(default(school_year_key(today))).offers["restauration_scolaire"]
    now = datetime.now(timezone.utc)
    return next(day.isoformat() for day in (today + timedelta(days=n) for n in range(1, 31))
                if Calendar.official().runs(catering.activity, day)
                and not deadlines.is_open(catering.booking_deadline, day, now))


@pytest.fixture
def as_billing(portal):
    """family.billable_items, called as billing calls it: a month's households
    page by page (pages of 2, to walk several)."""
    proxy = ClusterRpcProxy({"AMQP_URI": portal.stack.env["AMQP_URI"], "serializer": "json"}, timeout=30)
    cluster = proxy.start()
    key = CallerKey(portal.stack.env["CALLER_CONTEXT_KEY"])

    def billable_items(period):
        households, after = [], None
        while True:
            proxy._worker_ctx.data["caller"] = key.sign(Caller(part="billing"))
            page = cluster.family.billable_items(period, after=after, limit=2)
            households += page["households"]
            if page["next"] is None:
                ids = [household["household_id"] for household in households]
                assert ids == sorted(set(ids))  # each household once, by id
                return households
            assert page["next"] == page["households"][-1]["household_id"]
            after = page["next"]

    yield billable_items
    proxy.stop()


def ok(answer, status=200):
    assert answer.status_code == status, answer.text
    return answer.json()


def test_a_family_books_cancels_reports_an_absence_and_pre_registers_and_billing_reads_exactly_that(
        portal, new_family, as_billing):
    holidays = next_holidays(date.today())
    monday_before, friday_after = holidays.first_day - timedelta(days=5), holidays.resume + timedelta(days=4)
    family = new_family(first_name="Léa", brothers_and_sisters=("Tom",))
    api, agent = family.session, portal.agent()
    lea, tom = (child["id"] for child in family.household["children"])
    catalogue = ok(agent.get(portal.url("/api/v1/activities/catalogue")))
    evening = next(a for a in catalogue["activities"] if a["code"] == "accueil_du_soir")
    # the Caisse moves evening care's free cancellation to two months ahead: any cancellation now is late
    ok(agent.put(portal.url(f"/api/v1/agent/activities/catalogue/{catalogue['school_year']}"), json={
        "changes": {"activities": {"accueil_du_soir": {"cancellation_deadline": {
            "rule": "days_before", "days": 60, "time": "23:59:59"}}}}, "version": catalogue["version"]}))
    try:
        # a month of catering and evening care across the holidays: the holiday days are refused, with why
        reports = {activity: ok(api.post(portal.url("/api/v1/bookings/period"), json={
            "child_id": lea, "activity": activity, "first_day": monday_before.isoformat(),
            "last_day": friday_after.isoformat(), "weekdays": [0, 1, 3, 4]}))
            for activity in ("restauration_scolaire", "accueil_du_soir")}
        school = [monday_before + timedelta(days=n) for n in (0, 1, 3, 4)] + \
                 [holidays.resume + timedelta(days=n) for n in (0, 1, 3, 4)]
        for report in reports.values():
            assert [b["date"] for b in report["booked"]] == [day.isoformat() for day in school]
            assert report["refused"] and {r["code"] for r in report["refused"]} == {"no_activity"}
            assert all(holidays.first_day.isoformat() <= r["date"] < holidays.resume.isoformat()
                       for r in report["refused"])
            assert any(r["reason"] == f"Pas d'école : {holidays.name.lower()}." for r in report["refused"])
        booked = {(b["activity"], b["date"]): b["id"] for report in reports.values() for b in report["booked"]}

        # late (evening care, past its new deadline) and early (catering, a week ahead)
        late = ok(api.delete(portal.url(f"/api/v1/bookings/{booked['accueil_du_soir', school[0].isoformat()]}")))
        early = ok(api.delete(portal.url(f"/api/v1/bookings/{booked['restauration_scolaire', school[1].isoformat()]}")))
        assert (late["status"], late["billed"], early["status"], early["billed"]) == (
            "late_cancellation", True, "cancelled", False)

        # past catering's deadline the family is refused; an agent books it for them, and cancels it for free
        closed = first_closed_school_day(date.today())
        refused = api.post(portal.url("/api/v1/bookings"), json={
            "child_id": tom, "activity": "restauration_scolaire", "date": closed})
        assert (refused.status_code, refused.json()["error"]["code"]) == (422, "past_deadline")
        household_bookings = f"/api/v1/agent/households/{family.household['id']}/bookings"
        overridden = ok(agent.post(portal.url(household_bookings), json={
            "child_id": tom, "activity": "restauration_scolaire", "date": closed}), 201)
        assert ok(agent.delete(portal.url(f"{household_bookings}/{overridden['id']}")))["status"] == "cancelled"

        # a justified absence: the certificate from the safe, validated by an agent
        document = ok(api.post(portal.url("/api/v1/documents"), data={
            "category": "certificat_medical", "issued_on": date.today().isoformat()},
            files={"file": ("certificat.pdf", PDF, "application/pdf")}), 201)
        absence = ok(api.post(portal.url("/api/v1/absences"), json={
            "child_id": lea, "first_day": school[2].isoformat(), "last_day": school[3].isoformat(),
            "reason": "Varicelle", "document_id": document["id"]}), 201)
        assert absence["certificate_status"] == "pending"
        assert absence["id"] in [a["id"] for a in ok(agent.get(portal.url("/api/v1/agent/absences/certificates")))]
        ok(agent.post(portal.url(f"/api/v1/agent/absences/{absence['id']}/decision"), json={"accept": True}))

        # two children pre-registered for the holiday centre: one place left, then a place frees
        session = ok(agent.post(portal.url("/api/v1/agent/sessions"), json={
            "activity": "alsh_vacances", "label": f"Centre de loisirs, {holidays.name.lower()}",
            "first_day": (holidays.first_day + timedelta(days=2)).isoformat(),
            "last_day": (holidays.first_day + timedelta(days=6)).isoformat(), "places": 2, "min_age": 3,
            "max_age": 11, "opens_at": datetime.now(timezone.utc).isoformat(), "price_basis": "day"}), 201)
        neighbour = new_family(first_name="Zoé")
        theirs = ok(neighbour.session.post(portal.url("/api/v1/preregistrations"), json={
            "session_id": session["id"], "child_id": neighbour.child["id"]}), 201)
        first = ok(api.post(portal.url("/api/v1/preregistrations"), json={
            "session_id": session["id"], "child_id": lea}), 201)
        second = ok(api.post(portal.url("/api/v1/preregistrations"), json={
            "session_id": session["id"], "child_id": tom}), 201)
        assert (first["status_label"], second["status_label"]) == ("pré-inscrit", "en liste d'attente (1re)")
        ok(agent.post(portal.url(f"/api/v1/agent/preregistrations/{first['id']}/decision"),
              json={"decision": "confirm"}))
        ok(neighbour.session.delete(portal.url(f"/api/v1/preregistrations/{theirs['id']}")))
        offered = {p["child_first_name"]: p for p in ok(api.get(portal.url("/api/v1/preregistrations")))}["Tom"]
        assert offered["status"] == "offered"
        portal.mail.wait_for(lambda m: m["To"] == family.email and "Tom : place proposée" in m["Subject"])
        assert ok(api.post(portal.url(f"/api/v1/preregistrations/{second['id']}/offer"),
                           json={"accept": True}))["status_label"] == "confirmé"
        portal.mail.wait_for(lambda m: m["To"] == family.email and "Tom : confirmé" in m["Subject"])
        subjects = [m["Subject"] for m in portal.mail.messages() if m["To"] == family.email]
        for said in ("Léa : pré-inscrit", "Tom : en liste d'attente (1re)", "Léa : confirmé",
                     "Tom : place proposée", "Tom : confirmé"):
            assert f"Pré-inscription de {said}" in subjects

        # what billing reads, line by line
        periods = sorted({day.strftime("%Y-%m") for day in school} | {session["first_day"][:7]})
        items = [item for period in periods for entry in as_billing(period)
                 if entry["household_id"] == family.household["id"] for item in entry["items"]]
        lines = sorted((i["date"], i["child_first_name"], i["activity"], i["status"], i["billable"]) for i in items)
        day = [d.isoformat() for d in school]
        centre = [d.isoformat() for d in Calendar.official().days(
            ACTIVITIES["alsh_vacances"], date.fromisoformat(session["first_day"]), date.fromisoformat(session["last_day"]))]
        expected = [
            (day[0], "Léa", "accueil_du_soir", "late_cancellation", True),
            (day[0], "Léa", "restauration_scolaire", "booked", True),
            (day[1], "Léa", "accueil_du_soir", "booked", True),
            *[(d, "Léa", a, "absence_justified", False) for d in day[2:4]
              for a in ("accueil_du_soir", "restauration_scolaire")],
            *[(d, "Léa", a, "booked", True) for d in day[4:] for a in ("accueil_du_soir", "restauration_scolaire")],
            *[(d, name, "alsh_vacances", "booked", True) for d in centre for name in ("Léa", "Tom")],
        ]
        assert lines == sorted(expected)
    finally:
        current = ok(agent.get(portal.url("/api/v1/activities/catalogue")))
        ok(agent.put(portal.url(f"/api/v1/agent/activities/catalogue/{current['school_year']}"), json={
            "changes": {"activities": {"accueil_du_soir": {"cancellation_deadline": evening["cancellation_deadline"]}}},
            "version": current["version"]}))

