"""The events of activities, through the family service's outbox."""
from kit.events import new_event

PREREGISTRATION_STATUS_CHANGED = "preregistration_status_changed"
CATALOGUE_CHANGED = "catalogue_changed"
ABSENCE_REPORTED = "absence_reported"
CERTIFICATE_DECIDED = "certificate_decided"


def preregistration_status_changed(entry, view):
    """`view`: the entry as the family reads it (its status label, its rank)."""
    return new_event(PREREGISTRATION_STATUS_CHANGED, preregistration_id=str(entry.id),
                     household_id=str(entry.household_id), child_id=str(entry.child_id),
                     child_first_name=view["child_first_name"], session_id=str(entry.session_id),
                     session_label=view["session_label"], status=view["status"], status_label=view["status_label"],
                     rank=view["rank"], offer_expires_at=view["offer_expires_at"])


def catalogue_changed(school_year, version):
    return new_event(CATALOGUE_CHANGED, school_year=school_year, version=version)


def absence_reported(absence):
    return new_event(ABSENCE_REPORTED, **_absence_ids(absence))


def certificate_decided(absence):
    return new_event(CERTIFICATE_DECIDED, **_absence_ids(absence), certificate_status=absence.certificate_status)


def _absence_ids(absence):
    return {"absence_id": str(absence.id), "household_id": str(absence.household_id),
            "child_id": str(absence.child_id), "first_day": absence.first_day.isoformat(),
            "last_day": absence.last_day.isoformat()}
