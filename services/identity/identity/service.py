"""IdentityService: accounts, credentials, login sessions and tokens of the portal,
the links it e-mails, FranceConnect identities, and the security journal.

Each section of entrypoints is a mixin of its own module (identity/entrypoints);
the class assembles them with the dependencies they use. The first admin is
made before the service serves, by identity.bootstrap.
"""
from identity.entrypoints.accounts import AccountEntrypoints
from identity.entrypoints.contact import ContactEntrypoints
from identity.entrypoints.data_rights import DataRightsEntrypoints
from identity.entrypoints.franceconnect import FranceConnectEntrypoints
from identity.entrypoints.passwords import PasswordEntrypoints
from identity.entrypoints.sessions import SessionEntrypoints
from identity.entrypoints.staff import StaffEntrypoints
from identity.models import Base
from kit.caller import Callers
from kit.db import Database
from kit.metrics import Metrics
from kit.rpc import ServiceRpc


class IdentityService(SessionEntrypoints, AccountEntrypoints, PasswordEntrypoints, ContactEntrypoints,
                      FranceConnectEntrypoints, StaffEntrypoints, DataRightsEntrypoints):
    name = "identity"

    db = Database(Base)
    metrics = Metrics()
    callers = Callers()
    family = ServiceRpc("family")
