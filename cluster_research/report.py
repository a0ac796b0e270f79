"""Compatibility module: the report moved to :mod:`cluster_research.pipeline.report`.

Examples
--------
>>> from cluster_research import report
>>> [i["id"] for i in report.load_index()][:3]
['N1', 'T1', 'F1']
"""

from __future__ import annotations

from .pipeline.report import (KINDS, Report, ReportError, ReportIncompleteError, build_report,
                              index_path, load_index, render_notebook, run_problems,
                              template_path)

__all__ = ["KINDS", "Report", "ReportError", "ReportIncompleteError", "build_report",
           "index_path", "load_index", "render_notebook", "run_problems", "template_path"]
