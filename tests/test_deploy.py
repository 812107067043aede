"""The deployment files, checked by parsing them (no Docker engine runs here): the image
is slim, non-root, healthy and ready-built; the compose file keeps to the compose spec,
its two profiles are whole, and the bots' environment is one the settings accept."""

from __future__ import annotations

import re
from typing import Any

import yaml

from bot.config import PROJECT_ROOT, load_settings

DOCKERFILE = PROJECT_ROOT / "Dockerfile"
COMPOSE = PROJECT_ROOT / "docker-compose.yml"
CADDYFILE = PROJECT_ROOT / "deploy" / "Caddyfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text("utf-8"))
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text("utf-8"))
    return data


def services(profile: str) -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in compose()["services"].items()
        if profile in service.get("profiles", [])
    }


def environment(service: dict[str, Any]) -> dict[str, str]:
    """The service's environment as the bot sees it (${VAR:-default} → default)."""
    env = service.get("environment", {})
    return {k: re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(v)) for k, v in env.items()}


def test_the_image_is_slim_non_root_healthy_and_ready_built() -> None:
    steps = instructions()
    kinds = [kind for kind, _ in steps]
    assert steps[0][0] == "FROM" and re.match(r"python:3\.1[1-9]-slim", steps[0][1])
    users = [arg for kind, arg in steps if kind == "USER"]
    assert users and users[-1] not in ("root", "0")  # the bot never runs as root
    assert kinds.index("USER") > max(i for i, k in enumerate(kinds) if k == "RUN")
    run = " ".join(arg for kind, arg in steps if kind == "RUN")
    assert "compile_catalogs" in run and "-m bot kb build" in run  # ready at start
    [health] = [arg for kind, arg in steps if kind == "HEALTHCHECK"]
    assert '"-m", "bot", "healthcheck"' in health
    [cmd] = [arg for kind, arg in steps if kind == "CMD"]
    assert cmd == '["/venv/bin/python", "-m", "bot", "run"]'
    copied = [arg.split()[0] for kind, arg in steps if kind == "COPY"]
    for source in copied:
        assert (PROJECT_ROOT / source).exists(), source
    ignored = (PROJECT_ROOT / ".dockerignore").read_text("utf-8").split()
    assert ".env" in ignored and ".venv" in ignored  # no secret or venv in the image


def test_compose_keeps_to_the_spec() -> None:
    data = compose()
    assert set(data) <= {"name", "services", "networks", "volumes", "configs", "secrets"} | {
        key for key in data if key.startswith("x-")
    }
    declared_volumes = set(data.get("volumes", {}))
    declared_networks = set(data.get("networks", {}))
    for name, service in data["services"].items():
        assert "image" in service or "build" in service, name
        for value in service.get("environment", {}).values():
            assert isinstance(value, str | int | float | bool) or value is None, (name, value)
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith("."):
                assert (PROJECT_ROOT / source).exists(), (name, source)
            else:
                assert source in declared_volumes, (name, source)
        for network in service.get("networks", []):
            assert network in declared_networks, (name, network)
        for other in service.get("depends_on", []):
            assert other in data["services"], (name, other)
            assert set(data["services"][other].get("profiles", [])) & set(
                service.get("profiles", [])
            ), f"{name} depends on {other}, which is not in its profile"


def test_one_machine_is_one_polling_bot_with_its_data_on_a_volume() -> None:
    single = services("single")
    assert set(single) == {"bot"}
    bot = single["bot"]
    assert any(mount.endswith(":/app/var") for mount in bot["volumes"])
    assert "WEBHOOK_URL" not in environment(bot) and "DATABASE_URL" not in environment(bot)


def test_several_instances_are_webhook_bots_behind_a_tls_proxy() -> None:
    scale = services("scale")
    assert set(scale) == {"bot-webhook", "proxy", "postgres", "redis"}
    bots = scale["bot-webhook"]
    assert bots["deploy"]["replicas"] >= 2
    env = environment(bots)
    assert env["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert env["REDIS_URL"].startswith("redis://redis:")
    # the bots' settings as compose gives them (with the secrets .env would add)
    settings = load_settings(
        _env_file=None,
        **{k.lower(): v for k, v in env.items()},
        webhook_secret="a-webhook-secret-of-the-test",
    )
    assert settings.webhook_url is not None and settings.webhook_url.startswith("https://")
    assert settings.webhook_port == 8080 and settings.webhook_host == "0.0.0.0"
    proxy_ip = scale["proxy"]["networks"]["backend"]["ipv4_address"]
    assert [str(n) for n in settings.webhook_trusted_proxies] == [f"{proxy_ip}/32"]
    assert "443:443" in scale["proxy"]["ports"]
    for backing in ("postgres", "redis"):
        assert "healthcheck" in scale[backing] and scale[backing]["volumes"]
        assert bots["depends_on"][backing]["condition"] == "service_healthy"
    caddy = CADDYFILE.read_text("utf-8")
    assert f"handle {settings.webhook_path}" in caddy  # the proxy routes the bots' path
    assert "dynamic a bot-webhook 8080" in caddy and "lb_policy round_robin" in caddy
    assert "/metrics" not in caddy  # only the webhook faces the internet
