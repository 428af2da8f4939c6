"""The families' data rights on the "Données personnelles" page: what is
kept, why and how long (for everyone), and, for a family logged in, asking
for the export of all the household's data, downloading it once, and
closing one's account after a confirmation. Same services, same checks as
the API (data_rights_api)."""
from flask import Blueprint, redirect, render_template, request, url_for
from kit import errors

from gateway import vault_streams
from gateway.auth import FAMILY, current_account, delete_session_cookie, require, services

data_rights = Blueprint("data_rights", __name__)
CONFIRMATION = "Cochez la case pour confirmer la fermeture de votre compte."


def privacy_context():
    """What the "Données personnelles" page shows a family logged in: its last export."""
    account = current_account()
    if account is None or account["role"] != "family" or not account.get("email_verified"):
        return {"rights": None}
    return {"rights": {"export": services().vault.latest_export()},
            "export_asked": request.args.get("export") == "demande"}


@data_rights.post("/donnees-personnelles/export")
@require(FAMILY)
def request_export(account):
    services().vault.request_export()
    return redirect(url_for("legal.privacy", export="demande") + "#mes-droits")


@data_rights.get("/donnees-personnelles/export/<export_id>")
@require(FAMILY)
def download_export(export_id, account):
    return vault_streams.download(vault_streams.export_archive_path(export_id))


@data_rights.route("/donnees-personnelles/fermer-mon-compte", methods=["GET", "POST"])
@require(FAMILY)
def close_account(account):
    """A confirmation first: the box ticked, the account closes and the browser's session ends with it."""
    if request.method == "GET":
        return render_template("fermer_mon_compte.html")
    if request.form.get("confirmation") != "oui":
        refused = errors.Invalid(CONFIRMATION, code="confirmation_required", fields={"confirmation": CONFIRMATION})
        return render_template("fermer_mon_compte.html", error=refused), 422
    services().identity.close_account()
    response = redirect(url_for("data_rights.account_closed"))
    delete_session_cookie(response)
    return response


@data_rights.get("/compte-ferme")
def account_closed():
    return render_template("compte_ferme.html")
