"""Pelican settings for building the shelf locally (`make site`, `papershelf build`, `pelican content`).

publishconf.py imports everything here and changes only what publishing needs.
"""

SITENAME = "Papershelf sample shelf"
SITEURL = ""
RELATIVE_URLS = True  # the local build works from any folder and from file://
TIMEZONE = "UTC"
DEFAULT_LANG = "en"

PATH = "content"
OUTPUT_PATH = "output"
CACHE_PATH = "cache"  # Papershelf's build caches (safe to delete)
THEME = "theme"
PLUGINS = ["generator.pelican_plugin"]

# Papers live in content/papers and are read by Papershelf itself, not as Pelican
# articles; Pelican still renders the pages in content/pages (About).
ARTICLE_PATHS = []
PAGE_PATHS = ["pages"]
STATIC_PATHS = []
IGNORE_FILES = [".*"]
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
DIRECT_TEMPLATES = []
ARCHIVES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
INDEX_SAVE_AS = ""

# Papershelf writes its own feeds; Pelican's are switched off so there is one set.
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
FEED_ATOM = None
FEED_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None

# Paper titles and abstracts come from the web: every template escapes.
JINJA_ENVIRONMENT = {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True}

PAPERSHELF = {
    "description": "Papers on pre-training, fine-tuning, off-the-shelf models and distribution shift.",
    "front_page_papers": 50,
    "listing_page_size": 50,
    "feed_max_items": 50,
}

# Topics are saved searches (Whoosh query syntax, as in the search box): each gets a page,
# feeds, and a chip on the pages of its papers.  `papershelf search 'QUERY'` previews one.
TOPICS = {
    "Diffusion models": '"diffusion model" OR "denoising diffusion" OR title:diffusion',
    "Large language models": '"large language model" OR llm OR llms OR title:gpt OR title:"language models"',
    "Vision transformers": '"vision transformer" OR vit OR title:(vision transformer)',
    "Domain adaptation": '"domain adaptation" OR "domain generalization" OR "test-time adaptation" OR title:"distribution shift"',
    "Robotics": 'title:robot* OR title:manipulation OR title:navigation OR "robot learning"',
    "Speech": "title:speech OR title:speaker OR title:wav2vec OR title:tts OR title:audio",
    "Quantization": 'title:quantiz* OR "post-training quantization" OR "quantization-aware training"',
}
