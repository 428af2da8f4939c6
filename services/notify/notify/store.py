"""The queries of notify, named after what they fetch or change."""
from sqlalchemy import and_, func, or_, select, update

from notify import statuses
from notify.models import Message


def add_messages(session, event_id, emails, now):
    """Records the e-mails of one event, due at once; returns their ids."""
    messages = [
        Message(event_id=event_id, template=email.template, recipient=email.recipient,
                subject=email.subject, body_text=email.text, body_html=email.html,
                status=statuses.CREATED, attempts=0, next_attempt_at=now, created_at=now)
        for email in emails]
    session.add_all(messages)
    session.flush()
    return [message.id for message in messages]


def claim_for_sending(session, message_id, now, lease_until):
    """Moves the message to `sending` until `lease_until` and counts the
    attempt, unless another worker holds it, or it is settled: then None. A
    message whose lease ran out (its sender died) is claimed again."""
    waiting = statuses.sources(statuses.SENDING) - {statuses.SENDING}
    claimed = session.execute(
        update(Message)
        .where(Message.id == message_id,
               or_(Message.status.in_(waiting),
                   and_(Message.status == statuses.SENDING, Message.next_attempt_at <= now)))
        .values(status=statuses.SENDING, attempts=Message.attempts + 1, next_attempt_at=lease_until)
        .execution_options(synchronize_session=False)
    ).rowcount
    return session.get(Message, message_id, populate_existing=True) if claimed else None


def settle(session, message_id, status, **changes):
    message = session.get(Message, message_id, with_for_update=True)
    message.status = statuses.move(message.status, status)
    for name, value in changes.items():
        setattr(message, name, value)


def due_message_ids(session, now, limit):
    """Messages waiting to be (re)tried, or whose sender's lease ran out, longest waiting first."""
    return session.scalars(
        select(Message.id)
        .where(Message.status.in_(statuses.sources(statuses.SENDING)), Message.next_attempt_at <= now)
        .order_by(Message.next_attempt_at)
        .limit(limit)
    ).all()


def oldest_unsent(session):
    """When the oldest message neither delivered nor refused for good was recorded, or None."""
    return session.scalar(select(func.min(Message.created_at)).where(Message.status.in_(statuses.STATUSES - statuses.FINAL)))


def message(session, message_id):
    return session.get(Message, message_id)


def latest_messages(session, recipient, limit):
    query = select(Message).order_by(Message.created_at.desc(), Message.id).limit(limit)
    if recipient is not None:
        query = query.where(Message.recipient == recipient)
    return session.scalars(query).all()
