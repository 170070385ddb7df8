"""Site settings for local work (publishconf.py overrides them for production)."""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent

SITENAME = "Passerelle"
SITEURL = ""
# Feeds and the sitemap need absolute links even in a local build: the address it is served at.
PREVIEW_URL = os.environ.get("PASSERELLE_SITE_URL", "http://127.0.0.1:8000")
RELAY_URL = ""  # same origin: the devserver serves the site and /api/*
PATH = "content"
THEME = "theme"
TIMEZONE = "America/Toronto"
DEFAULT_LANG = "fr"

PLUGIN_PATHS = ["plugins"]
# pelican-image-process is used as a library by the mentors plugin (mentor photos), not
# registered: its writer hook would re-serialise every page through BeautifulSoup.
PLUGINS = [
    "pelican.plugins.yaml_metadata",
    "mentors",
    "site_search",
]

# Mentors (plugins/mentors): content/mentors/ is read by the mentors plugin only.
MENTORS_DATA_DIR = str(HERE / "data")
MENTOR_STALE_MONTHS = 12
MENTORS_PER_PAGE = 24
ARTICLES_PER_PAGE = 10
MENTOR_DEFAULT_CAPACITY = 3

ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images", "extra"]
# The favicon at the site root, where browsers ask for it (SVG, and .ico for the others).
EXTRA_PATH_METADATA = {
    "extra/favicon.ico": {"path": "favicon.ico"},
    "extra/favicon.svg": {"path": "favicon.svg"},
}
ARTICLE_EXCLUDES = ["mentors"]
PAGE_EXCLUDES = ["mentors"]

# Articles and pages: one object per file, linked across languages by `translation_of`.
ARTICLE_TRANSLATION_ID = None
PAGE_TRANSLATION_ID = None
ARTICLE_URL = "articles/{slug}/"
ARTICLE_SAVE_AS = "articles/{slug}/index.html"
ARTICLE_LANG_URL = "en/articles/{slug}/"
ARTICLE_LANG_SAVE_AS = "en/articles/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
PAGE_LANG_URL = "en/{slug}/"
PAGE_LANG_SAVE_AS = "en/{slug}/index.html"
DRAFT_URL = DRAFT_SAVE_AS = DRAFT_LANG_URL = DRAFT_LANG_SAVE_AS = ""

# The mentors plugin writes home, magazine, category, tag pages and feeds per language;
# Pelican's own (single-language) ones are switched off. Not "" for CATEGORY_SAVE_AS:
# getpelican/pelican#3596 — an empty value crashes 4.12.
DIRECT_TEMPLATES = []
CATEGORY_SAVE_AS = False
CATEGORY_URL = False
TAG_SAVE_AS = False
AUTHOR_SAVE_AS = False
ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_SAVE_AS = DAY_ARCHIVE_SAVE_AS = ""
FEED_ALL_ATOM = FEED_ALL_RSS = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = TAG_FEED_ATOM = None
FEED_MAX_ITEMS = 50

DEFAULT_PAGINATION = False
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True

JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}

IMAGE_PROCESS = {
    "mentor-photo": {
        "type": "responsive-image",
        "srcset": [
            ("160w", ["scale_in 160 160 False"]),
            ("320w", ["scale_in 320 320 False"]),
            ("640w", ["scale_in 640 640 False"]),
        ],
        "default": "320w",
        "sizes": "(min-width: 48em) 320px, 160px",
    },
}
