"""Errors that cross the RPC boundary.

Each carries a stable `code` for programs, a French `message` for people and,
for invalid input, the offending `fields`. They are registered with nameko so
that a caller gets the same class back instead of a bare RemoteError; the
gateway maps each class to one HTTP status in one table.
"""
from nameko.exceptions import deserialize_to_instance


class ServiceError(Exception):
    default_code = "error"

    def __init__(self, message, code=None, fields=None):
        super().__init__(message, code or self.default_code, fields or {})

    @property
    def message(self):
        return self.args[0]

    @property
    def code(self):
        return self.args[1]

    @property
    def fields(self):
        return self.args[2]

    def __str__(self):
        return self.message


@deserialize_to_instance
class Invalid(ServiceError):
    default_code = "invalid"


@deserialize_to_instance
class NotFound(ServiceError):
    default_code = "not_found"


@deserialize_to_instance
class Conflict(ServiceError):
    default_code = "conflict"


@deserialize_to_instance
class Forbidden(ServiceError):
    default_code = "forbidden"


@deserialize_to_instance
class Unauthenticated(ServiceError):
    default_code = "unauthenticated"


@deserialize_to_instance
class Unavailable(ServiceError):
    """Another part did not answer in time, or a store is away: try again later."""

    default_code = "service_unavailable"

    def __init__(self, message="Le service est momentanément indisponible. Veuillez réessayer dans quelques instants.",
                 code=None, fields=None):
        super().__init__(message, code, fields)


@deserialize_to_instance
class TooManyRequests(ServiceError):
    """Too many requests of one kind in a short time: try again later."""

    default_code = "too_many_requests"
