"""A store that is away is an answer, not a crash: the database or the object
store not answering becomes kit.errors.Unavailable (503 at the gateway), and
an absent thing becomes NotFound with the vault's own code."""
import contextlib
import functools
import logging

from sqlalchemy.exc import DBAPIError, OperationalError

from kit.errors import NotFound, Unavailable
from vault.storage import StorageUnavailable

log = logging.getLogger(__name__)


@contextlib.contextmanager
def stores_answering():
    try:
        yield
    except StorageUnavailable:
        log.error("the document store does not answer", exc_info=True)
        raise Unavailable() from None
    except (OperationalError, DBAPIError) as error:
        if isinstance(error, OperationalError) or error.connection_invalidated:
            log.error("the vault's database does not answer", exc_info=True)
            raise Unavailable() from None
        raise


def answering(method):
    """An entrypoint whose stores' outages are answered as Unavailable."""
    @functools.wraps(method)
    def guarded(*args, **kwargs):
        with stores_answering():
            return method(*args, **kwargs)
    return guarded


def found(thing, what="Document introuvable.", code="document_not_found"):
    if thing is None:
        raise NotFound(what, code=code)
    return thing


def request_found(request):
    return found(request, "Cette démarche est introuvable.", "request_not_found")


def share_found(share):
    return found(share, "Ce partage est introuvable.", "share_not_found")
