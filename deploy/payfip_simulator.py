"""A local stand-in for PayFiP (DGFiP's card payment for public bodies),
speaking the TIPI protocol that eopayment's `tipi` backend speaks: the
portal sends the family to `/tpa/paiement.web?numcli=&refdet=&montant=&mel=
&saisie=&exer=&objet=&urlcl=`; the family pays, is refused or gives up;
the simulator then calls `urlcl` server to server (POST, form-encoded) with
`numcli, exer, refdet, objet, montant, mel, saisie, resultrans (P/R/A),
numauto, dattrans (JJMMAAAA), heurtrans (HHMM)`, and shows a link back to
`urlcl` with the same parameters, as PayFiP does.

Card numbers decide the result, as test cards do: one ending in 0002 is
refused, any other accepted; the « Annuler » button gives up.

    python deploy/payfip_simulator.py --port 8090

Tests start it in a thread with `start(port)`; `notifications` keeps what it
sent, so a test can replay one.
"""
import argparse
import html
import logging
import threading
import urllib.request
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

log = logging.getLogger("payfip_simulator")
PARIS = ZoneInfo("Europe/Paris")
PATH = "/tpa/paiement.web"
ASKED = ("numcli", "exer", "refdet", "objet", "montant", "mel", "saisie", "urlcl")

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — PayFiP (simulateur)</title>
<style>body{{font-family:sans-serif;max-width:32rem;margin:1rem auto;padding:0 1rem}}
label{{display:block;margin-top:.8rem}}input{{font-size:1.1rem;width:100%;padding:.4rem}}
button,a.bouton{{font-size:1.1rem;margin:.8rem .4rem 0 0;padding:.5rem 1rem;display:inline-block}}</style>
</head><body><header><p>PayFiP — paiement par carte bancaire (simulateur local)</p></header>
<main><h1>{title}</h1>{body}</main></body></html>"""


def euros(cents):
    return f"{int(cents) // 100},{int(cents) % 100:02d} €"


class Simulator:
    def __init__(self):
        self.notifications = []  # (urlcl, body) of each server-to-server call made

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path == PATH and request.method == "GET":
            response = self.payment_page(request.args)
        elif request.path == PATH + "/resultat" and request.method == "POST":
            response = self.result(request.form)
        else:
            response = Response("Page introuvable", status=404)
        return response(environ, start_response)

    def payment_page(self, args):
        missing = [name for name in ("numcli", "refdet", "montant", "mel", "saisie") if not args.get(name)]
        if missing or not args["montant"].isdigit():
            return Response(PAGE.format(title="Demande de paiement invalide",
                                        body=f"<p>Paramètres manquants : {html.escape(', '.join(missing))}</p>"),
                            status=400, content_type="text/html; charset=utf-8")
        hidden = "".join(f'<input type="hidden" name="{name}" value="{html.escape(args.get(name, ""))}">'
                         for name in ASKED)
        body = (f"<p>Montant à payer : <strong>{euros(args['montant'])}</strong></p>"
                f"<p>Objet : {html.escape(args.get('objet', ''))}<br>Référence : {html.escape(args['refdet'])}</p>"
                f'<form method="post" action="{PATH}/resultat">{hidden}'
                '<label for="carte">Numéro de carte</label>'
                '<input id="carte" name="carte" inputmode="numeric" autocomplete="cc-number" required>'
                '<label for="expiration">Date d\'expiration (MM/AA)</label>'
                '<input id="expiration" name="expiration" autocomplete="cc-exp" required>'
                '<label for="cryptogramme">Cryptogramme</label>'
                '<input id="cryptogramme" name="cryptogramme" inputmode="numeric" autocomplete="cc-csc" required>'
                '<button type="submit" name="choix" value="payer">Payer</button>'
                '<button type="submit" name="choix" value="annuler" formnovalidate>Annuler</button></form>')
        return Response(PAGE.format(title="Paiement de votre facture", body=body),
                        content_type="text/html; charset=utf-8")

    def result(self, form):
        if form.get("choix") == "annuler":
            resultrans = "A"
        else:
            resultrans = "R" if form.get("carte", "").replace(" ", "").endswith("0002") else "P"
        now = datetime.now(PARIS)
        answer = {name: form.get(name, "") for name in ASKED if name != "urlcl"}
        answer.update(resultrans=resultrans, dattrans=now.strftime("%d%m%Y"), heurtrans=now.strftime("%H%M"),
                      numauto=f"{now:%H%M%S}" if resultrans == "P" else "")
        body = urlencode(answer)
        urlcl = form.get("urlcl", "")
        if urlcl:
            self.notify(urlcl, body)
        said = {"P": "Paiement accepté", "R": "Paiement refusé", "A": "Paiement annulé"}[resultrans]
        back = f'<p><a class="bouton" href="{html.escape(urlcl)}?{html.escape(body)}">Retour au site</a></p>' \
            if urlcl else ""
        return Response(PAGE.format(title=said, body=f"<p>{said} : {euros(answer['montant'] or 0)}.</p>{back}"),
                        content_type="text/html; charset=utf-8")

    def notify(self, urlcl, body):
        self.notifications.append((urlcl, body))
        try:
            request = urllib.request.Request(urlcl, data=body.encode(), method="POST",
                                             headers={"Content-Type": "application/x-www-form-urlencoded"})
            urllib.request.urlopen(request, timeout=10).close()
        except OSError as error:  # the portal may be away: PayFiP's return link still tells it
            log.warning("payfip simulator: notification to %s failed: %s", urlcl, error)


def start(port=0, host="127.0.0.1"):
    """Serve in a thread; returns (server, simulator). `server.server_port` is the port taken."""
    simulator = Simulator()
    server = make_server(host, port, simulator, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True, name="payfip-simulator").start()
    return server, simulator


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    make_server(arguments.host, arguments.port, Simulator(), threaded=True).serve_forever()


if __name__ == "__main__":
    main()
