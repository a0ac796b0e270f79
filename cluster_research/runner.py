"""Compatibility module: the runner moved to :mod:`cluster_research.pipeline` and
:mod:`cluster_research.outputs` (output paths, ``save_table``).

Examples
--------
>>> import cluster_research as cr
>>> cr.runner.resolve_notebook("01").name
'01_paper_claims.ipynb'
"""

from __future__ import annotations

from .errors import NotebookError, ParameterError
from .outputs import ENV_OUTPUT_DIR, ENV_RUN_NAME, output_path, outputs_dir, repo_dir, save_table
from .pipeline import (KERNEL_NAME, SPECS, Job, RunResult, coerce_cli_value, describe,
                       expand_run, list_jobs, list_notebooks, list_runs, load_params_file,
                       normalise_notebook, notebook_parameters, notebooks_dir, profile_series,
                       refresh, resolve_notebook, run_all, run_notebook, start_kernel,
                       validate_parameters)
from .pipeline.runner import run_params_file

__all__ = ["ENV_OUTPUT_DIR", "ENV_RUN_NAME", "Job", "KERNEL_NAME", "NotebookError",
           "ParameterError", "RunResult", "SPECS", "coerce_cli_value", "describe", "expand_run",
           "list_jobs", "list_notebooks", "list_runs", "load_params_file", "normalise_notebook",
           "notebook_parameters", "notebooks_dir", "output_path", "outputs_dir",
           "profile_series", "refresh", "repo_dir", "resolve_notebook", "run_all",
           "run_notebook", "run_params_file", "save_table", "start_kernel",
           "validate_parameters"]
