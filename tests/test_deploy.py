"""Production settings pass Django's deployment checks, and the app refuses the development key."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-key-" + "x9" * 30,
    "ALLOWED_HOSTS": "ops.example.com",
    "DATABASE_URL": "postgresql://ops:secret@db.internal:5432/ops_skills",
    "EMAIL_HOST": "smtp.example.com",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def run(code_or_args, env_extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(env_extra, DJANGO_SETTINGS_MODULE="ops_skills.settings")
    return subprocess.run([sys.executable, *code_or_args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_check_deploy_is_clean_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_the_development_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_wsgi_refuses_the_development_key_without_debug():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run(["-c", "import ops_skills.wsgi"], env)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
    assert run(["-c", "import ops_skills.wsgi"], PRODUCTION).returncode == 0
