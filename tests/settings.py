"""The app's settings with what a test run needs changed: fast hashing, mail kept in memory,
tasks run at once, no HTTPS redirect for the test client, on-call feeds from loopback, the demo's
git repository in a temporary directory."""

import atexit
import shutil
import tempfile
from pathlib import Path

from ops_skills.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
ONCALL_FEEDS_ALLOW_PRIVATE = True  # the tests' feeds are served on 127.0.0.1
# seed_demo's git repository: in a directory of this test process, since the processes of a run
# seed side by side.
DEMO_REPOS_DIR = Path(tempfile.mkdtemp(prefix="ops-skills-demo-repos-"))
atexit.register(shutil.rmtree, DEMO_REPOS_DIR, ignore_errors=True)
