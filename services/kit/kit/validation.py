"""Input checked at the edge of a service: what a marshmallow schema refuses
becomes kit.errors.Invalid, with a French message per field and a stable code.

A field may say more in its metadata:
    fields.UUID(required=True, metadata={"code": "invalid_message_id",
                                         "message": "Identifiant de message invalide."})
`code` names the error when this field is the first one at fault; `message`
replaces what the field says for every fault within it (nested ones included).
"""
from marshmallow import Schema, ValidationError, fields
from marshmallow.exceptions import SCHEMA

from kit.errors import Invalid

SEVERAL_FAULTS = "Certaines informations saisies sont invalides."


def load(schema, data, message=None, code=Invalid.default_code, *, input_name=SCHEMA):
    """`data` as `schema` loads it, or Invalid:

    - fields: a message per fault, nested ones named by their path
      ("guardians.0.email"), a fault of the input as a whole by `input_name`;
    - code: the metadata `code` of the first faulty field in the schema's
      order, if it names one, else `code`;
    - message: `message`; by default the fault's own message when there is only
      one, else SEVERAL_FAULTS.
    """
    try:
        return schema.load(data)
    except ValidationError as error:
        faults = {name or input_name: said for name, said in _faults(schema, error.messages)}
        first = next((field for name, field in schema.fields.items() if name in error.messages), None)
        if first is not None:
            code = first.metadata.get("code", code)
        if message is None:
            message = next(iter(faults.values())) if len(faults) == 1 else SEVERAL_FAULTS
        raise Invalid(message, code=code, fields=faults) from None


def _faults(node, messages, path=(), said=None):
    """`(dotted path, message)` of each fault in marshmallow's nested `messages`
    about `node`; `said` is the metadata message of the innermost field above."""
    for key, value in messages.items():
        where, inner = (path, node) if key == SCHEMA else ((*path, str(key)), _inner(node, key))
        says = inner.metadata.get("message", said) if isinstance(inner, fields.Field) else said
        if isinstance(value, dict):
            yield from _faults(inner, value, where, says)
        else:
            yield ".".join(where), says or " ".join(map(str, value))


def _inner(node, key):
    """What reported the faults kept under `key` in `node`: a field, the fields
    of one item of a list of objects, or None when the schema does not know it."""
    if isinstance(node, fields.Nested):
        node = node.schema
    if isinstance(node, Schema):
        return node.fields if node.many and isinstance(key, int) else node.fields.get(key)
    if isinstance(node, fields.List):
        return node.inner
    if isinstance(node, dict):
        return node.get(key)
    return None
