"""The container images run in production mode and refuse to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEYS")


def test_dockerfile_runs_with_debug_off():
    assert "ENV DEBUG=0" in (ROOT / "Dockerfile").read_text().splitlines()


def test_compose_runs_with_debug_off_and_requires_the_secrets():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name in ("web", "worker", "beat"):
        environment = compose["services"][name]["environment"]
        assert environment["DEBUG"] == "0"
        for key in REQUIRED:
            assert environment[key].startswith(f"${{{key}:?"), (name, key)


def test_env_example_names_every_required_setting_with_a_placeholder():
    lines = dict(
        line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines() if line and line[0] != "#"
    )
    assert lines["DEBUG"] == "0"
    assert lines["SECRET_KEY"].startswith("CHANGE-ME")
    assert lines["FIELD_ENCRYPTION_KEYS"].startswith("CHANGE-ME")
    assert lines["ALLOWED_HOSTS"]


def test_placeholder_secret_key_is_refused_in_production():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env
        | {"DJANGO_SETTINGS_MODULE": "smm_platform.settings", "DEBUG": "0", "SECRET_KEY": "CHANGE-ME-run-the-command"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is still the .env.example placeholder" in result.stderr
