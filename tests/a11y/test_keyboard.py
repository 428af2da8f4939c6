"""The pages a family uses most, with the keyboard alone, as someone who
cannot use a mouse does: the skip link comes first, every stop shows its
focus, the order follows the reading order to the footer, and a refused form
takes the focus to its errors, then to the field in error; an invoice is paid
by card, PayFiP's pages included."""
import re

from playwright.sync_api import expect

from a11y.support import FAMILY, PHONE, first_wednesday, log_in, open_window, school_days

FOCUSED = """() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    const box = e.getBoundingClientRect();
    const label = e.labels && e.labels.length ? e.labels[0].innerText : '';
    return {tag: e.tagName.toLowerCase(), id: e.id, href: e.getAttribute('href') || '',
            name: (e.getAttribute('aria-label') || label || e.innerText || e.getAttribute('alt') || '').trim(),
            // a date input in focus but not matching :focus has its calendar button focused,
            // inside Chromium's own shadow tree, which the style sheet rings (::-webkit-calendar-picker-indicator)
            ring: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none'
                  || (e.type === 'date' && !e.matches(':focus')),
            inMain: !!e.closest('main'),
            inView: box.bottom > 0 && box.top < window.innerHeight && box.right > 0 && box.left < window.innerWidth};
}"""


def press(page, key):
    page.keyboard.press(key)
    return page.evaluate(FOCUSED)


def tab_until(page, wanted, limit=40):
    """Tabs until `wanted(stop)`; every stop on the way must show its focus. Returns the stops."""
    stops = []
    for _ in range(limit):
        stop = press(page, "Tab")
        if stop["tag"] != "body":
            assert stop["ring"], f"no visible focus on {stop}"
            stops.append(stop)
        if wanted(stop):
            return stops
    raise AssertionError(f"not reached with Tab in {limit} stops: {[s['name'] or s['id'] for s in stops]}")


def named(name):
    return lambda stop: stop["name"] == name


def with_id(element_id):
    return lambda stop: stop["id"] == element_id


def type_date(page, iso):
    """Types a date into the focused date input as its French fields read: day, month, year."""
    year, month, day = iso.split("-")
    page.keyboard.type(day + month + year)


def family_page(browser, portal, state, window=PHONE):
    context = open_window(browser, window)
    page = context.new_page()
    log_in(page, portal, *state.credentials(FAMILY))
    return context, page


def test_the_skip_link_comes_first_and_takes_the_focus_to_the_content(browser, portal, state):
    context, page = family_page(browser, portal, state)
    try:
        page.goto(portal.url("/tableau-de-bord"))
        stop = press(page, "Tab")
        assert stop["name"] == "Aller au contenu" and stop["inView"] and stop["ring"], stop
        assert press(page, "Enter")["id"] == "contenu"
        after = press(page, "Tab")
        assert after["inMain"] and after["ring"], f"the first stop after the skip link is not in the content: {after}"
    finally:
        context.close()


def test_a_family_books_and_corrects_a_refused_day_with_the_keyboard_alone(browser, portal, state):
    context, page = family_page(browser, portal, state)
    try:
        page.goto(portal.url(f"/reservations?mois={state.period}"))
        stops = tab_until(page, with_id("child_id"))
        names = [stop["name"] for stop in stops]
        assert names[:1] == ["Aller au contenu"]
        assert names.index("Réservations") < names.index("Mon compte") < len(names) - 1, names

        tab_until(page, with_id("activity"))
        page.keyboard.type("Restauration")
        tab_until(page, with_id("date"))
        type_date(page, first_wednesday(state.period))
        assert page.locator("#date").input_value() == first_wednesday(state.period)
        tab_until(page, named("Réserver"))
        page.keyboard.press("Enter")

        # refused: the summary has the focus, its link leads to the field, which says why
        expect(page.get_by_role("alert")).to_contain_text("mercredi")
        assert page.evaluate(FOCUSED)["id"] == "resume-erreurs"
        expect(page).to_have_title(re.compile("^Erreur : Réservations"))
        link = press(page, "Tab")
        assert link["href"] == "#date" and "mercredi" in link["name"], link
        assert press(page, "Enter")["id"] == "date"
        field = page.locator("#date")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("aria-describedby", re.compile(r"\bdate-erreur\b"))
        expect(page.locator("#date-erreur")).to_contain_text("mercredi")

        day = school_days(state.period)[4]
        page.keyboard.press("Control+a")
        type_date(page, day)
        assert page.locator("#date").input_value() == day
        tab_until(page, named("Réserver"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_contain_text("Réservation enregistrée")
        expect(page.get_by_role("table", name=re.compile("Réservations de"))).to_contain_text(
            re.compile(rf"\b{int(day[-2:])} \S+ {day[:4]}"))

        # nothing traps the focus: Tab goes on to the footer's last link
        stops = tab_until(page, named("Plan du site"), limit=60)
        assert "Accessibilité : partiellement conforme" in [stop["name"] for stop in stops]
    finally:
        context.close()


def test_a_family_opens_an_invoice_and_reads_it_with_the_keyboard_alone(browser, portal, state):
    context, page = family_page(browser, portal, state)
    try:
        page.goto(portal.url("/tableau-de-bord"))
        tab_until(page, named(state.invoice_number))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name=f"Facture {state.invoice_number}")).to_be_visible()
        table = page.get_by_role("table", name=f"Détail de la facture {state.invoice_number}")
        expect(table.get_by_role("rowheader", name="Total")).to_be_visible()

        # at 320 px the table scrolls in its own box, which the keyboard reaches and scrolls
        page.set_viewport_size({"width": 320, "height": 640})
        page.reload()
        box = page.locator(".tableau").first  # the invoice's lines (its payments follow, once it has some)
        assert box.evaluate("b => b.scrollWidth > b.clientWidth + 1"), "the invoice's table fits at 320 px"
        tab_until(page, lambda stop: stop["tag"] == "div" and stop["inMain"])
        page.keyboard.press("End")
        page.keyboard.press("ArrowRight")
        # the browser scrolls on its own time: a loaded machine may take a moment
        page.wait_for_function("box => box.scrollLeft > 0", arg=box.element_handle(), timeout=10_000)
        stops = tab_until(page, named("Retour à mes factures"))
        assert stops[-1]["inView"]
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Mes factures")).to_be_visible()
    finally:
        context.close()


# ---------------------------------------------------------------------------
# The payment page's keyboard test belongs here, when online payment lands:
#
#     def test_a_family_pays_an_invoice_with_the_keyboard_alone(browser, portal, state):
#
# from the invoice page, Tab to the payment button and press Enter, go through
# the payment simulator's page, come back and find the invoice's "Payée" badge,
# each stop showing its focus (tab_until), with the same family and invoice
# (`state`). Add the payment page to PAGES in test_every_page.py at the same time.
# ---------------------------------------------------------------------------


def tab_on_another_site(page, name, limit=40):
    """Tabs through a page that is not the portal's (PayFiP's) until `name` has the focus."""
    for _ in range(limit):
        if press(page, "Tab")["name"] == name:
            return
    raise AssertionError(f"{name} not reached with Tab on {page.url}")


def test_a_family_opts_in_and_pays_an_invoice_with_the_keyboard_alone(browser, portal, state):
    context, page = family_page(browser, portal, state)
    try:
        page.goto(portal.url("/factures"))
        yes = "Oui, je reçois et je paie mes factures en ligne"
        stop = tab_until(page, lambda stop: stop["name"] in (yes, "Non, je reçois mes factures sur papier"))[-1]
        while stop["name"] != yes:  # the arrows move within a group of radio buttons, and choose
            stop = press(page, "ArrowUp")
        page.keyboard.press("Space")
        tab_until(page, named("Enregistrer mon choix"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_contain_text("Vous avez adhéré à la facture en ligne")

        tab_until(page, named(state.invoice_number))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name=f"Facture {state.invoice_number}")).to_be_visible()
        tab_until(page, lambda stop: stop["name"].startswith("Payer en ligne"))
        page.keyboard.press("Enter")

        expect(page.get_by_role("heading", name="Paiement de votre facture")).to_be_visible()  # PayFiP's page
        tab_on_another_site(page, "Numéro de carte")
        page.keyboard.type("4970100000000000")
        tab_on_another_site(page, "Date d'expiration (MM/AA)")
        page.keyboard.type("12/30")
        tab_on_another_site(page, "Cryptogramme")
        page.keyboard.type("123")
        tab_on_another_site(page, "Payer")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Paiement accepté")).to_be_visible()
        tab_on_another_site(page, "Retour au site")
        page.keyboard.press("Enter")

        expect(page.get_by_role("status")).to_contain_text("Paiement accepté : merci.")
    finally:
        context.close()
