"""The deployment files keep their promises: the compose stack is valid, complete and holds no
secret; Prometheus loads its configuration and its alerts fire on the failures they name; the
Grafana dashboard asks only for metrics the portal exports.

Plain subprocesses and file reading, no eventlet and no container started: docker-compose 1.29
(`config`), promtool, and pg_virtualenv for a throwaway PostgreSQL cluster.
"""
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from billing import metrics as billing_metrics
from family import metrics as family_metrics
from kit import metrics as kit_metrics
from notify import metrics as notify_metrics
from vault import objects as vault_objects  # the safe's own metrics
from kit.serve import SERVICES
from prometheus_client.metrics import MetricWrapperBase

from gateway import metrics as gateway_metrics

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / "deploy" / "env.example"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
GRAFANA_DIR = ROOT / "deploy" / "grafana"
DASHBOARD = GRAFANA_DIR / "dashboards" / "portail-famille.json"  # the operators' (and Grafana's home)
DASHBOARDS = sorted((GRAFANA_DIR / "dashboards").glob("*.json"))  # with the Caisse's
ALERT_TESTS = [Path(__file__).with_name("alerts_test.yml"), Path(__file__).with_name("alerts_hours_test.yml")]
RULE_FILES = [PROMETHEUS_DIR / "alerts.yml", PROMETHEUS_DIR / "slo.yml"]
CADDYFILE = ROOT / "deploy" / "caddy" / "Caddyfile"
OPS_PORT = 9000

PYTHON_BUILD = {"context": str(ROOT), "dockerfile": "deploy/Dockerfile"}
GATEWAY_COMMAND = ["gunicorn", "-c", "gateway/gunicorn.conf.py", "gateway.wsgi:app"]
METRICS_PORT = 9100
JOBS = {"broker-users"}  # one-shot containers: they run, succeed, and stay stopped

# Every setting a Python part reads, as the lead fixed them (kit, services, gateway, gunicorn).
SETTINGS_READ = {
    "AMQP_URI", "CALLER_CONTEXT_KEY", "OPS_BIND", "FORWARDED_ALLOW_IPS",
    "IDENTITY_DATABASE_URL", "FAMILY_DATABASE_URL", "VAULT_DATABASE_URL", "BILLING_DATABASE_URL",
    "NOTIFY_DATABASE_URL",
    "S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_BUCKET", "S3_SECURE",
    "SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS", "MAIL_FROM",
    "PORTAL_BASE_URL", "METRICS_PORT",
    "PORTAL_BOOTSTRAP_AGENT_EMAIL", "PORTAL_BOOTSTRAP_AGENT_PASSWORD", "PORTAL_SECRET_KEY",
    "RPC_TIMEOUT", "LOG_LEVEL", "NOTIFY_RETRY_DELAY", "REVOCATION_POLL_SECONDS", "FORWARDED_FOR_HOPS",
    "FRANCECONNECT_ISSUER", "FRANCECONNECT_CLIENT_ID", "FRANCECONNECT_CLIENT_SECRET",
    "GATEWAY_BIND", "GATEWAY_WORKERS", "PROMETHEUS_MULTIPROC_DIR",
    "VAULT_URL", "VAULT_MASTER_KEY", "VAULT_PREVIOUS_MASTER_KEYS", "VAULT_HTTP_ADDRESS",
}

# The portal's own metrics, read from their definitions: the services' (kit.metrics), the gateway's, the safe's,
# and those of the facts each service owns (its metrics module).
SERIES_OF = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
KNOWN_SERIES = {metric._name + suffix for module in (kit_metrics, gateway_metrics, vault_objects,
                                                       billing_metrics, notify_metrics, family_metrics)
                for metric in vars(module).values()
                if isinstance(metric, MetricWrapperBase) for suffix in SERIES_OF[metric._type]} | {"up"}
# Besides those, the exporters' own: RabbitMQ's prometheus plugin (`rabbitmq_*`, per queue
# `rabbitmq_detailed_*`), node-exporter (`node_*`), blackbox (`probe_*`), the backups' report,
# and the SLO recording rules (`portail:*`).
RABBITMQ_SERIES = re.compile(r"rabbitmq_[a-z0-9_]+|node_[a-z0-9_]+|probe_[a-z0-9_]+|portail:[a-z0-9_:]+"
                             r"|portail_backup_last_success_timestamp_seconds")


# --- helpers ---------------------------------------------------------------------------------

def run(command, timeout=120, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)


def compose_config(compose_file, env_file, *options):
    """`docker-compose config` of a stack file, with only `env_file` as its settings: neither the
    caller's environment nor a developer's .env can fill in what the file forgets."""
    return run(
        ["docker-compose", "-f", str(compose_file), "--project-directory", str(ROOT),
         "--env-file", str(env_file), "config", *options],
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")})


def example_settings():
    settings = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            settings[name.strip()] = value
    return settings


def required_variables():
    """Variables the stack file cannot start without (`${NAME:?...}`)."""
    return sorted(set(re.findall(r"\$\{(\w+):\?", COMPOSE_FILE.read_text())))


PROMQL_KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan"}


def series_named(expression):
    """Names of the series a PromQL expression selects: every identifier that is not a
    function, an aggregation, a keyword, a label (matchers, by/on clauses) or a string."""
    expression = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expression)
    expression = re.sub(r"\{[^}]*\}", "", expression)
    expression = re.sub(r"\[[^\]]*\]", "", expression)
    expression = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expression)
    names = set()
    for match in re.finditer(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*", expression):
        followed_by_call = expression[match.end():].lstrip().startswith("(")
        if not followed_by_call and match.group() not in PROMQL_KEYWORDS:
            names.add(match.group())
    return names


def dashboard_queries():
    """(panel title, PromQL) of every query of every dashboard."""
    return [(panel["title"], target["expr"]) for path in DASHBOARDS
            for panel in json.loads(path.read_text())["panels"] for target in panel.get("targets", [])]


def alert_rules():
    """Every rule (alerts and recording rules) of the rule files Prometheus loads."""
    return [rule for path in RULE_FILES for group in yaml.safe_load(path.read_text())["groups"]
            for rule in group["rules"]]


def container_ports(service):
    """Container side of each published port, in compose's long or short syntax."""
    return [int(port["target"]) if isinstance(port, dict) else int(port.split("/")[0].split(":")[-1])
            for port in service.get("ports", [])]


def bind_mounts(service):
    """{host path: container path} of the folders and files mounted into a container."""
    mounts = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            if volume["type"] == "bind":
                mounts[volume["source"]] = volume["target"]
        elif volume.startswith("/"):
            source, target = volume.split(":")[:2]
            mounts[source] = target
    return mounts


def dockerfile_instructions():
    """The Dockerfile's instructions, one a line, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def without_grafana_variables(expression):
    return (expression.replace("$__rate_interval", "5m").replace("$__range", "1h")
            .replace("$__interval", "1m"))


# --- fixtures --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def stack():
    """The stack as docker-compose resolves it with the example settings."""
    resolved = compose_config(COMPOSE_FILE, ENV_EXAMPLE)
    assert resolved.returncode == 0, resolved.stderr
    return yaml.safe_load(resolved.stdout)["services"]


@pytest.fixture(scope="module")
def python_parts(stack):
    """The long-running parts built from the portal's image (not the one-shot jobs)."""
    return {name: service for name, service in stack.items() if "build" in service and name not in JOBS}


@pytest.fixture(scope="module")
def raw_stack():
    """The stack file as written, before any setting is filled in."""
    return yaml.safe_load(COMPOSE_FILE.read_text())["services"]


# --- docker-compose.yml ----------------------------------------------------------------------

def test_the_stack_is_valid_with_the_example_settings():
    result = compose_config(COMPOSE_FILE, ENV_EXAMPLE, "-q")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize("variable", required_variables())
def test_the_stack_refuses_to_start_while_a_secret_is_missing(variable, tmp_path):
    settings = example_settings()
    assert variable in settings, f"deploy/env.example does not show how to set {variable}"
    del settings[variable]
    env_file = tmp_path / "env"
    env_file.write_text("".join(f"{name}={value}\n" for name, value in settings.items()))
    result = compose_config(COMPOSE_FILE, env_file, "-q")
    assert result.returncode != 0
    assert f"{variable} is not set" in result.stderr


def break_by_depending_on_a_missing_service(services):
    services["gateway"]["depends_on"]["payments"] = {"condition": "service_healthy"}


def break_by_misspelling_a_key(services):
    services["identity"]["healthchek"] = services["identity"].pop("healthcheck")


def break_by_an_unknown_condition(services):
    services["vault"]["depends_on"]["s3"]["condition"] = "service_completed"


def break_by_a_command_that_is_not_a_list_or_a_string(services):
    services["billing"]["command"] = {"python": "-m kit.serve billing"}


@pytest.mark.parametrize("breakage", [
    break_by_depending_on_a_missing_service, break_by_misspelling_a_key, break_by_an_unknown_condition,
    break_by_a_command_that_is_not_a_list_or_a_string,
], ids=lambda breakage: breakage.__name__.removeprefix("break_by_"))
def test_a_broken_copy_of_the_stack_is_rejected(breakage, tmp_path):
    document = yaml.safe_load(COMPOSE_FILE.read_text())
    intact, broken = tmp_path / "intact.yml", tmp_path / "broken.yml"
    intact.write_text(yaml.safe_dump(document, allow_unicode=True))
    breakage(document["services"])
    broken.write_text(yaml.safe_dump(document, allow_unicode=True))

    assert compose_config(intact, ENV_EXAMPLE, "-q").returncode == 0
    assert compose_config(broken, ENV_EXAMPLE, "-q").returncode != 0


def test_every_service_starts_with_kit_serve_under_its_own_name(python_parts):
    services = {name: part for name, part in python_parts.items() if name != "gateway"}
    assert sorted(services) == sorted(SERVICES)
    for name, service in services.items():
        assert service["command"] == ["python", "-m", "kit.serve", name]


def test_the_gateway_runs_under_gunicorn_behind_caddy_with_its_ops_port_inside(stack, python_parts):
    gateway = python_parts["gateway"]
    assert gateway["command"] == GATEWAY_COMMAND
    assert container_ports(gateway) == []  # only Caddy is published
    assert gateway["environment"]["OPS_BIND"] == f"0.0.0.0:{OPS_PORT}"
    assert f"http://127.0.0.1:{OPS_PORT}/healthz" in " ".join(gateway["healthcheck"]["test"])
    assert sorted(container_ports(stack["caddy"])) == [80, 443, 443]
    published = {name for name, service in stack.items() if service.get("ports")}
    for name in published - {"caddy"}:
        assert all(port.get("host_ip") == "127.0.0.1" if isinstance(port, dict) else port.startswith("127.0.0.1:")
                   for port in stack[name]["ports"]), name


def test_caddy_serves_the_portal_in_tls_with_hsts_and_never_the_ops_endpoints():
    caddyfile = CADDYFILE.read_text()
    assert "{$PORTAL_HOST} {" in caddyfile
    assert 'Strict-Transport-Security "max-age=63072000; includeSubDomains"' in caddyfile
    assert re.search(r"@ops path /metrics /metrics/\* /healthz\n\s*respond @ops 404", caddyfile)
    assert re.findall(r"reverse_proxy (\S+)", caddyfile) == ["gateway:8000"]
    result = run(["caddy", "validate", "--adapter", "caddyfile", "--config", str(CADDYFILE)]) \
        if shutil.which("caddy") else None
    assert result is None or result.returncode == 0, result and result.stderr


def test_only_caddy_and_the_gateway_share_the_edge_network_and_the_rest_has_no_way_out(stack):
    raw = yaml.safe_load(COMPOSE_FILE.read_text())
    assert raw["networks"]["internal"] == {"internal": True}
    on_edge = {name for name, service in stack.items() if "edge" in service["networks"]}
    assert on_edge == {"caddy", "gateway", "blackbox"}
    for name in ["postgres", "s3", *SERVICES]:
        assert "internal" in stack[name]["networks"], name
    leaving = {name for name, service in stack.items() if "outside" in service["networks"]}
    # e-mails to the relay, the documents' mirror, and the operators' pages on the loopback
    assert leaving == {"notify", "backup-documents", "alertmanager", "rabbitmq", "mailpit", "prometheus", "grafana"}


def test_every_python_part_is_built_from_the_one_image(python_parts):
    assert sorted(python_parts) == sorted([*SERVICES, "gateway"])
    assert all(part["build"] == PYTHON_BUILD for part in python_parts.values())
    assert len({part["image"] for part in python_parts.values()}) == 1


def test_the_python_parts_are_given_only_settings_they_read(python_parts):
    for name, part in python_parts.items():
        unread = set(part["environment"]) - SETTINGS_READ
        assert not unread, f"{name} is given {unread}"


def test_each_service_is_told_where_its_own_database_is_and_no_other(python_parts):
    for name, part in python_parts.items():
        urls = {key: value for key, value in part["environment"].items() if key.endswith("_DATABASE_URL")}
        if name == "gateway":
            assert urls == {}
            continue
        assert list(urls) == [f"{name.upper()}_DATABASE_URL"]
        assert re.fullmatch(rf"postgresql\+psycopg2://{name}:[^@]+@postgres:5432/{name}", urls.popitem()[1])


def test_each_service_serves_its_metrics_on_the_port_prometheus_scrapes(python_parts):
    for name in SERVICES:
        assert python_parts[name]["environment"]["METRICS_PORT"] == str(METRICS_PORT)
        healthcheck = " ".join(python_parts[name]["healthcheck"]["test"])
        assert f"http://127.0.0.1:{METRICS_PORT}/metrics" in healthcheck


def test_every_part_waits_until_what_it_needs_is_ready(stack):
    needs = {name: {"rabbitmq", "postgres", "broker-users"} for name in SERVICES}
    needs["vault"] |= {"s3"}
    needs["notify"] |= {"mailpit"}
    needs["gateway"] = {"rabbitmq", *SERVICES}
    needs["caddy"] = {"gateway"}
    needs["backup-postgres"] = {"postgres"}
    needs["backup-documents"] = {"s3"}
    needs["broker-users"] = {"rabbitmq"}
    for name, wanted in needs.items():
        assert set(stack[name]["depends_on"]) == wanted, name
    for name, service in stack.items():
        for dependency, how in service.get("depends_on", {}).items():
            if dependency in JOBS:
                assert how["condition"] == "service_completed_successfully", f"{name} -> {dependency}"
            else:
                assert how["condition"] == "service_healthy", f"{name} -> {dependency}"
                assert "healthcheck" in stack[dependency], dependency


def test_every_long_running_container_has_a_healthcheck_and_restarts(stack):
    for name, service in stack.items():
        if name in JOBS:
            assert service["restart"] == "no", name
            continue
        assert service["healthcheck"]["test"][0] == "CMD", name
        assert service["restart"] == "unless-stopped", name


def test_rabbitmq_is_version_4():
    assert re.fullmatch(r"rabbitmq:4\.\d+\.\d+-management", yaml.safe_load(COMPOSE_FILE.read_text())["services"]["rabbitmq"]["image"])


def test_every_image_is_pinned_to_a_release(stack):
    for name, service in stack.items():
        if "build" in service:
            continue
        repository, _, tag = service["image"].rpartition(":")
        assert repository and "/" not in tag, f"{name} has no tag"
        assert tag != "latest" and re.search(r"\d+\.\d+|RELEASE\.\d{4}-", tag), f"{name}: {tag}"
    bases = [line for line in dockerfile_instructions() if line.startswith("FROM ")]
    assert bases and all(re.fullmatch(r"FROM python:3\.11\.\d+-slim-\w+( AS \w+)?", base) for base in bases)


def test_no_secret_is_written_in_the_stack_file(raw_stack):
    """Credentials, alone or inside a URL, come only from variables, none with a default."""
    secret_name = re.compile(r"PASSWORD|PASS$|SECRET|ACCESS_KEY|DATABASE_URL|AMQP_URI")
    for name, service in raw_stack.items():
        for key, value in (service.get("environment") or {}).items():
            if not secret_name.search(key):
                continue
            assert not re.search(r"\$\{\w+:-[^}]", value), f"{name}.{key} has a default"
            written = re.sub(r"\$\{[^}]*\}", "", value)
            if "://" in value:
                user_and_password = written.split("://", 1)[1].split("@", 1)[0]
                assert re.fullmatch(r"[\w.-]*:", user_and_password), f"{name}.{key}"
            else:
                assert written == "", f"{name}.{key}"


def test_the_example_settings_are_placeholders_only():
    for name, value in example_settings().items():
        if re.search(r"PASSWORD|SECRET", name):
            assert value.startswith("change-me"), name


# --- deploy/Dockerfile -----------------------------------------------------------------------

def test_the_image_runs_as_a_non_root_user():
    users = [line.split()[1] for line in dockerfile_instructions() if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("root", "0")


def final_stage():
    instructions = dockerfile_instructions()
    last_from = max(index for index, line in enumerate(instructions) if line.startswith("FROM "))
    return instructions[last_from:]


def test_the_image_installs_the_runtime_lock_with_its_hashes_and_not_the_test_tools():
    runs = " ".join(line for line in dockerfile_instructions() if line.startswith("RUN "))
    assert "pip install --require-hashes --no-deps --only-binary=:all: -r /tmp/requirements.txt" in runs
    assert "requirements-dev" not in DOCKERFILE.read_text()


def test_the_final_stage_copies_the_built_environment_and_installs_nothing():
    stage = final_stage()
    assert stage[0] == "FROM python:3.11.14-slim-bookworm"
    assert "COPY --from=build /opt/portail /opt/portail" in stage
    runs = " ".join(line for line in stage if line.startswith("RUN "))
    assert "pip install" not in runs and "apt-get" not in runs
    assert "pip uninstall --yes pip" in runs


def test_the_image_has_a_healthcheck_that_fits_services_and_gateway(monkeypatch):
    [healthcheck] = [line for line in final_stage() if line.startswith("HEALTHCHECK ")]
    assert healthcheck.endswith('CMD ["python", "/app/deploy/healthcheck.py"]')
    import healthcheck as image_healthcheck
    monkeypatch.setenv("METRICS_PORT", "9100")
    assert image_healthcheck.url() == "http://127.0.0.1:9100/metrics"
    monkeypatch.delenv("METRICS_PORT")
    monkeypatch.setenv("GATEWAY_BIND", "0.0.0.0:8080")
    assert image_healthcheck.url() == "http://127.0.0.1:8080/healthz"


def test_hadolint_finds_nothing_to_say_about_the_dockerfile():
    result = run([str(Path(sys.executable).with_name("hadolint")), str(DOCKERFILE)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_the_image_holds_every_part_and_puts_it_on_the_python_path():
    instructions = dockerfile_instructions()
    for folder in ("services/", "gateway/", "deploy/"):
        assert f"COPY {folder} {folder}" in instructions
    path = next(line for line in instructions if "PYTHONPATH=" in line).split("PYTHONPATH=")[1].split()[0]
    expected = ["/app/services/kit", *(f"/app/services/{name}" for name in SERVICES), "/app/gateway", "/app/deploy"]
    assert path.split(":") == expected


# --- deploy/postgres/init.sh -----------------------------------------------------------------

CHECK_DATABASES = r"""
set -euo pipefail
POSTGRES_USER="$PGUSER" POSTGRES_DB=postgres bash deploy/postgres/init.sh >/dev/null
as() { local role=$1; shift; local variable="${role^^}_DB_PASSWORD"; PGPASSWORD="${!variable}" "$@"; }
for role in identity family vault billing notify; do
  for database in identity family vault billing notify; do
    if ! as "$role" psql -X -q -U "$role" -d "$database" -c "SELECT 1" >/dev/null 2>&1; then
      echo "$role $database refused"
    elif as "$role" psql -X -q -U "$role" -d "$database" -v ON_ERROR_STOP=1 \
           -c "CREATE TABLE written_by_$role (id integer)" >/dev/null 2>&1; then
      echo "$role $database writes"
    else
      echo "$role $database reads"
    fi
  done
  if PGPASSWORD=wrong psql -X -q -U "$role" -d "$role" -c "SELECT 1" >/dev/null 2>&1; then
    echo "$role $role lets-in-a-wrong-password"
  fi
done
"""


def test_each_service_gets_its_own_database_that_the_others_cannot_open():
    passwords = {f"{name.upper()}_DB_PASSWORD": secrets.token_hex(8) for name in SERVICES}
    result = run(["pg_virtualenv", "bash", "-c", CHECK_DATABASES], cwd=ROOT, env={**os.environ, **passwords})
    assert result.returncode == 0, result.stderr
    outcomes = {tuple(line.split()[:2]): line.split()[2] for line in result.stdout.splitlines()
                if line.split()[:1] and line.split()[0] in SERVICES}
    assert outcomes == {(role, database): "writes" if role == database else "refused"
                        for role in SERVICES for database in SERVICES}


# --- deploy/s3/s3.sh --------------------------------------------------------------------------

def test_the_s3_store_gives_the_vault_a_key_to_the_documents_bucket_only(tmp_path):
    """The script writes SeaweedFS's identities, then starts it: here `weed` is a stand-in."""
    (tmp_path / "weed").write_text("#!/bin/sh\necho \"weed $*\"\n")
    (tmp_path / "weed").chmod(0o755)
    script = (ROOT / "deploy" / "s3" / "s3.sh").read_text().replace("/etc/seaweedfs", str(tmp_path))
    env = {"PATH": f"{tmp_path}:{os.environ['PATH']}", "S3_BUCKET": "documents",
           "S3_ADMIN_ACCESS_KEY": "admin", "S3_ADMIN_SECRET_KEY": "admin-secret",
           "VAULT_S3_ACCESS_KEY": "vault", "VAULT_S3_SECRET_KEY": "vault-secret"}
    result = run(["sh", "-c", script], env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("weed server -dir=/data -s3 -s3.port=8333 -s3.config=")
    identities = {identity["name"]: identity for identity in json.loads((tmp_path / "s3.json").read_text())["identities"]}
    assert identities["vault"]["credentials"] == [{"accessKey": "vault", "secretKey": "vault-secret"}]
    assert identities["vault"]["actions"] == ["Read:documents", "Write:documents", "List:documents"]
    assert oct((tmp_path / "s3.json").stat().st_mode & 0o777) == "0o600"


# --- Prometheus ------------------------------------------------------------------------------

def test_prometheus_accepts_its_configuration_and_the_rules_it_names():
    result = run(["promtool", "check", "config", str(PROMETHEUS_DIR / "prometheus.yml")])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 rule files found" in result.stdout


def test_the_alert_rules_are_valid():
    result = run(["promtool", "check", "rules", *map(str, RULE_FILES)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_alert_fires_on_the_failure_it_names_and_stays_quiet_otherwise():
    tested = {case["alertname"] for tests in ALERT_TESTS for test in yaml.safe_load(tests.read_text())["tests"]
              for case in test["alert_rule_test"] if case["exp_alerts"]}
    assert tested == {rule["alert"] for rule in alert_rules() if "alert" in rule}
    result = run(["promtool", "test", "rules", *map(str, ALERT_TESTS)], timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_scrapes_the_gateway_every_service_and_rabbitmq():
    jobs = {job["job_name"]: [target for config in job["static_configs"] for target in config["targets"]]
            for job in yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())["scrape_configs"]}
    assert jobs["gateway"] == [f"gateway:{OPS_PORT}"]
    assert sorted(jobs["services"]) == sorted(f"{name}:{METRICS_PORT}" for name in SERVICES)
    assert jobs["rabbitmq"] == jobs["rabbitmq-queues"] == ["rabbitmq:15692"]
    assert jobs["node"] == ["node-exporter:9100"] and jobs["blackbox"] == ["https://PORTAL_HOST/"]


# --- Alertmanager ----------------------------------------------------------------------------

def test_alertmanager_accepts_its_configuration_and_mails_the_ops_address(stack, tmp_path):
    settings = {name: value for name, value in stack["alertmanager"]["environment"].items()}
    rendered = run(["sh", str(ROOT / "deploy" / "alertmanager" / "start.sh"), "render"],
                   env={"PATH": os.environ["PATH"], **settings})
    assert rendered.returncode == 0, rendered.stderr
    (tmp_path / "alertmanager.yml").write_text(rendered.stdout)
    checked = run(["amtool", "check-config", str(tmp_path / "alertmanager.yml")])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    config = yaml.safe_load(rendered.stdout)
    assert config["global"]["smtp_smarthost"] == "mailpit:1025"  # Mailpit catches them in this stack
    [receiver] = config["receivers"]
    assert receiver["email_configs"][0]["to"] == example_settings()["ALERT_EMAIL_TO"]
    assert config["route"]["receiver"] == receiver["name"]
    assert "prometheus" in stack and {"targets": ["alertmanager:9093"]} in yaml.safe_load(
        (PROMETHEUS_DIR / "prometheus.yml").read_text())["alerting"]["alertmanagers"][0]["static_configs"]


# --- metrics read by alerts and the dashboard ------------------------------------------------

def test_the_series_reader_finds_exactly_the_series_an_expression_selects():
    expression = ('histogram_quantile(0.95, sum by (le, route) (rate(a_bucket{status=~"5..", x="y}"}[5m]))) '
                  "/ on (route) group_left (service) b_total and ignoring (le) max(c) > 0.05 or vector(1)")
    assert series_named(expression) == {"a_bucket", "b_total", "c"}


@pytest.mark.parametrize("source", ["alerts", "dashboard"])
def test_every_series_read_is_one_the_portal_or_rabbitmq_exports(source):
    expressions = ([(rule.get("alert") or rule["record"], rule["expr"]) for rule in alert_rules()]
                   if source == "alerts" else dashboard_queries())
    for title, expression in expressions:
        unknown = {name for name in series_named(expression)
                   if name not in KNOWN_SERIES and not RABBITMQ_SERIES.fullmatch(name)}
        assert not unknown, f"{title}: {unknown}"


# --- Grafana ---------------------------------------------------------------------------------

def test_the_dashboard_is_valid_json_named_portail_famille():
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["title"] == "Portail famille"
    assert dashboard["uid"] == "portail-famille"
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))


def test_the_caisse_has_its_own_dashboard_of_what_families_do():
    dashboards = {json.loads(path.read_text())["uid"]: json.loads(path.read_text()) for path in DASHBOARDS}
    assert set(dashboards) == {"portail-famille", "portail-famille-caisse"}
    caisse = " ".join(target["expr"] for panel in dashboards["portail-famille-caisse"]["panels"]
                      for target in panel.get("targets", []))
    for series in ("portail_notify_emails_total", "portail_notify_delivery_lag_seconds_bucket",
                   "portail_billing_invoices_issued_total", "portail_billing_run_duration_seconds_sum",
                   "portail_payments_total", "portail_bookings_total", "portail_preregistrations_total",
                   "portail_requests_open"):
        assert series in caisse
    ops = " ".join(target["expr"] for panel in dashboards["portail-famille"]["panels"]
                   for target in panel.get("targets", []))
    for series in ("rabbitmq_detailed_queue_messages_ready", "portail_outbox_oldest_pending_age_seconds",
                   "portail:http_errors:ratio_rate1h", "portail_backup_last_success_timestamp_seconds"):
        assert series in ops


def test_every_dashboard_query_is_valid_promql(tmp_path):
    rules = [{"record": f"dashboard:query_{index}", "expr": without_grafana_variables(expression)}
             for index, (_, expression) in enumerate(dashboard_queries())]
    rules_file = tmp_path / "dashboard-queries.yml"
    rules_file.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = run(["promtool", "check", "rules", str(rules_file)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dashboard_shows_traffic_errors_latency_events_and_what_is_up():
    queries = " ".join(expression for _, expression in dashboard_queries())
    assert "sum by (route) (rate(portail_http_requests_total" in queries
    assert 'portail_http_requests_total{status=~"5.."}' in queries
    assert "sum by (le, service, entrypoint) (rate(portail_entrypoint_duration_seconds_bucket" in queries
    assert "sum by (service, event_type) (rate(portail_events_published_total" in queries
    assert 'up{job=~"gateway|services|rabbitmq"}' in queries


def test_every_panel_reads_the_provisioned_prometheus():
    datasources = yaml.safe_load((GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml").read_text())
    [prometheus] = datasources["datasources"]
    assert prometheus["url"] == "http://prometheus:9090"
    for panel in [panel for path in DASHBOARDS for panel in json.loads(path.read_text())["panels"]]:
        for source in [panel.get("datasource"), *(target["datasource"] for target in panel.get("targets", []))]:
            if source is not None:
                assert source == {"type": "prometheus", "uid": prometheus["uid"]}, panel["title"]


def test_grafana_and_prometheus_read_their_files_where_the_stack_mounts_them(stack):
    provider = yaml.safe_load((GRAFANA_DIR / "provisioning" / "dashboards" / "portail-famille.yml").read_text())
    [dashboards] = provider["providers"]
    mounts = {Path(source).relative_to(ROOT).as_posix(): target
              for name in ("grafana", "prometheus") for source, target in bind_mounts(stack[name]).items()}
    assert mounts["deploy/grafana/dashboards"] == dashboards["options"]["path"]
    assert mounts["deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
    assert mounts["deploy/prometheus"] == "/etc/prometheus"
    assert stack["prometheus"]["entrypoint"] == ["/bin/sh", "/etc/prometheus/start.sh"]
    assert "/etc/prometheus" in (PROMETHEUS_DIR / "start.sh").read_text()
    home = stack["grafana"]["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home == f"{dashboards['options']['path']}/{DASHBOARD.name}"


def test_each_part_reaches_the_broker_as_its_own_user_made_before_it_starts(stack, python_parts):
    assert stack["broker-users"]["command"] == ["python", "deploy/broker_users.py"]
    assert stack["broker-users"]["build"] == PYTHON_BUILD
    for name in (*SERVICES, "gateway"):
        assert python_parts[name]["environment"]["AMQP_URI"].startswith(f"amqp://portail-{name}:"), name
    for name in SERVICES:
        assert python_parts[name]["depends_on"]["broker-users"]["condition"] == "service_completed_successfully"
