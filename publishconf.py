"""Pelican settings for publishing (`papershelf publish`, the GitHub Pages workflow).

Only the differences from pelicanconf.py belong here.
"""

import os
import sys

# Found beside this file, whichever folder the build runs from.
sys.path.append(os.path.dirname(os.path.abspath(__file__)))
from pelicanconf import *

# The address the site is served from, with its sub-path on GitHub Pages project sites.
# The workflow sets PAPERSHELF_SITEURL from the repository; set it here for your fork.
SITEURL = os.environ.get("PAPERSHELF_SITEURL", "https://example.github.io/papershelf")
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = False
# Pelican's own feeds stay off (FEED_* = None, from pelicanconf.py): Papershelf writes the
# feeds, with every URL absolute under SITEURL.  Do not switch them on here.
