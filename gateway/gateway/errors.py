"""Errors as the gateway's callers see them: one table from what went wrong
to an HTTP status, and one JSON shape `{"error": {code, message, fields?}}`."""
from kit import errors
from werkzeug.exceptions import HTTPException

from gateway.rpc import ServiceUnavailable

STATUS_OF = {
    errors.Invalid: 422,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Forbidden: 403,
    errors.Unauthenticated: 401,
    errors.Unavailable: 503,
    errors.TooManyRequests: 429,
}

# marshmallow's messages, as families and agents read them
FRENCH = {
    "Missing data for required field.": "Ce champ est obligatoire.",
    "Field may not be null.": "Ce champ est obligatoire.",
    "Not a valid string.": "Une chaîne de caractères est attendue.",
    "Not a valid integer.": "Un nombre entier est attendu.",
    "Not a valid email address.": "Adresse électronique invalide.",
    "Not a valid date.": "Date invalide (format attendu AAAA-MM-JJ).",
    "Not a valid list.": "Une liste est attendue.",
    "Not a valid UUID.": "Identifiant invalide.",
    "Invalid input type.": "Format invalide.",
    "Unknown field.": "Champ inconnu.",
    "Invalid value.": "Valeur invalide.",
    "Not a valid mapping type.": "Un objet JSON est attendu.",
    "Invalid input.": "Saisie invalide.",
}

HTTP_CODES = {
    400: ("bad_request", "Requête invalide."),
    401: ("unauthenticated", "Veuillez vous connecter."),
    403: ("forbidden", "Vous n'avez pas accès à cette ressource."),
    404: ("not_found", "Ressource introuvable."),
    405: ("method_not_allowed", "Méthode non autorisée."),
    409: ("conflict", "Conflit avec l'état actuel."),
    413: ("payload_too_large", "Le fichier est trop volumineux."),
    415: ("unsupported_media_type", "Type de contenu non pris en charge."),
    429: ("too_many_requests", "Trop de demandes en peu de temps. Réessayez dans quelques minutes."),
    422: ("invalid", "Certaines informations sont invalides."),
    500: ("internal_error", "Une erreur inattendue est survenue. Veuillez réessayer plus tard."),
    503: ("service_unavailable", "Le service est momentanément indisponible. Veuillez réessayer dans quelques instants."),
}


class ApiError(Exception):
    def __init__(self, status, code=None, message=None, fields=None):
        super().__init__(message)
        default_code, default_message = HTTP_CODES.get(status, HTTP_CODES[400])
        self.status = status
        self.code = code or default_code
        self.message = message or default_message
        self.fields = fields or {}

    def body(self):
        error = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"error": error}


def french(message):
    if isinstance(message, list):
        message = message[0] if message else ""
    if isinstance(message, dict):
        return "; ".join(f"{key} : {french(value)}" for key, value in message.items())
    if message.startswith("Length must be") or message.startswith("Shorter than") or message.startswith("Longer than"):
        return "Longueur invalide."
    if message.startswith("Must be one of"):
        return "Valeur non autorisée."
    if message.startswith("Must be greater") or message.startswith("Must be less"):
        return "Valeur hors des limites autorisées."
    return FRENCH.get(message, message)


def from_validation(messages):
    """webargs' {location: {field: [messages]}} -> {field: message}."""
    fields = {}
    for location_messages in messages.values():
        for field, message in location_messages.items():
            fields[field] = french(message)
    return ApiError(422, "invalid_input", "Certaines informations sont invalides.", fields)


def to_api_error(exc):
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, errors.Unauthenticated) and exc.code.startswith("caller_"):
        # a service refused the gateway's own signature: late (the broker held the call), or misconfigured
        return ApiError(503 if exc.code == "caller_expired" else 500)
    for error_class, status in STATUS_OF.items():
        if isinstance(exc, error_class):
            return ApiError(status, exc.code, exc.message, exc.fields)
    if isinstance(exc, ServiceUnavailable):
        return ApiError(503)
    if isinstance(exc, HTTPException):
        data = getattr(exc, "data", None) or {}
        if exc.code == 422 and "messages" in data:
            return from_validation(data["messages"])
        return ApiError(exc.code or 500)
    return ApiError(500)
