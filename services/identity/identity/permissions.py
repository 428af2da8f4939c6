"""Who may act on which account: the back office's rules, in one place.

Each rule returns None when the actor may, else the code of the refusal
(errors.forbidden turns it into the French message). Actors and targets are
anything with `id`, `role` and `active`.
"""
from identity.accounts import ADMIN, FAMILY, STAFF_ROLES

AGENTS_ONLY, ADMIN_ONLY, OWN_ACCOUNT, FAMILY_ONLY = "agents_only", "admin_only", "own_account", "family_account_only"


def _is_staff(actor):
    return actor is not None and actor.active and actor.role in STAFF_ROLES


def _is_admin(actor):
    return _is_staff(actor) and actor.role == ADMIN


def refusal_to_act_on_accounts(actor):
    """Checked before the target is even looked up: a family learns nothing of other accounts."""
    return None if _is_staff(actor) else AGENTS_ONLY


def refusal_to_create_staff(actor):
    return None if _is_admin(actor) else ADMIN_ONLY


def refusal_to_set_active(actor, target):
    """Agents open and close family accounts; only admins those of the back office.
    Nobody closes their own account: the last admin would lock everyone out."""
    if not _is_staff(actor):
        return AGENTS_ONLY
    if actor.id == target.id:
        return OWN_ACCOUNT
    if target.role in STAFF_ROLES and not _is_admin(actor):
        return ADMIN_ONLY
    return None


def refusal_to_detach(actor, target):
    if not _is_staff(actor):
        return AGENTS_ONLY
    if target.role != FAMILY:
        return FAMILY_ONLY
    return None
