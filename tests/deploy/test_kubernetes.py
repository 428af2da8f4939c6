"""The Kubernetes manifests (deploy/kubernetes, Kustomize) render, and every rendered object keeps
the promises of the README: probes that mean something, requests and limits, an unprivileged
and read-only container, no secret value, pinned images, a NetworkPolicy for every part, a
disruption budget and a scaler for each, a migration Job per service, every setting the
code reads given to the parts, and each part on the broker as its own user with only the
permissions deploy/broker_users.py gives it.

`kubectl kustomize` renders offline; no cluster is needed. KEDA's broker user is tried, as the
manifests make it, on the machine's RabbitMQ.
"""
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import broker_users
import pytest
import requests
import yaml
from kit.caller import SERVICES
from local_portal import RABBIT_API, vhost  # noqa: F401 -- the fixture too
from settings_read import SECRET_NAME, settings_the_code_reads

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
OVERLAYS = sorted(path.name for path in (KUBERNETES / "overlays").iterdir() if path.is_dir())
PARTS = (*SERVICES, "gateway")

# Settings the code reads that the cluster leaves to their default, and why.
LEFT_TO_THEIR_DEFAULT = {
    "NAMEKO_CONFIG": "the image's deploy/nameko.yaml",
    "PORTAIL_PART": "set by kit.serve for the logs",
    "MAILDIR": "make run only: notify sends through SMTP_HOST here",
    "VAULT_LOCAL_DIR": "make run only: the vault stores in S3 here",
    "CALLER_CONTEXT_LIFETIME": "15 s, the RPC timeout and some clock skew",
    "EVENT_RETRY_DELAYS": "5 s, 30 s, 5 min before an event is parked",
    "NOTIFY_RETRY_DELAY": "a minute between two tries of an e-mail",
    "NOTIFY_SENDING_LEASE": "how long a replica holds an e-mail it is sending",
    "REVOCATION_POLL_SECONDS": "30 s",
    "RPC_POOL_SIZE": "8 proxies per gateway process",
    "MAX_UPLOAD_BYTES": "10 MiB, the vault's own limit",
    "VAULT_MAX_FILE_BYTES": "the safe's limits, as the Caisse set them",
    "VAULT_MAX_DOCUMENTS": "idem",
    "VAULT_QUOTA_BYTES": "idem",
    "VAULT_MAX_IMAGE_PIXELS": "idem",
    "VAULT_SHARE_DAYS_AFTER_CLOSE": "idem",
    "VAULT_EXPIRY_NOTICE_DAYS": "idem",
    "VAULT_RETENTION_EXPIRED_MONTHS": "the retention periods of the register of processing",
    "VAULT_RETENTION_JOURNAL_MONTHS": "idem",
    "VAULT_RETENTION_OUTBOX_DAYS": "idem",
    "VAULT_ORPHAN_GRACE_HOURS": "idem",
    "VAULT_HOUSEKEEPING_SECONDS": "hourly",
    "BILLING_TODAY": "test stacks and demos only: the real day in production",
    "BILLING_PDF_FONT": "the image's DejaVu Sans",
    "BILLING_RETENTION_YEARS": "the ten years accounting requires",
    "OUTBOX_RETENTION_DAYS": "the retention periods of the register of processing",
    "VAULT_EXPORT_HOURS": "an export is offered 48 h",
}
# Variables the manifests set only to compose another one ($(NAME) in a value).
COMPOSING = {"RABBITMQ_USER", "RABBITMQ_PASSWORD", "RABBITMQ_HOST", "POSTGRES_HOST", "DB_PASSWORD"}

def render(overlay):
    result = subprocess.run(["kubectl", "kustomize", str(KUBERNETES / "overlays" / overlay)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return [document for document in yaml.safe_load_all(result.stdout) if document]


@pytest.fixture(scope="module", params=OVERLAYS)
def objects(request):
    return render(request.param)


def of_kind(objects, kind):
    return {item["metadata"]["name"]: item for item in objects if item["kind"] == kind}


def pod_specs(objects):
    """(name, pod spec) of every Deployment and Job."""
    return [(item["metadata"]["name"], item["spec"]["template"]["spec"])
            for item in objects if item["kind"] in ("Deployment", "Job")]


def selects(selector, labels):
    """Whether a label selector (matchLabels, matchExpressions with In) selects these labels."""
    if not selector:
        return False
    matched = all(labels.get(key) == value for key, value in selector.get("matchLabels", {}).items())
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In"
        matched = matched and labels.get(expression["key"]) in expression["values"]
    return matched


def env_of(container):
    return {variable["name"]: variable for variable in container.get("env", [])}


def test_there_is_a_production_and_a_staging_overlay():
    assert OVERLAYS == ["production", "staging"]


def test_the_reader_of_settings_finds_what_the_code_reads():
    found = settings_the_code_reads()
    assert {"AMQP_URI", "CALLER_CONTEXT_KEY", "PORTAL_BOOTSTRAP_AGENT_EMAIL", "VAULT_QUOTA_BYTES",
            "PORTAL_SECRET_KEY", "OPS_BIND", "BILLING_DATABASE_URL", "VAULT_HTTP_ADDRESS"} <= found


def test_a_deployment_per_service_and_the_gateway_from_the_one_pinned_image(objects):
    deployments = of_kind(objects, "Deployment")
    assert sorted(deployments) == sorted(PARTS)
    images = set()
    for name, deployment in deployments.items():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        images.add(container["image"])
        if name != "gateway":
            assert container["command"] == ["python", "-m", "kit.serve", name]
    assert len(images) == 1


def test_every_image_is_pinned_to_a_release(objects):
    images = [container["image"] for _, spec in pod_specs(objects) for container in spec["containers"]]
    images += [item["spec"]["image"] for item in objects if item["kind"] == "RabbitmqCluster"]
    images += [item["spec"]["imageName"] for item in objects if item["kind"] == "Cluster"]
    for image in images:
        _, _, tag = image.rpartition(":")
        assert "/" not in tag and tag != "latest" and re.match(r"\d+\.\d+", tag), image
    assert any(image.startswith("rabbitmq:4.") for image in images)


def test_every_part_has_probes_that_ask_it_over_http(objects):
    for name, deployment in of_kind(objects, "Deployment").items():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        ports = {port["name"]: port["containerPort"] for port in container["ports"]}
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            assert container[probe]["httpGet"]["port"] in ports, f"{name} {probe}"
        if name == "gateway":
            # ready when the broker and every service answer; alive whatever the broker does
            assert container["readinessProbe"]["httpGet"] == {"path": "/healthz", "port": "ops"}
            assert container["livenessProbe"]["httpGet"]["path"] == "/metrics"
        else:
            assert container["readinessProbe"]["httpGet"] == {"path": "/metrics", "port": "metrics"}
            assert env_of(container).get("METRICS_PORT") is None  # from the ConfigMap
            assert ports["metrics"] == 9100


def test_every_container_has_requests_and_limits(objects):
    for name, spec in pod_specs(objects):
        for container in spec["containers"]:
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), f"{name} {bound}"


def test_every_container_runs_unprivileged_on_a_read_only_root(objects):
    for name, spec in pod_specs(objects):
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] == 10001, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            mounted = {mount["mountPath"] for mount in container["volumeMounts"]}
            assert "/tmp" in mounted, name  # the one place a read-only container may write


def test_no_secret_value_is_written_in_the_manifests(objects):
    assert not of_kind(objects, "Secret"), "Secrets are made in the cluster, referenced by name here"
    for name, spec in pod_specs(objects):
        for container in spec["containers"]:
            for variable, definition in env_of(container).items():
                if "value" not in definition:
                    assert "secretKeyRef" in definition["valueFrom"] or "fieldRef" in definition["valueFrom"]
                    continue
                value = definition["value"]
                assert not SECRET_NAME.search(variable), f"{name}: {variable} is written, not referenced"
                if "://" in value and "@" in value:
                    credentials = value.split("://", 1)[1].split("@", 1)[0]
                    assert re.fullmatch(r"([\w.-]*|\$\([A-Z_]+\)):\$\([A-Z_]+\)", credentials), f"{name}: {variable}"
    for config_map in of_kind(objects, "ConfigMap").values():
        assert not any(SECRET_NAME.search(key) for key in config_map["data"])


def test_every_setting_the_code_reads_is_given_or_left_to_a_stated_default(objects):
    config = {key for config_map in of_kind(objects, "ConfigMap").values() for key in config_map["data"]}
    given = set(config)
    for _, spec in pod_specs(objects):
        for container in spec["containers"]:
            given |= set(env_of(container))
    read = settings_the_code_reads()
    missing = read - given - set(LEFT_TO_THEIR_DEFAULT)
    assert not missing, f"read by the code, absent from deploy/kubernetes: {sorted(missing)}"
    unread = given - read - COMPOSING
    assert not unread, f"given but read by no part: {sorted(unread)}"
    assert not set(LEFT_TO_THEIR_DEFAULT) - read, "a default is listed for a setting no longer read"


def test_each_service_is_told_its_own_database_and_no_other(objects):
    for name, spec in pod_specs(objects):
        [container] = spec["containers"]
        urls = [variable for variable in env_of(container) if variable.endswith("_DATABASE_URL")]
        part = name.removesuffix("-migrate")
        assert urls == ([] if part == "gateway" else [f"{part.upper()}_DATABASE_URL"]), name


def test_a_migration_job_per_service(objects):
    jobs = of_kind(objects, "Job")
    assert sorted(jobs) == sorted(f"{name}-migrate" for name in SERVICES)
    for name in SERVICES:
        [container] = jobs[f"{name}-migrate"]["spec"]["template"]["spec"]["containers"]
        assert container["command"] == ["python", "-m", "kit.migrations", "upgrade", name]
        assert jobs[f"{name}-migrate"]["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_every_part_has_a_disruption_budget(objects):
    budgets = of_kind(objects, "PodDisruptionBudget").values()
    for name, deployment in of_kind(objects, "Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert [budget for budget in budgets if selects(budget["spec"]["selector"], labels)], name
        assert deployment["spec"]["replicas"] >= 2, name


def test_the_gateway_scales_on_cpu_and_each_service_on_its_queue(objects):
    [autoscaler] = of_kind(objects, "HorizontalPodAutoscaler").values()
    assert autoscaler["spec"]["scaleTargetRef"]["name"] == "gateway"
    assert autoscaler["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert autoscaler["spec"]["minReplicas"] >= 2
    scalers = of_kind(objects, "ScaledObject")
    assert sorted(scalers) == sorted(SERVICES)
    authentications = of_kind(objects, "TriggerAuthentication")
    for name, scaler in scalers.items():
        assert scaler["spec"]["scaleTargetRef"]["name"] == name
        assert scaler["spec"]["minReplicaCount"] >= 2
        [trigger] = scaler["spec"]["triggers"]
        assert trigger["type"] == "rabbitmq"
        assert trigger["metadata"]["queueName"] == f"rpc-{name}"
        assert trigger["metadata"]["mode"] == "QueueLength"
        assert trigger["authenticationRef"]["name"] in authentications


def test_every_part_is_in_a_network_policy_and_only_the_gateway_is_reached_from_outside(objects):
    policies = of_kind(objects, "NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny["podSelector"] == {} and sorted(deny["policyTypes"]) == ["Egress", "Ingress"]
    assert "ingress" not in deny and "egress" not in deny
    for name, deployment in of_kind(objects, "Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        own = [policy for policy in policies.values() if selects(policy["spec"]["podSelector"], labels)]
        assert own, f"{name} is in no NetworkPolicy of its own"
        sources = [peer for policy in own for rule in policy["spec"].get("ingress", []) for peer in rule["from"]]
        from_ingress = [peer for peer in sources
                        if peer.get("namespaceSelector", {}).get("matchLabels", {}).get(
                            "kubernetes.io/metadata.name") == "ingress-nginx"]
        assert bool(from_ingress) == (name == "gateway"), name
        assert not [peer for peer in sources if "ipBlock" in peer], name
        egress_ports = {port["port"] for policy in own for rule in policy["spec"].get("egress", [])
                        for port in rule.get("ports", [])}
        if name != "gateway":
            assert {5672, 5432} <= egress_ports, name  # the broker and its database
        assert (443 in egress_ports) == (name in ("vault", "gateway")), name  # the object store, FranceConnect


def test_the_gateway_is_published_in_tls_by_cert_manager(objects):
    [ingress] = of_kind(objects, "Ingress").values()
    assert "cert-manager.io/cluster-issuer" in ingress["metadata"]["annotations"]
    [tls] = ingress["spec"]["tls"]
    [rule] = ingress["spec"]["rules"]
    assert tls["hosts"] == [rule["host"]] and tls["secretName"]
    backends = {path["backend"]["service"]["name"]: path["backend"]["service"]["port"]["name"]
                for path in rule["http"]["paths"]}
    assert backends == {"gateway": "http"}  # never the ops port, where /metrics answers
    [config] = of_kind(objects, "ConfigMap").values()
    assert config["data"]["PORTAL_BASE_URL"] == f"https://{rule['host']}"


def test_the_broker_is_a_three_node_rabbitmq_4_with_quorum_queues(objects):
    [cluster] = of_kind(objects, "RabbitmqCluster").values()
    assert cluster["spec"]["replicas"] == 3
    assert "rabbitmq_prometheus" in cluster["spec"]["rabbitmq"]["additionalPlugins"]
    [vhost] = of_kind(objects, "Vhost").values()
    assert vhost["spec"]["defaultQueueType"] == "quorum"
    [deployment] = [item for item in objects if item["kind"] == "Deployment"][:1]
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert env_of(container)["AMQP_URI"]["value"].endswith(f"/{vhost['spec']['name']}")


def test_postgresql_has_a_replica_one_database_per_service_and_nightly_backups(objects):
    [cluster] = of_kind(objects, "Cluster").values()
    assert cluster["spec"]["instances"] >= 2
    assert sorted(role["name"] for role in cluster["spec"]["managed"]["roles"]) == sorted(SERVICES)
    assert sorted((db["spec"]["name"], db["spec"]["owner"]) for db in of_kind(objects, "Database").values()) == \
        sorted((name, name) for name in SERVICES)
    store = cluster["spec"]["backup"]["barmanObjectStore"]
    assert store["destinationPath"].startswith("s3://")
    assert all("name" in reference for reference in store["s3Credentials"].values())
    [scheduled] = of_kind(objects, "ScheduledBackup").values()
    assert scheduled["spec"]["cluster"]["name"] == cluster["metadata"]["name"]


def test_every_variable_a_value_is_made_of_is_defined_above_it(objects):
    """Kubernetes expands $(NAME) only from the ConfigMap and the entries above; otherwise the
    value keeps the text `$(NAME)`, and a part would log in to the broker as "$(RABBITMQ_USER)"."""
    config = {key for config_map in of_kind(objects, "ConfigMap").values() for key in config_map["data"]}
    for name, spec in pod_specs(objects):
        for container in spec["containers"]:
            above = set(config)
            for variable in container.get("env", []):
                for used in re.findall(r"\$\(([A-Z_][A-Z0-9_]*)\)", variable.get("value", "")):
                    assert used in above, f"{name}: {variable['name']} uses $({used}), defined below it or nowhere"
                above.add(variable["name"])


def secret_references(container):
    return {definition["valueFrom"]["secretKeyRef"]["name"] for definition in env_of(container).values()
            if "secretKeyRef" in definition.get("valueFrom", {})}


def test_each_part_reaches_the_broker_as_its_own_user_from_its_own_secret(objects):
    assert set(broker_users.PARTS) == set(PARTS)
    [vhost] = of_kind(objects, "Vhost").values()
    broker_secrets = {broker_users.kubernetes_secret(part) for part in PARTS}
    for name, spec in pod_specs(objects):
        [container] = spec["containers"]
        used = secret_references(container) & broker_secrets
        if name.endswith("-migrate"):
            assert not used and "AMQP_URI" not in env_of(container), name  # a migration never reaches the broker
            continue
        own = broker_users.kubernetes_secret(name)
        assert used == {own}, f"{name} reads {sorted(used)}"
        env = env_of(container)
        assert env["RABBITMQ_USER"]["valueFrom"]["secretKeyRef"] == {"name": own, "key": "username"}
        assert env["RABBITMQ_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": own, "key": "password"}
        assert env["AMQP_URI"]["value"] == \
            f"amqp://$(RABBITMQ_USER):$(RABBITMQ_PASSWORD)@$(RABBITMQ_HOST):5672/{vhost['spec']['name']}", name


def test_the_operator_makes_a_user_per_part_with_exactly_the_permissions_of_broker_users(objects):
    [cluster] = of_kind(objects, "RabbitmqCluster")  # its name
    [vhost] = of_kind(objects, "Vhost").values()
    users, permissions = of_kind(objects, "User"), of_kind(objects, "Permission")
    assert sorted(users) == sorted([*(broker_users.username(part) for part in PARTS), "portail-keda"])
    granted = {}
    for permission in permissions.values():
        spec = permission["spec"]
        assert "user" not in spec and spec["userReference"]["name"] in users  # the User object, not a name
        assert spec["rabbitmqClusterReference"] == {"name": cluster} and spec["vhost"] == vhost["spec"]["name"]
        assert spec["userReference"]["name"] not in granted, "one Permission per user"
        granted[spec["userReference"]["name"]] = spec["permissions"]
    secrets = [user["spec"]["importCredentialsSecret"]["name"] for user in users.values()]
    assert len(set(secrets)) == len(secrets), "a Secret per user"
    for part in PARTS:
        user = users[broker_users.username(part)]["spec"]
        assert user["rabbitmqClusterReference"] == {"name": cluster}
        assert user["importCredentialsSecret"] == {"name": broker_users.kubernetes_secret(part)}
        assert user["tags"] == []  # no way into the management API
        assert granted[broker_users.username(part)] == broker_users.permissions(part), part


def test_the_users_file_is_what_broker_users_writes():
    """deploy/kubernetes/base/broker-users.yaml is not edited by hand: the permissions are
    written once, in deploy/broker_users.py, for docker-compose, the tests and Kubernetes."""
    written = subprocess.run([sys.executable, "deploy/broker_users.py", "kubernetes"], cwd=ROOT,
                             capture_output=True, text=True, timeout=60, check=True).stdout
    assert (KUBERNETES / "base" / "broker-users.yaml").read_text() == written, \
        "run: python deploy/broker_users.py kubernetes > deploy/kubernetes/base/broker-users.yaml"
    assert [item["kind"] for item in yaml.safe_load_all(written)] == ["User", "Permission"] * len(PARTS)


def test_keda_reads_the_queues_as_its_own_user_with_no_right_on_any_resource(objects):
    users, permissions = of_kind(objects, "User"), of_kind(objects, "Permission")
    keda = users["portail-keda"]["spec"]
    assert keda["tags"] == ["management"]
    assert permissions["portail-keda"]["spec"]["permissions"] == {"configure": "^$", "write": "^$", "read": "^$"}
    [authentication] = of_kind(objects, "TriggerAuthentication").values()
    references = {reference["parameter"]: reference for reference in authentication["spec"]["secretTargetRef"]}
    assert {reference["name"] for reference in references.values()} == {keda["importCredentialsSecret"]["name"]}
    assert (references["username"]["key"], references["password"]["key"]) == ("username", "password")
    assert references["host"]["key"] == "management-url"
    # KEDA, and the Topology Operator that makes the users, reach the management API
    [broker] = [policy["spec"] for policy in of_kind(objects, "NetworkPolicy").values()
                if policy["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "portail-rabbitmq"}}]
    management = [peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                  for rule in broker["ingress"] if {"protocol": "TCP", "port": 15672} in rule.get("ports", [])
                  for peer in rule["from"]]
    assert {"keda", "rabbitmq-system"} <= set(management)


def test_kedas_user_as_the_manifests_make_it_sees_a_queue_depth_and_touches_nothing(vhost):  # noqa: F811
    """On the machine's RabbitMQ: the user KEDA reads the depths as, with the tags and the
    permission of the rendered manifests, gets the depth of a service's queue through the
    management API, and can neither take a message from it nor publish one."""
    objects = render("production")
    keda, permission = of_kind(objects, "User")["portail-keda"], of_kind(objects, "Permission")["portail-keda"]
    name, admin = vhost.rsplit("/", 1)[1], ("guest", "guest")
    user, password = f"{name}-keda", secrets.token_hex(16)
    queue = f"{RABBIT_API}/queues/{name}/rpc-billing"

    def publish(auth):
        return requests.post(f"{RABBIT_API}/exchanges/{name}/amq.default/publish", auth=auth, timeout=10, json={
            "properties": {}, "routing_key": "rpc-billing", "payload": "a call", "payload_encoding": "string"})

    requests.put(queue, auth=admin, timeout=10, json={"durable": True}).raise_for_status()
    publish(admin).raise_for_status()
    requests.put(f"{RABBIT_API}/users/{user}", auth=admin, timeout=10,
                 json={"password": password, "tags": ",".join(keda["spec"]["tags"])}).raise_for_status()
    try:
        requests.put(f"{RABBIT_API}/permissions/{name}/{user}", auth=admin, timeout=10,
                     json=permission["spec"]["permissions"]).raise_for_status()
        deadline = time.monotonic() + 20  # the management API refreshes its figures every 5 s
        while (depth := requests.get(queue, auth=(user, password), timeout=10).json().get("messages")) != 1 \
                and time.monotonic() < deadline:
            time.sleep(1)
        assert depth == 1
        taken = requests.post(f"{queue}/get", auth=(user, password), timeout=10,
                              json={"count": 1, "ackmode": "reject_requeue_true", "encoding": "auto"})
        assert taken.status_code == 401
        assert "ACCESS_REFUSED" in publish((user, password)).text
        assert requests.get(queue, auth=admin, timeout=10).json()["messages"] == 1
    finally:
        requests.delete(f"{RABBIT_API}/users/{user}", auth=admin, timeout=10)
