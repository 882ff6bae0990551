"""The container file, compose file and load balancer config of docs/deploy.md hold
together: real qrshop commands, the services the page describes, health checks on /healthz.
(No image is built here; these are read.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from qrshop.cli import main

REPO = Path(__file__).resolve().parent.parent


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (REPO / "Dockerfile").read_text())
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip())
            for line in text.splitlines() if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "compose.yaml").read_text())


def assert_a_qrshop_command(runner, app, argv: list[str]) -> None:
    """argv is `qrshop <command> [options]` that the CLI knows (its options parse)."""
    assert argv[0] == "qrshop", argv
    result = runner.invoke(main, args=[*argv[1:], "--help"])
    assert result.exit_code == 0, (argv, result.output)
    assert "Usage:" in result.output


def test_the_dockerfile_is_slim_non_root_and_serves(app, runner):
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    users = [argument for name, argument in instructions if name == "USER"]
    assert users and users[-1] not in ("root", "0")
    for name, argument in instructions:
        if name == "COPY":
            for source in argument.split()[:-1]:
                assert (REPO / source).exists(), source
    (cmd,) = [json.loads(argument) for name, argument in instructions if name == "CMD"]
    assert cmd[:2] == ["qrshop", "serve"] and "0.0.0.0:8000" in cmd
    assert_a_qrshop_command(runner, app, cmd)
    (check,) = [argument for name, argument in instructions if name == "HEALTHCHECK"]
    assert "/healthz" in check


def test_compose_runs_two_nodes_a_worker_postgres_redis_and_a_balancer(compose, app, runner):
    services = compose["services"]
    assert {"app1", "app2", "worker", "migrate", "postgres", "redis", "lb"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in ("app1", "app2", "worker", "migrate"):
        service = services[name]
        assert service["image"] == "qrshop:latest" and service["build"] == "."
        env = service["environment"]
        assert env["QRSHOP_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@postgres:" in env["QRSHOP_DATABASE_URL"]
        assert env["QRSHOP_REDIS_URL"].startswith("redis://redis:")
        assert "QRSHOP_SECRET_KEY" in env and "media:/data/media" in service["volumes"]
        assert_a_qrshop_command(runner, app, service["command"])
    assert services["migrate"]["command"] == ["qrshop", "db", "upgrade"]
    assert services["worker"]["command"] == ["qrshop", "worker"]
    for node in ("app1", "app2"):
        assert services[node]["command"][:2] == ["qrshop", "serve"]
        assert services[node]["depends_on"]["migrate"]["condition"] == \
            "service_completed_successfully"
    # The nodes trust X-Forwarded-* from the balancer's fixed address only.
    lb_address = services["lb"]["networks"]["default"]["ipv4_address"]
    assert services["app1"]["environment"]["QRSHOP_TRUSTED_PROXIES"] == lb_address
    assert set(compose["volumes"]) >= {"pgdata", "media"}


def test_the_balancer_checks_healthz_on_both_nodes(compose):
    (mount,) = compose["services"]["lb"]["volumes"]
    source, target = mount.split(":")[:2]
    assert target == "/etc/caddy/Caddyfile"
    caddyfile = (REPO / source).read_text()
    assert re.search(r"reverse_proxy\s+app1:8000\s+app2:8000", caddyfile)
    assert re.search(r"health_uri\s+/healthz", caddyfile)
    assert re.search(r"@metrics\s+path\s+/metrics", caddyfile)
