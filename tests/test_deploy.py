"""deploy/: the image, its entrypoint, Compose, Kubernetes and systemd, checked without Docker.

The Dockerfile, Compose and Kubernetes files are parsed and checked against what the code
expects (settings names, ports, paths); the Kubernetes manifests are validated against the
Kubernetes API schemas that kubernetes-validate ships. The entrypoint and the init container's
wait script run for real, with the project's own ``commonplace`` command.
"""

from __future__ import annotations

import configparser
import http.server
import importlib.metadata
import json
import os
import re
import selectors
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from sqlalchemy.engine import make_url

from bot import db
from bot.cli import WEBHOOK_PATH
from bot.config import Settings
from bot.delivery.engine import STOP_GRACE

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
DOCKERFILE = DEPLOY / "Dockerfile"
ENTRYPOINT = DEPLOY / "entrypoint.sh"
LOCK = DEPLOY / "requirements.lock"
UNIT = DEPLOY / "systemd" / "commonplace.service"

SETTINGS = {name.upper() for name in Settings.model_fields}
# The oldest Kubernetes the manifests promise to work on, and the newest with a schema here.
KUBERNETES_VERSIONS = ("1.29.0", kubernetes_validate.utils.latest_version())
BOT_LABELS = {"app.kubernetes.io/name": "commonplace", "app.kubernetes.io/component": "bot"}
FIRST_REVISION = "0001"


# --- Dockerfile ---------------------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (INSTRUCTION, arguments), continuations joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append((keyword.upper(), " ".join(arguments.split())))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def stages() -> list[list[tuple[str, str]]]:
    """Instructions grouped by build stage (everything from one FROM to the next)."""
    result: list[list[tuple[str, str]]] = []
    for keyword, arguments in dockerfile():
        if keyword == "FROM":
            result.append([])
        if result:
            result[-1].append((keyword, arguments))
    return result


def runtime_env() -> dict[str, str]:
    """The ENV of the final stage."""
    env: dict[str, str] = {}
    for keyword, arguments in stages()[-1]:
        if keyword == "ENV":
            env.update(part.split("=", 1) for part in shlex.split(arguments))
    return env


def sqlite_file(url: str) -> Path:
    """The database file a SQLite URL names, read as ``bot.db.create_db_engine`` reads it."""
    database = make_url(url).database
    assert database, url
    return Path(database)


def exec_form(arguments: str) -> list[str]:
    """The JSON array of an exec-form instruction, refusing the shell form."""
    value = json.loads(arguments)
    assert isinstance(value, list) and all(isinstance(item, str) for item in value), arguments
    return value


def test_dockerfile_is_two_stages_on_a_pinned_slim_python() -> None:
    args = dict(a.split("=", 1) for k, a in dockerfile() if k == "ARG" and "=" in a)
    image = args["PYTHON_IMAGE"]
    # A patch release (and optionally a digest), never a moving tag like 3.11-slim or latest.
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-[a-z]+)?(@sha256:[0-9a-f]{64})?", image)
    builder, runtime = stages()
    assert builder[0] == ("FROM", "${PYTHON_IMAGE} AS builder")
    assert runtime[0] == ("FROM", "${PYTHON_IMAGE} AS runtime")
    assert ("COPY", "--from=builder /opt/venv /opt/venv") in runtime
    assert runtime_env()["PATH"].startswith("/opt/venv/bin:")


def test_dockerfile_installs_the_lock_then_the_project_without_resolving() -> None:
    builder, _ = stages()
    runs = [arguments for keyword, arguments in builder if keyword == "RUN"]
    assert "pip install --no-deps -r deploy/requirements.lock" in runs
    project = next(run for run in runs if "pip wheel" in run)
    assert "pip wheel --no-deps" in project
    assert "pip install --no-deps /tmp/wheels/commonplace-" in project
    assert project.endswith("pip check")
    # The lock is copied and installed before the source, so code changes reuse that layer.
    order = [arguments for keyword, arguments in builder if keyword in {"COPY", "RUN"}]
    assert order.index("deploy/requirements.lock deploy/requirements.lock") < order.index("bot bot")


def test_dockerfile_runs_as_a_fixed_unprivileged_user() -> None:
    _, runtime = stages()
    users = [arguments for keyword, arguments in runtime if keyword == "USER"]
    assert users, "the runtime stage sets no USER: it would run as root"
    uid, _, gid = users[-1].partition(":")
    # Numeric, so Kubernetes' runAsNonRoot can check it without reading /etc/passwd.
    assert uid.isdigit() and int(uid) != 0 and gid.isdigit() and int(gid) != 0
    created = next(arguments for keyword, arguments in runtime if "useradd" in arguments)
    assert f"--uid {uid}" in created and f"--gid {gid}" in created
    for path in ("deployment.yaml", "migrate-job.yaml"):
        pod = k8s_object(path)["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsUser"] == int(uid), path
        assert pod["securityContext"]["runAsGroup"] == int(gid), path


def test_dockerfile_entrypoint_command_volume_and_settings() -> None:
    _, runtime = stages()
    instructions = dict(runtime)
    assert exec_form(instructions["ENTRYPOINT"]) == ["/app/entrypoint.sh"]
    assert exec_form(instructions["CMD"]) == ["run"]
    assert ("COPY", "--chmod=0755 deploy/entrypoint.sh /app/entrypoint.sh") in runtime
    assert exec_form(instructions["VOLUME"]) == ["/data"]
    assert instructions["EXPOSE"].split() == ["8080", "9090"]
    env = runtime_env()
    assert env["DATABASE_URL"] == "sqlite:////data/commonplace.db"
    assert sqlite_file(env["DATABASE_URL"]) == Path("/data/commonplace.db")
    assert env["HEALTH_LISTEN"] == "0.0.0.0"
    assert env["HEALTH_PORT"] == "9090" and env["WEBHOOK_PORT"] == "8080"
    # Installed as a wheel, the package's default sample path (<site-packages>/../seeds) is
    # wrong: the image copies seeds/ and points SAMPLE_LIBRARY at the copy.
    assert ("COPY", "seeds /app/seeds") in runtime
    sample = Path(env["SAMPLE_LIBRARY"])
    assert sample.is_relative_to("/app/seeds")
    assert (ROOT / "seeds" / sample.relative_to("/app/seeds")).is_file()
    not_settings = {"PATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "MPLCONFIGDIR"}
    assert set(env) - not_settings <= SETTINGS


def test_dockerfile_copies_only_what_exists_and_the_ignore_file_lets_through() -> None:
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    exceptions = [number for number, line in enumerate(ignore) if line.startswith("!")]
    assert ignore.index("*") < min(exceptions), "everything is excluded, then let in by name"
    for keyword, arguments in dockerfile():
        if keyword != "COPY" or "--from=" in arguments:
            continue
        *sources, _ = [part for part in arguments.split() if not part.startswith("--")]
        for source in sources:
            assert (ROOT / source).exists(), source
            assert f"!{source}" in ignore, f"{source} is not let into the build context"


@pytest.fixture
def health_server() -> Iterator[tuple[int, list[int]]]:
    """A loopback /healthz whose status the test sets (the list's last item)."""
    statuses = [200]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(statuses[-1] if self.path == "/healthz" else 404)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            """Keep the test's output clean."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1], statuses
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_healthcheck_command_passes_on_200_and_fails_on_503(
    health_server: tuple[int, list[int]],
) -> None:
    port, statuses = health_server
    options, _, command = dict(stages()[-1])["HEALTHCHECK"].partition(" CMD ")
    assert "--interval=" in options and "--timeout=" in options
    argv = exec_form(command)
    assert argv[0] == "python"
    compose_check = compose()["services"]["bot"]["healthcheck"]["test"]
    assert compose_check == ["CMD", *argv], "Compose and the image probe the same way"
    env = {"PATH": os.environ.get("PATH", ""), "HEALTH_PORT": str(port)}
    healthy = subprocess.run([sys.executable, *argv[1:]], env=env, capture_output=True, timeout=30)
    assert healthy.returncode == 0, healthy.stderr
    statuses.append(503)
    unhealthy = subprocess.run(
        [sys.executable, *argv[1:]], env=env, capture_output=True, timeout=30
    )
    assert unhealthy.returncode == 1
    assert b"HTTP Error 503" in unhealthy.stderr


# --- requirements.lock --------------------------------------------------------------------


def locked() -> dict[str, str]:
    """Canonical package name -> pinned version."""
    pins: dict[str, str] = {}
    for raw in LOCK.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!-]+)", line)
        assert match, f"not an exact pin: {line!r}"
        pins[canonicalize_name(match[1])] = match[2]
    return pins


def project_requirements() -> list[Requirement]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        project = tomllib.load(file)["project"]
    return [Requirement(spec) for spec in project["dependencies"]]


def test_lock_pins_every_declared_dependency_within_its_range() -> None:
    pins = locked()
    for requirement in project_requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is a dependency but not in deploy/requirements.lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{name}=={pins[name]} is outside pyproject's {requirement.specifier}"
        )
    assert "commonplace" not in pins, "the project itself is installed from its own wheel"


def test_lock_is_closed_under_the_dependencies_of_the_locked_versions() -> None:
    """Each locked package installed here at its locked version brings only locked packages.

    Its metadata is then exactly what the image installs, so a dependency missing from the lock
    (which `pip install --no-deps` would silently skip) shows up here, not in production.
    """
    pins = locked()
    queue = [(canonicalize_name(r.name), frozenset(r.extras)) for r in project_requirements()]
    seen: set[tuple[str, frozenset[str]]] = set()
    expanded = 0
    while queue:
        name, extras = queue.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        assert name in pins, f"{name} is needed but missing from deploy/requirements.lock"
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        if distribution.version != pins[name]:
            continue  # other metadata than the image's: nothing to conclude from it
        expanded += 1
        for spec in distribution.requires or []:
            requirement = Requirement(spec)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in extras | {""}):
                queue.append((canonicalize_name(requirement.name), frozenset(requirement.extras)))
    assert expanded, "no locked version is installed here: the check proved nothing"


# --- entrypoint.sh ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def commonplace_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder holding the real `commonplace` command of the Python running the tests.

    `make test` installs the project into .venv, so it is beside sys.executable. A
    virtualenv without the project installed gets the same two lines pip writes for the
    console script, run from this checkout.
    """
    installed = Path(sys.executable).parent / "commonplace"
    if installed.is_file() and os.access(installed, os.X_OK):
        return installed.parent
    folder = tmp_path_factory.mktemp("bin")
    script = folder / "commonplace"
    script.write_text(f"#!{sys.executable}\nfrom bot.cli import main\nmain()\n", encoding="utf-8")
    script.chmod(0o755)
    return folder


def clean_env(commonplace_bin: Path, home: Path, **settings: str) -> dict[str, str]:
    """Only what a container would have: no token or database from the developer's shell."""
    return {
        "PATH": f"{commonplace_bin}:/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "HOME": str(home),
        **settings,
    }


def entrypoint(
    *args: str, cwd: Path, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", str(ENTRYPOINT), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def test_entrypoint_is_posix_sh_and_stops_on_errors() -> None:
    lines = ENTRYPOINT.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#!/bin/sh"
    assert "set -eu" in lines
    assert lines[-1] == 'exec commonplace "$@"'


def test_entrypoint_reads_auto_migrate_as_the_settings_do() -> None:
    script = ENTRYPOINT.read_text(encoding="utf-8")
    match = re.search(r"^ +(false[^)]*)\) migrate=no ;;$", script, flags=re.MULTILINE)
    assert match, "the AUTO_MIGRATE case pattern moved"
    skipped = {spelling.strip() for spelling in match[1].split("|")}
    # The script lower-cases the value first; these are pydantic's spellings of a boolean.
    for spelling in ("0", "off", "f", "false", "n", "no", "1", "on", "t", "true", "y", "yes"):
        disabled = not Settings(auto_migrate=spelling).auto_migrate
        assert (spelling in skipped) == disabled, spelling


def revision(database: Path) -> str | None:
    """The schema revision of a SQLite file, read in-process (cheaper than a subprocess)."""
    engine = db.create_db_engine(f"sqlite:///{database}")
    try:
        return db.current_revision(engine)
    finally:
        engine.dispose()


def test_entrypoint_migrates_then_runs_the_command(tmp_path: Path, commonplace_bin: Path) -> None:
    database = tmp_path / "data" / "commonplace.db"
    env = clean_env(commonplace_bin, tmp_path, DATABASE_URL=f"sqlite:///{database}")
    head = db.head_revision()

    stats = entrypoint("stats", "--chat", "1", cwd=tmp_path, env=env)
    assert stats.returncode == 0, stats.stderr
    # The entrypoint's own `db upgrade` reports on stderr: stdout is the command's alone
    # (`export` writes its document there).
    assert f"Database at revision {head}." in stats.stderr.splitlines()
    assert stats.stdout == "Chat 1 has an empty library. Import one with `commonplace import`.\n"
    assert revision(database) == head


def test_entrypoint_leaves_the_schema_alone_when_auto_migrate_is_false(
    tmp_path: Path, commonplace_bin: Path
) -> None:
    database = tmp_path / "commonplace.db"
    env = clean_env(
        commonplace_bin, tmp_path, DATABASE_URL=f"sqlite:///{database}", AUTO_MIGRATE="False"
    )
    stats = entrypoint("stats", "--chat", "1", cwd=tmp_path, env=env)
    # Neither the entrypoint nor the command migrated, so the query finds no table.
    assert stats.returncode != 0
    assert "Database at revision" not in stats.stderr
    assert "no such table: highlight" in stats.stderr
    assert revision(database) is None


def test_entrypoint_passes_db_commands_through_unmigrated(
    tmp_path: Path, commonplace_bin: Path
) -> None:
    database = tmp_path / "commonplace.db"
    env = clean_env(commonplace_bin, tmp_path, DATABASE_URL=f"sqlite:///{database}")
    # Upgrading to head first would turn `db upgrade 0001` into a no-op at head.
    upgrade = entrypoint("db", "upgrade", FIRST_REVISION, cwd=tmp_path, env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    assert upgrade.stdout == f"Database at revision {FIRST_REVISION}.\n"
    assert upgrade.stderr == ""
    assert revision(database) == FIRST_REVISION != db.head_revision()


@pytest.mark.parametrize("args", [(), ("run",), ("run", "--webhook")])
def test_entrypoint_explains_a_missing_token_before_touching_the_database(
    tmp_path: Path, commonplace_bin: Path, args: tuple[str, ...]
) -> None:
    database = tmp_path / "commonplace.db"
    env = clean_env(commonplace_bin, tmp_path, DATABASE_URL=f"sqlite:///{database}")
    result = entrypoint(*args, cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(
        "error: TELEGRAM_BOT_TOKEN is not set, so the bot cannot connect to Telegram.\n"
    )
    assert "@BotFather" in result.stderr
    assert not database.exists()


def test_entrypoint_accepts_a_token_from_dotenv(tmp_path: Path, commonplace_bin: Path) -> None:
    # The settings read ./.env too; the entrypoint must not refuse a token kept there.
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=123:abc\n", encoding="utf-8")
    env = clean_env(
        commonplace_bin,
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'commonplace.db'}",
        AUTO_MIGRATE="false",
    )
    result = entrypoint("run", "--help", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "Usage: commonplace run [OPTIONS]" in result.stdout


# --- docker-compose.yml -------------------------------------------------------------------


def compose() -> dict[str, Any]:
    document = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def test_compose_runs_the_bot_on_postgres_16_with_healthchecks() -> None:
    document = compose()
    services = document["services"]
    assert set(services) == {"bot", "postgres"}
    bot, postgres = services["bot"], services["postgres"]

    assert (DEPLOY / bot["build"]["context"] / bot["build"]["dockerfile"]).resolve() == DOCKERFILE
    assert bot["command"] == ["run"], "polling by default; WEBHOOK_URL in .env switches"
    assert bot["depends_on"] == {"postgres": {"condition": "service_healthy", "restart": True}}
    assert {"path": ".env", "required": False} in bot["env_file"]
    url = bot["environment"]["DATABASE_URL"]
    assert url.startswith("postgresql://commonplace:${POSTGRES_PASSWORD:?")
    assert url.endswith("@postgres:5432/commonplace")
    assert postgres["image"].split(":")[:2] == ["postgres", "16"]
    assert postgres["environment"]["POSTGRES_USER"] == "commonplace"
    assert postgres["environment"]["POSTGRES_DB"] == "commonplace"
    assert "pg_isready -U commonplace -d commonplace" in postgres["healthcheck"]["test"]
    assert "ports" not in postgres, "the database is reachable from the bot only"

    for service in (bot, postgres):
        assert service["restart"] == "unless-stopped"
        assert {"test", "interval", "timeout", "retries"} <= set(service["healthcheck"])
    assert bot["ports"] == [
        "${WEBHOOK_PUBLISH:-127.0.0.1:8080}:8080",
        "${METRICS_PUBLISH:-127.0.0.1:9090}:9090",
    ]
    assert bot["read_only"] is True and bot["tmpfs"] == ["/tmp"]

    mounts = {
        name: volume.split(":", 1)[0]
        for name, service in services.items()
        for volume in service["volumes"]
    }
    assert mounts == {"bot": "bot-data", "postgres": "postgres-data"}
    assert set(document["volumes"]) == {"bot-data", "postgres-data"}
    assert "postgres-data:/var/lib/postgresql/data" in postgres["volumes"]


def test_env_example_names_real_settings_and_every_compose_variable() -> None:
    text = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    active = dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
    )
    mentioned = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))
    compose_variables = set(
        re.findall(r"\$\{([A-Z0-9_]+)", (DEPLOY / "docker-compose.yml").read_text())
    )
    assert {"TELEGRAM_BOT_TOKEN", "POSTGRES_PASSWORD"} <= set(active)
    assert all(active.values()), "an empty value counts as set: comment the line out instead"
    assert compose_variables <= mentioned
    assert mentioned <= SETTINGS | compose_variables


# --- Kubernetes ---------------------------------------------------------------------------


def kustomization() -> dict[str, Any]:
    document = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def k8s_objects() -> list[tuple[str, dict[str, Any]]]:
    """Every object in the files the kustomization lists, with its file name."""
    objects = []
    for name in kustomization()["resources"]:
        for document in yaml.safe_load_all((K8S / name).read_text(encoding="utf-8")):
            objects.append((name, document))
    return objects


def k8s_object(file: str) -> dict[str, Any]:
    (document,) = [document for name, document in k8s_objects() if name == file]
    return document


def by_kind(kind: str) -> list[dict[str, Any]]:
    return [document for _, document in k8s_objects() if document["kind"] == kind]


def test_kustomization_lists_every_manifest_once() -> None:
    resources = kustomization()["resources"]
    assert len(resources) == len(set(resources))
    on_disk = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(resources) == on_disk
    kinds = sorted(document["kind"] for _, document in k8s_objects())
    assert kinds == sorted(
        [
            "ConfigMap",
            "Deployment",
            "Ingress",
            "Job",
            "Namespace",
            "PodDisruptionBudget",
            "Secret",
            "Service",
            "Service",
        ]
    )
    assert kustomization()["images"][0]["name"] == "commonplace"


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_manifests_validate_against_the_kubernetes_schema(version: str) -> None:
    for name, document in k8s_objects():
        try:
            # strict: unknown fields (a misspelt key) are errors, not silently dropped.
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(part) for part in error.absolute_path)
            pytest.fail(f"{name}: {path}: {error.message} (Kubernetes {version})")


def bot_pod() -> dict[str, Any]:
    pod = k8s_object("deployment.yaml")["spec"]["template"]
    assert isinstance(pod, dict)
    return pod


def test_deployment_runs_replicas_in_webhook_mode_with_probes() -> None:
    deployment = k8s_object("deployment.yaml")
    spec = deployment["spec"]
    assert spec["replicas"] >= 2
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
    }
    assert spec["selector"]["matchLabels"] == BOT_LABELS
    assert bot_pod()["metadata"]["labels"] == BOT_LABELS
    (container,) = bot_pod()["spec"]["containers"]
    assert container["args"] == ["run", "--webhook"]
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports == {"webhook": 8080, "metrics": 9090}
    config = k8s_object("configmap.yaml")["data"]
    assert int(config["WEBHOOK_PORT"]) == ports["webhook"]
    assert int(config["HEALTH_PORT"]) == ports["metrics"]
    assert config["HEALTH_LISTEN"] == "0.0.0.0", "the kubelet probes the pod IP, not loopback"
    assert config["WEBHOOK_URL"].startswith("https://")
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "metrics"}, probe
    liveness, readiness = container["livenessProbe"], container["readinessProbe"]
    assert (
        liveness["periodSeconds"] * liveness["failureThreshold"]
        > readiness["periodSeconds"] * readiness["failureThreshold"]
    ), "liveness gives up later than readiness"
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][kind])


def test_pods_get_the_grace_period_a_graceful_stop_needs() -> None:
    # SIGTERM: the sends on the wire get STOP_GRACE, then the process exits within 10 s.
    grace = bot_pod()["spec"]["terminationGracePeriodSeconds"]
    assert grace >= 10 > STOP_GRACE


def test_pods_are_non_root_with_a_read_only_root_and_a_tmp_volume() -> None:
    for file in ("deployment.yaml", "migrate-job.yaml"):
        pod = k8s_object(file)["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        volumes = {volume["name"]: volume for volume in pod["volumes"]}
        for container in pod.get("initContainers", []) + pod["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, container["name"]
            assert context["allowPrivilegeEscalation"] is False, container["name"]
            assert context["capabilities"] == {"drop": ["ALL"]}, container["name"]
            (mount,) = container["volumeMounts"]
            assert mount["mountPath"] == "/tmp"
            assert "emptyDir" in volumes[mount["name"]]
            assert container["image"] == "commonplace:0.1.0", "kustomize's images: rewrites it"
            sources = sorted(
                (kind, reference["name"])
                for source in container["envFrom"]
                for kind, reference in source.items()
            )
            assert sources == [
                ("configMapRef", k8s_object("configmap.yaml")["metadata"]["name"]),
                ("secretRef", k8s_object("secret.yaml")["metadata"]["name"]),
            ]


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def test_service_and_pdb_select_the_bot_pods_only() -> None:
    pod_labels = bot_pod()["metadata"]["labels"]
    job_labels = k8s_object("migrate-job.yaml")["spec"]["template"]["metadata"]["labels"]
    service = k8s_object("service.yaml")
    pdb = k8s_object("pdb.yaml")
    for selector in (service["spec"]["selector"], pdb["spec"]["selector"]["matchLabels"]):
        assert matches(selector, pod_labels)
        assert not matches(selector, job_labels), "the migration Job is not a serving pod"
    assert pdb["spec"]["minAvailable"] == 1
    (container,) = bot_pod()["spec"]["containers"]
    container_ports = {port["name"] for port in container["ports"]}
    targets = {port["name"]: port["targetPort"] for port in service["spec"]["ports"]}
    assert targets == {"webhook": "webhook", "metrics": "metrics"}
    assert set(targets.values()) <= container_ports
    (rule,) = k8s_object("ingress.yaml")["spec"]["rules"]
    (path,) = rule["http"]["paths"]
    # Only Telegram's endpoint is public: /metrics and /healthz stay in the cluster.
    assert path["path"] == f"/{WEBHOOK_PATH}" and path["pathType"] == "Exact"
    assert path["backend"]["service"] == {"name": "commonplace", "port": {"name": "webhook"}}
    assert k8s_object("configmap.yaml")["data"]["WEBHOOK_URL"] == f"https://{rule['host']}"


def test_settings_in_configmap_and_secret_are_real_settings() -> None:
    config = k8s_object("configmap.yaml")["data"]
    secret = k8s_object("secret.yaml")["stringData"]
    assert set(config) <= SETTINGS and set(secret) <= SETTINGS
    assert not set(config) & set(secret)
    assert config["AUTO_MIGRATE"] == "false", "the Job migrates; replicas must not race"
    assert {"TELEGRAM_BOT_TOKEN", "DATABASE_URL"} <= set(secret)
    assert all("REPLACE-ME" in value for value in secret.values()), "placeholders only"
    # The database is reached through the ExternalName Service named in DATABASE_URL.
    (external,) = [s for s in by_kind("Service") if s["spec"]["type"] == "ExternalName"]
    assert f"@{external['metadata']['name']}:5432/" in secret["DATABASE_URL"]


def test_migration_job_runs_the_upgrade_once_with_the_same_image() -> None:
    job = k8s_object("migrate-job.yaml")
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["spec"].get("parallelism", 1) == 1
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert "command" not in container, "through the entrypoint, which passes db through"
    assert container["args"] == ["db", "upgrade"]
    (init,) = bot_pod()["spec"]["initContainers"]
    (bot,) = bot_pod()["spec"]["containers"]
    assert container["image"] == init["image"] == bot["image"]


def wait_for_schema_script() -> str:
    (init,) = bot_pod()["spec"]["initContainers"]
    assert init["command"] == ["/bin/sh", "-c"]
    (script,) = init["args"]
    assert isinstance(script, str)
    return script


def test_wait_for_schema_passes_once_the_database_is_at_head(
    tmp_path: Path, commonplace_bin: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'commonplace.db'}"
    engine = db.create_db_engine(url)
    db.upgrade(engine)
    engine.dispose()
    env = clean_env(commonplace_bin, tmp_path, DATABASE_URL=url, AUTO_MIGRATE="false")
    result = subprocess.run(
        ["/bin/sh", "-c", wait_for_schema_script()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_wait_for_schema_waits_while_the_database_is_behind(
    tmp_path: Path, commonplace_bin: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'commonplace.db'}"
    env = clean_env(commonplace_bin, tmp_path, DATABASE_URL=url, AUTO_MIGRATE="false")
    process = subprocess.Popen(
        ["/bin/sh", "-c", wait_for_schema_script()],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: the loop and its `sleep` end together
    )
    assert process.stdout is not None
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            assert selector.select(timeout=30), "the script printed nothing in 30 s"
            first = process.stdout.readline()
        assert process.poll() is None, "it gave up instead of waiting"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
    head = db.head_revision()
    assert first == f"waiting for the commonplace-migrate Job (current: empty; head: {head})\n"
    assert revision(tmp_path / "commonplace.db") is None, "the init container never migrates"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed here")
def test_kustomize_renders_one_namespace_and_one_image() -> None:
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, timeout=60
    )
    assert rendered.returncode == 0, rendered.stderr
    documents = list(yaml.safe_load_all(rendered.stdout))
    namespace = kustomization()["namespace"]
    for document in documents:
        if document["kind"] != "Namespace":
            assert document["metadata"]["namespace"] == namespace, document["metadata"]["name"]
    image = kustomization()["images"][0]
    images = {
        container["image"]
        for document in documents
        if document["kind"] in {"Deployment", "Job"}
        for key in ("initContainers", "containers")
        for container in document["spec"]["template"]["spec"].get(key, [])
    }
    assert images == {f"{image['newName']}:{image['newTag']}"}


# --- systemd ------------------------------------------------------------------------------


def unit_entries() -> dict[str, list[tuple[str, str]]]:
    """Section -> (key, value) in order; systemd keys may repeat (Environment=...)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for raw in UNIT.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        key, separator, value = line.partition("=")
        assert current is not None and separator, f"not a key=value line: {raw!r}"
        current.append((key.strip(), value.strip()))
    return sections


def test_systemd_unit_parses_and_has_the_required_keys() -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]  # systemd keys are CamelCase
    parser.read_string(UNIT.read_text(encoding="utf-8"))
    assert parser.sections() == ["Unit", "Service", "Install"]
    unit, service, install = parser["Unit"], parser["Service"], parser["Install"]
    assert unit["Description"]
    assert unit["After"] == unit["Wants"] == "network-online.target"
    assert install["WantedBy"] == "multi-user.target"

    assert service["User"] == service["Group"] == "commonplace"
    assert service["WorkingDirectory"] == "/opt/commonplace"
    assert service["ExecStart"] == "/opt/commonplace/.venv/bin/commonplace run"
    assert service["EnvironmentFile"].startswith("/etc/commonplace/")
    assert service["Restart"] == "on-failure"
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert service[key] == value, key

    entries = unit_entries()["Service"]
    environment = dict(value.split("=", 1) for key, value in entries if key == "Environment")
    assert set(environment) - {"PYTHONUNBUFFERED", "MPLCONFIGDIR"} <= SETTINGS
    database = sqlite_file(environment["DATABASE_URL"])
    # ProtectSystem=strict makes everything read-only but these: the database's folder must be.
    writable = service["ReadWritePaths"].split()
    assert str(database.parent) in writable
    assert database.parent == Path("/var/lib") / service["StateDirectory"]
    assert environment["SAMPLE_LIBRARY"] == "/opt/commonplace/seeds/the-devops-handbook.txt"


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here"
)
def test_systemd_analyze_accepts_the_unit_and_rates_it_hardened(tmp_path: Path) -> None:
    # verify checks that ExecStart's program exists; /opt/commonplace is not installed on a
    # test machine, so that one path points at an executable that is.
    true = shutil.which("true")
    assert true is not None
    unit = tmp_path / "commonplace.service"
    unit.write_text(
        UNIT.read_text(encoding="utf-8").replace("/opt/commonplace/.venv/bin/commonplace", true),
        encoding="utf-8",
    )
    verify = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout + verify.stderr == "", "warnings (an unknown key?) from systemd"
    # --threshold is in tenths: 20 means an exposure of at most 2.0 ("OK").
    security = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", "--threshold=20", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert security.returncode == 0, security.stdout[-2000:] + security.stderr
