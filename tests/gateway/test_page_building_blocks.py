"""The building blocks of the pages (templates/ui.html, base.html, the legal
pages), rendered by the real Flask app without any service: what a screen
reader needs is in the HTML."""
import dataclasses
import re
import secrets

import pytest
from flask import render_template_string
from kit import errors

from gateway.app import create_app
from gateway.settings import Settings

# the app refuses to start without real keys: random ones, drawn for this run
TEST_KEYS = {"PORTAL_SECRET_KEY": secrets.token_hex(32), "CALLER_CONTEXT_KEY": secrets.token_hex(32)}

UI = '{% import "ui.html" as ui with context %}'


@pytest.fixture(scope="module")
def app():
    settings = dataclasses.replace(Settings.from_environment(TEST_KEYS), franceconnect_issuer="http://fc.invalid")
    return create_app(settings, service_pool=object())


@pytest.fixture
def render(app):
    def render(source, **context):
        with app.test_request_context("/"):
            return render_template_string(UI + source, **context)
    return render


def tag(html, element_id):
    found = re.search(rf'<(input|select|fieldset)[^>]*\bid="{element_id}"[^>]*>', html)
    assert found, f"no input with id {element_id} in {html}"
    return found.group(0)


def test_a_field_in_error_points_to_its_message_and_hint(render):
    refused = errors.Invalid("Clé inconnue.", fields={"child_key": "Vérifiez la clé enfance."})
    html = render('{{ ui.field("child_key", "Clé enfance", error, hint="Forme 00000-X0X0X0.") }}', error=refused)
    field = tag(html, "child_key")
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="child_key-indication child_key-erreur"' in field
    assert re.search(r'id="child_key-erreur"[^>]*>.*Vérifiez la clé enfance\.', html)
    assert '<label for="child_key">Clé enfance</label>' in html


def test_a_field_without_error_is_not_marked_invalid(render):
    refused = errors.Invalid("Adresse déjà prise.", fields={"email": "Adresse déjà prise."})
    field = tag(render('{{ ui.field("password", "Mot de passe", error, type="password", value="secret") }}',
                       error=refused), "password")
    assert "aria-invalid" not in field and "aria-describedby" not in field
    assert "secret" not in field  # a password is never sent back


def test_the_error_summary_links_each_message_to_its_field(render):
    refused = errors.Invalid("Certaines informations saisies sont invalides.",
                             fields={"email": "Adresse invalide.", "password": "Trop court."})
    html = render('{{ ui.error_summary(error, ids={"password": "email_password"}) }}', error=refused)
    assert 'role="alert"' in html and 'tabindex="-1"' in html and 'id="resume-erreurs"' in html
    assert "Le formulaire contient 2 erreurs" in html
    assert '<a href="#email">Adresse invalide.</a>' in html
    assert '<a href="#email_password">Trop court.</a>' in html
    assert render("{{ ui.error_summary(none) }}").strip() == ""


def test_a_plain_sentence_is_summarised_too(render):
    assert "Choisissez un fichier." in render("{{ ui.error_summary('Choisissez un fichier.') }}")


def test_a_group_of_choices_is_a_fieldset_with_its_error(render):
    refused = errors.Invalid("Choisissez.", fields={"activity": "Choisissez une activité."})
    html = render('{{ ui.choices("activity", "Activité", [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],'
                  ' error, checked="b") }}', error=refused)
    assert "<legend>Activité</legend>" in html
    assert 'aria-describedby="activity-erreur"' in tag(html, "activity")
    assert 'checked' in tag(html, "activity-2") and 'checked' not in tag(html, "activity-1")


def test_a_data_table_has_a_caption_and_column_headers(render):
    html = render('{% call ui.table("Mes factures", ["Facture", {"label": "Action", "hidden": true}], "factures") %}'
                  '<tr><th scope="row">F-1</th><td>x</td></tr>{% endcall %}')
    assert '<caption id="factures-titre">Mes factures</caption>' in html
    assert '<th scope="col">Facture</th>' in html
    assert '<th scope="col"><span class="sr-only">Action</span></th>' in html
    assert 'aria-labelledby="factures-titre"' in html


def test_a_status_badge_says_its_status_in_words(render):
    html = render('{{ ui.badge("Payée", "succes") }}')
    assert "Payée" in re.sub(r"<[^>]+>", "", html)
    assert 'aria-hidden="true"' in html


def test_every_page_has_a_skip_link_and_the_legal_links(app):
    client = app.test_client()
    for path in ("/connexion", "/accessibilite", "/mentions-legales", "/donnees-personnelles", "/plan-du-site"):
        page = client.get(path)
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        assert re.search(r'<body>\s*<a class="evitement" href="#contenu">Aller au contenu</a>', html), path
        assert '<main id="contenu"' in html
        for link in ('href="/accessibilite">Accessibilité : partiellement conforme',
                     'href="/mentions-legales"', 'href="/donnees-personnelles"', "01 49 74 74 09"):
            assert link in html, (path, link)


def test_the_login_page_shows_franceconnect_s_official_button(app):
    html = app.test_client().get("/connexion").get_data(as_text=True)
    assert re.search(r'<img class="repos" src="/static/franceconnect/FCboutons-10\.svg" alt="S\'identifier avec '
                     r'FranceConnect"', html)
    assert "Qu'est-ce que FranceConnect ?" in html
    for asset in ("FCboutons-10.svg", "FCboutons-10-hover.svg"):
        assert app.test_client().get(f"/static/franceconnect/{asset}").status_code == 200
