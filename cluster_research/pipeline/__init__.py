"""The reproduction pipeline: notebooks, parameters, runs, the worker pool, report, CLI.

Modules, low to high: :mod:`~.notebooks` (paths, parameter discovery), :mod:`~.userdata`
(a researcher's own CSV), :mod:`~.params` (notebooks/parameters.py), :mod:`~.runs` (run
files, fan-out, names), :mod:`~.kernel` (IPC kernels, reuse), :mod:`~.cache` (run
manifest, content hashes, lock), :mod:`~.runner` (one atomic run), :mod:`~.pool`
(``run_all`` on a ProcessPoolExecutor), :mod:`~.report` (HTML report), :mod:`~.cli`.

Examples
--------
>>> from cluster_research import pipeline
>>> pipeline.resolve_notebook("01").name
'01_paper_claims.ipynb'
"""

from __future__ import annotations

from .cache import outputs_lock, read_manifest
from .kernel import prepare_kernel, start_kernel, stop_kernel
from .notebooks import (KERNEL_NAME, list_notebooks, list_runs, normalise_notebook,
                        notebook_parameters, notebooks_dir, resolve_notebook)
from .params import (coerce_cli_value, describe_spec, parameter_model, parameter_models,
                     validate_parameters)
from .pool import Interrupted, run_all
from .runner import RunResult, describe, refresh, run_notebook
from .runs import (Job, check_run_name, default_run_name, expand_run, list_jobs,
                   load_params_file, slug)
from .userdata import profile_series

__all__ = ["Interrupted", "Job", "KERNEL_NAME", "RunResult",
           "check_run_name", "coerce_cli_value", "default_run_name", "describe",
           "describe_spec", "expand_run", "list_jobs", "list_notebooks", "list_runs",
           "load_params_file", "normalise_notebook", "notebook_parameters", "notebooks_dir",
           "outputs_lock", "parameter_model", "parameter_models", "prepare_kernel",
           "profile_series",
           "read_manifest", "refresh", "resolve_notebook", "run_all", "run_notebook",
           "start_kernel", "stop_kernel", "validate_parameters"]
