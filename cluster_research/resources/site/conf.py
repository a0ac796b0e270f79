"""Sphinx configuration of the results site (copied into the generated source by site.build_site).

The build-specific values (title, version, the package's source folder, the MathJax
folder) are written by :func:`cluster_research.pipeline.site.build_site` to ``site_settings.json``
beside this file; everything here is fixed so that the site works offline:

* MathJax 2.7 is served from ``_static/mathjax`` (copied from the PyPI package
  ``jupyter-server-mathjax``), never from a CDN;
* myst-nb executes nothing (``nb_execution_mode = "off"``), hides code cells and loads no
  require.js / ipywidgets scripts (``nb_ipywidgets_js = {}``);
* the theme (pydata-sphinx-theme) bundles its fonts and icons; no analytics, no external
  icon links, no canonical URL.
"""

import json
import sys
from pathlib import Path

_here = Path(__file__).resolve().parent
settings = json.loads((_here / "site_settings.json").read_text(encoding="utf-8"))
if settings.get("package_parent"):
    sys.path.insert(0, settings["package_parent"])

project = settings["project"]
author = settings.get("author", "")
release = version = settings.get("version", "")
copyright = settings.get("copyright", "")

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.mathjax",
]

exclude_patterns = ["_build", "site_settings.json", "**.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
language = "en"
templates_path = ["_templates"]

# --- notebooks: render the executed outputs as they are ---------------------------------
nb_execution_mode = "off"
nb_remove_code_source = True
nb_output_stderr = "remove"
nb_merge_streams = True
nb_ipywidgets_js = {}
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "html_image"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure",
                     "toc.not_included", "autosummary", "ref.duplicate"]

# --- API reference -------------------------------------------------------------------------
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
autodoc_typehints = "none"
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()
autosummary_generate = False

# --- math, offline ---------------------------------------------------------------------------
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
mathjax2_config = {
    "tex2jax": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]],
                "processEscapes": True},
    "HTML-CSS": {"availableFonts": [], "preferredFont": None, "webFont": "STIX-Web",
                 "imageFont": None},
    "SVG": {"font": "STIX-Web"},
    "menuSettings": {"zoom": "None"},
    "showMathMenu": False,
}

# --- HTML --------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = settings["project"]
html_static_path = ["_static"]
html_css_files = ["site.css"]
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "navigation_depth": 2,
    "show_nav_level": 1,
    "show_toc_level": 2,
    "navbar_align": "left",
    "icon_links": [],
    "use_edit_page_button": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"**": ["sidebar-nav-bs"]}
html_context = {"default_mode": "light"}
