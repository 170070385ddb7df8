"""Production overrides: the public site URL and the relay's API URL."""

import os
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent))

from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("PASSERELLE_SITE_URL", "https://passerelle.example")
RELAY_URL = os.environ.get("PASSERELLE_RELAY_URL", "https://api.passerelle.example")
RELATIVE_URLS = False
