"""The reproduction pipeline: notebooks, parameters, runs, execution, report, CLI.

Modules, low to high: :mod:`~.notebooks` (paths, parameter discovery), :mod:`~.userdata`
(a researcher's own CSV), :mod:`~.params` (notebooks/parameters.py), :mod:`~.runs` (run
files, fan-out, names), :mod:`~.cache` (run manifest, environment key, lock),
:mod:`~.runner` (papermill runs, ``run_all`` on a thread pool), :mod:`~.report`, :mod:`~.cli`.

Examples
--------
>>> from cluster_research import pipeline
>>> pipeline.resolve_notebook("01").name
'01_paper_claims.ipynb'
"""

from __future__ import annotations

from .cache import environment_key, outputs_lock, read_manifest
from .notebooks import (KERNEL_NAME, list_notebooks, list_runs, normalise_notebook,
                        notebook_parameters, notebooks_dir, resolve_notebook)
from .params import (coerce_cli_value, describe_spec, parameter_model, parameter_models,
                     validate_parameters)
from .runner import RunResult, describe, refresh, run_all, run_notebook
from .runs import (Job, check_run_name, default_run_name, expand_run, list_jobs,
                   load_params_file, slug)
from .userdata import profile_series

__all__ = ["KERNEL_NAME", "Job", "RunResult", "check_run_name",
           "coerce_cli_value", "default_run_name", "describe", "describe_spec", "environment_key",
           "expand_run", "list_jobs", "list_notebooks", "list_runs", "load_params_file",
           "normalise_notebook", "notebook_parameters", "notebooks_dir", "outputs_lock",
           "parameter_model", "parameter_models", "profile_series", "read_manifest", "refresh",
           "resolve_notebook", "run_all", "run_notebook", "slug", "validate_parameters"]
