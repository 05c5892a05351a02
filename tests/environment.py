"""Loaded by pytest (`-p tests.environment`) before Django's settings are read.

The suite must run from a bare checkout: give the variables production
requires a harmless value, unless the caller set them.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
