"""Test settings: the real settings, with test overrides only."""

import os
import tempfile

os.environ.setdefault("DEBUG", "true")

from portal.settings import *  # noqa: F403
from portal.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STATIC_ROOT = tempfile.mkdtemp(prefix="portal-test-static-")
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    **STORAGES,
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tempfile.mkdtemp(prefix="portal-test-private-"), "base_url": None},
    },
    # The manifest storage answers 404 for CSS under live_server (TRAPS.md).
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "zh-hans"
SEAL_DEV_CERTIFICATE = True
SEAL_DIR = tempfile.mkdtemp(prefix="portal-test-seal-")
