"""The broker's users: one per part of the portal, each allowed its own
queues and the exchanges it uses, nothing else (RabbitMQ permissions are
three regular expressions per user and vhost: configure, write, read).

What nameko and the kit name on the broker:
- RPC: the `nameko-rpc` exchange; a service consumes `rpc-<service>`; a
  caller's replies come back on its own `rpc.reply-<service>-<uuid>` queue
  (`rpc.reply-standalone_rpc_proxy-<uuid>` for the gateway's proxies),
  declared exclusive, so only the connection that made it reads it;
- events: `<service>.events` exchanges, published by each service's outbox
  relay; a handler's queue is `evt-<source>-<event>--<service>.<method>`,
  with its retry and dead-letter queues (`.retry.<n>s`, `.dead`, kit.consumers),
  which the kit republishes to through the default exchange (`amq.default`).

A service may publish a request to any service (the `nameko-rpc` exchange is
shared): the signed caller context is what decides (kit.caller). What it
cannot do is read another part's requests, replies or events' queues, or
publish events in another service's name.

    python deploy/broker_users.py     # as the broker's administrator, from the environment:
        RABBITMQ_API (http://rabbitmq:15672/api), RABBITMQ_USER, RABBITMQ_PASSWORD,
        RABBITMQ_VHOST (/), and RABBITMQ_<PART>_PASSWORD for each part

On Kubernetes the Messaging Topology Operator makes the users, from a `User` and a `Permission`
per part that this file writes (tests/deploy/test_kubernetes.py checks they are up to date):

    python deploy/broker_users.py kubernetes > deploy/kubernetes/base/broker-users.yaml
"""
import os
import re
import sys
from urllib.parse import quote

import requests
import yaml

SERVICES = ("identity", "family", "vault", "billing", "notify")
PARTS = SERVICES + ("gateway",)
GATEWAY_REPLIES = r"rpc\.reply-standalone_rpc_proxy-.*"


def permissions(part):
    """The configure, write and read patterns of `part`'s user."""
    if part == "gateway":
        own = f"^(nameko-rpc|{GATEWAY_REPLIES})$"
        return {"configure": own, "write": own, "read": own}
    if part not in SERVICES:
        raise ValueError(f"no such part: {part}")
    name = re.escape(part)
    queues = f"rpc-{name}|rpc\\.reply-{name}-.*|evt-.*--{name}\\..*"
    return {
        # its queues; the exchanges it declares: RPC, its own events, and those it listens to
        "configure": f"^(nameko-rpc|[a-z]+\\.events|{queues})$",
        # requests and replies, its own events, its retries; binding its queues
        "write": f"^(nameko-rpc|{name}\\.events|amq\\.default|{queues})$",
        # its queues; the exchanges its queues are bound to
        "read": f"^(nameko-rpc|[a-z]+\\.events|{queues})$",
    }


def username(part, prefix="portail"):
    return f"{prefix}-{part}"


def create_users(api, admin, vhost, passwords, prefix="portail"):
    """Creates (or updates) each part's user with its password and permissions on `vhost`.
    `passwords` maps a part to its password; `admin` is (user, password)."""
    for part, password in passwords.items():
        user = quote(username(part, prefix), safe="")
        requests.put(f"{api}/users/{user}", auth=admin, timeout=10,
                     json={"password": password, "tags": ""}).raise_for_status()
        requests.put(f"{api}/permissions/{quote(vhost, safe='')}/{user}", auth=admin, timeout=10,
                     json=permissions(part)).raise_for_status()


def delete_users(api, admin, parts, prefix="portail"):
    for part in parts:
        requests.delete(f"{api}/users/{quote(username(part, prefix), safe='')}", auth=admin, timeout=10)


def kubernetes_secret(part):
    """The Secret holding `part`'s user name and password on Kubernetes, made when the portal is
    installed (see the README); the part's Deployment builds its AMQP_URI from it."""
    return f"portail-rabbitmq-{part}"


def kubernetes_objects(cluster="portail-rabbitmq", vhost="portail"):
    """The Messaging Topology Operator's User and Permission of each part, on the RabbitmqCluster
    `cluster` and the vhost `vhost` (deploy/kubernetes/base/rabbitmq.yaml)."""
    objects = []
    for part in PARTS:
        name = username(part)
        objects.append({
            "apiVersion": "rabbitmq.com/v1beta1", "kind": "User", "metadata": {"name": name},
            "spec": {"tags": [], "importCredentialsSecret": {"name": kubernetes_secret(part)},
                     "rabbitmqClusterReference": {"name": cluster}}})
        objects.append({
            "apiVersion": "rabbitmq.com/v1beta1", "kind": "Permission", "metadata": {"name": name},
            "spec": {"vhost": vhost, "userReference": {"name": name}, "permissions": permissions(part),
                     "rabbitmqClusterReference": {"name": cluster}}})
    return objects


KUBERNETES_HEADER = """\
# Written by `python deploy/broker_users.py kubernetes` from deploy/broker_users.py, where the
# permissions are defined once: edit that file and run the command again, never this one.
# One RabbitMQ user per part, made by the Messaging Topology Operator with the name and password
# of the Secret portail-rabbitmq-<part> (see the README), allowed only its own queues and the
# exchanges it uses on the vhost `portail`.
"""


def kubernetes_manifest():
    return KUBERNETES_HEADER + yaml.safe_dump_all(kubernetes_objects(), sort_keys=False, width=200)


def main(argv=sys.argv[1:], environ=os.environ):
    if argv == ["kubernetes"]:
        print(kubernetes_manifest(), end="")
        return
    if argv:
        sys.exit("usage: python deploy/broker_users.py [kubernetes]")
    missing = [f"RABBITMQ_{part.upper()}_PASSWORD" for part in PARTS if not environ.get(f"RABBITMQ_{part.upper()}_PASSWORD")]
    if missing:
        sys.exit(f"missing settings: {', '.join(missing)}")
    create_users(environ.get("RABBITMQ_API", "http://rabbitmq:15672/api"),
                 (environ["RABBITMQ_USER"], environ["RABBITMQ_PASSWORD"]), environ.get("RABBITMQ_VHOST", "/"),
                 {part: environ[f"RABBITMQ_{part.upper()}_PASSWORD"] for part in PARTS})
    print(f"broker users: {', '.join(username(part) for part in PARTS)}")


if __name__ == "__main__":
    main()
