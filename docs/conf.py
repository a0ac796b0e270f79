"""Sphinx configuration of the report: the executed notebooks of ``outputs/``, rendered offline.

``python -m cluster_research report`` (:mod:`cluster_research.pipeline.report`) builds it:
the source folder ``outputs/report/src`` links these pages and ``outputs/{notebooks,figures,
tables}``, plus one page per section of ``resources/report_index.yaml``, the tables as
shown (``display/<id>.csv``) and the landing page's headline results (``display/headlines.md``);
a fan-out run's page gets its place in front of its title (``report_titles``). Nothing is executed
(``nb_execution_mode = "off"``) and nothing is loaded from the network: MathJax comes from the
installed ``jupyter-server-mathjax``, no require.js / ipywidgets scripts.
"""

import sys
from pathlib import Path

import jupyter_server_mathjax
from docutils import nodes

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import cluster_research

project = "cluster_research"
release = version = cluster_research.__version__
copyright = "cluster_research authors (MIT licence)"
extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.autosummary", "numpydoc",
              "sphinx.ext.mathjax"]
exclude_patterns = ["figures", "tables", "display", "**.ipynb_checkpoints"]
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure",
                     "toc.not_included", "toc.glob", "autosummary", "ref.duplicate"]

# notebooks: the stored outputs, code hidden; Markdown (cells and outputs) cannot carry raw HTML
nb_execution_mode = "off"
nb_remove_code_source = True
nb_output_stderr = "remove"
nb_merge_streams = True
nb_ipywidgets_js = {}
nb_render_markdown_format = "myst"
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_disable_syntax = ["html_block", "html_inline"]

# API reference
autosummary_generate = True
autosummary_mock_imports = ["cluster_research.__main__", "cluster_research.data.__main__"]  # would run
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_typehints = "none"
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_validation_checks = set()

# MathJax 2.7 of jupyter-server-mathjax, copied into _static
mathjax_path = "MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
# MyST marks each page's top section tex2jax_ignore and the math "math" (its mathjax3_config
# says so); MathJax 2 has to be told too, or no formula is typeset
mathjax2_config = {"HTML-CSS": {"availableFonts": [], "webFont": "STIX-Web", "imageFont": None},
                   "showMathMenu": False,
                   "tex2jax": {"processClass": "tex2jax_process|mathjax_process|math|output_area"}}

html_theme = "pydata_sphinx_theme"
html_static_path = ["_static", str(Path(jupyter_server_mathjax.__file__).parent / "static")]
html_css_files = ["site.css"]
html_copy_source = html_show_sourcelink = False
html_title = f"{project} {release}"  # the theme's default title overlapped the navigation bar
# sections' pages are tables and figures: the page's width for them, not a table of contents
html_theme_options = {"navigation_depth": 2, "icon_links": [], "footer_end": ["sphinx-version"],
                      "header_links_before_dropdown": 4,
                      "secondary_sidebar_items": {"**": ["page-toc"], "sections/*": []}}
html_context = {"default_mode": "light"}


def _mark(app, doctree):
    """List the reproduction's problems on the landing page and on a failed or stale run's page."""
    problems, doc = app.config.report_problems, app.env.docname
    if doc == "index":
        lines = problems + [f"{i}: missing from this build" for i in app.config.report_missing]
        head = f"{len(lines)} run(s) or item(s) of the reproduction failed, are stale or are missing:"
    else:
        lines = [p for p in problems if f"notebooks/{p.split(': ', 1)[0]}" == doc]
        head = "This run failed or is stale: the outputs below are from an earlier run."
    if lines:
        items = [nodes.list_item("", nodes.paragraph(text=line)) for line in lines]
        box = nodes.warning("", nodes.paragraph(text=head), nodes.bullet_list("", *items))
        doctree.next_node(nodes.section).insert(1, box)


def _place_title(app, doctree):
    """Put a fan-out run's place (``report_titles``) in front of its page's title."""
    place = app.config.report_titles.get(app.env.docname)
    title = doctree.next_node(nodes.title) if place else None
    if title is not None:
        title.insert(0, nodes.Text(f"{place} · "))


def _outdated(app, env, added, changed, removed):
    """Read the landing page again whenever a page changed: it quotes the notebooks (glue)."""
    app.report_changed = bool(added | changed | removed)
    return ["index"] if app.report_changed else []


def setup(app):
    app.add_config_value("report_problems", [], "env")
    app.add_config_value("report_missing", [], "env")
    app.add_config_value("report_titles", {}, "env")
    app.connect("doctree-read", _mark)
    app.connect("doctree-read", _place_title, priority=400)  # before Sphinx reads the titles
    app.connect("env-get-outdated", _outdated)
    # and write every page again then: each carries the navigation, which may have changed
    app.connect("env-updated", lambda app, env: env.found_docs if app.report_changed else [])
