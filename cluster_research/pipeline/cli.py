"""Run the command line: ``python -m cluster_research COMMAND`` (see ``--help``).

Commands: run, list, reproduce, profile, report, refresh, build-data. Exit status: 0 done;
1 runs failed; 2 bad input (any :class:`~cluster_research.errors.ClusterResearchError`,
reported in one line); 3 the reproduction is incomplete (``report``); 130 interrupted.

Examples
--------
::

    python -m cluster_research list
    python -m cluster_research run 05 -p region 北京 -p lang en
    python -m cluster_research run 03 -p region 北京 -p years 2018,2022
    python -m cluster_research run 09 -p region 金华   # a city of the Taobao-village lists
    python -m cluster_research reproduce --jobs 2        # runs not up to date, then report
    python -m cluster_research reproduce --force         # every run
    python -m cluster_research profile my_city.csv      # notebook 06 on your own city's CSV
    python -m cluster_research report                   # HTML report of outputs/ only
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import time
from pathlib import Path

from .. import __version__, data, schemas
from ..errors import ClusterResearchError, ParameterError, ReportIncompleteError, RunFailedError
from ..outputs import outputs_dir
from . import report
from .notebooks import list_runs, resolve_notebook
from .params import (
    coerce_cli_value, describe_spec, parameter_model, parameter_models, validate_parameters)
from .runner import describe, refresh, run_all, run_notebook
from .runs import read_yaml, slug
from .summary import run_summary

__all__ = ["main"]

_P_HELP = ("set a parameter (repeatable); lists as a,b or '[a, b]', None as null; "
           "see the allowed values below or with `list`")


def _param_epilog(names=None, notebook=None) -> str:
    """The parameters' kinds and allowed values from the notebooks' models: ``names`` of
    ``notebook`` only (default every parameter of every notebook)."""
    names = names or dict.fromkeys(n for m in parameter_models().values() for n in m.model_fields)
    lines = ["parameters (kind and allowed values):"]
    lines += [f"  {name:<20} {describe_spec(name, notebook)}" for name in names]
    lines += ["", "regions: the 31 provincial-level regions (北京, 北京市, Beijing, 110000); a city",
              "or county of the Taobao-village lists (金华 / 金华市, 义乌) only where the notebook",
              "has a city parameter (09) -- elsewhere the data is provincial and the error names",
              "the city's province; an unknown name suggests the closest provinces and cities."]
    return "\n".join(lines)


def _parser(with_epilog: bool = False) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m cluster_research",
                                description="Run the cluster_research reproduction notebooks.")
    p.add_argument("--version", action="version", version=f"cluster_research {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    epi = _param_epilog() if with_epilog else None
    fmt = argparse.RawDescriptionHelpFormatter

    r = sub.add_parser("run", help="execute one notebook with validated parameters",
                       epilog=epi, formatter_class=fmt)
    r.add_argument("notebook", help="number (05), stem or path of the notebook")
    r.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                   metavar=("NAME", "VALUE"), help=_P_HELP)
    r.add_argument("--params-file", help="YAML with 'parameters:' (and optionally 'notebook:')")
    r.add_argument("--output-dir", help="root of the outputs (default outputs/)")
    r.add_argument("--name", help="run name inside outputs/ (default: notebook stem + parameters)")

    sub.add_parser("list", help="list notebooks, their parameters and the reproduction runs")

    rep = sub.add_parser("reproduce", help="run every notebooks/params/*.yaml that is not up "
                                           "to date (fan-outs expanded), then report")
    rep.add_argument("--jobs", type=int, default=2,
                     help="runs executing at once, one kernel each (default 2)")
    rep.add_argument("--output-dir", help="root of the outputs (default outputs/)")
    rep.add_argument("--force", action="store_true",
                     help="re-run every run, even those whose inputs did not change")
    rep.add_argument("--no-report", action="store_true", help="skip the HTML report")
    rep.add_argument("--only", nargs="+", metavar="RUN",
                     help="only these run files (stems of notebooks/params/*.yaml)")

    # profile runs notebook 06 only: its own parameters, without the two the command sets
    own = [n for n in parameter_model("06").model_fields
           if n not in ("csv_path", "csv_series")] if with_epilog else None
    pr = sub.add_parser("profile", help="run the region profile (notebook 06) on your own CSV",
                        epilog=_param_epilog(own, "06") if with_epilog else None,
                        formatter_class=fmt)
    pr.add_argument("csv", help="series CSV (format: data/README.md section 5); its region "
                                "column: a province, a city or county of the Taobao-village "
                                "lists (any spelling: 金华, 金华市; labelled canonically) or your "
                                "own place (kept as written)")
    pr.add_argument("--series", default="", help="series id in the file (default: the only one)")
    pr.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                    metavar=("NAME", "VALUE"), help=_P_HELP)
    pr.add_argument("--output-dir", help="root of the outputs (default outputs/)")
    pr.add_argument("--name", help="run name (default 06_region_profile/user_<file stem>)")

    rp = sub.add_parser("report", help="build the report (Sphinx, docs/) of the executed "
                                       "notebooks into outputs/report/html")
    rp.add_argument("--output-dir", help="root of the outputs (default outputs/)")
    rp.add_argument("--jobs", type=int, default=1, help="Sphinx processes (default 1)")
    rp.add_argument("--allow-incomplete", action="store_true",
                    help="build even when runs are missing, failed or stale")

    ref = sub.add_parser("refresh", help="re-execute committed notebooks in place")
    ref.add_argument("notebooks", nargs="*", help="default: all numbered notebooks")

    b = sub.add_parser("build-data", help="write data/processed/ from data/raw/")
    b.add_argument("--out-dir", help="default data/processed/")
    return p


def _cli_parameters(nb_path, pairs) -> dict:
    """Type ``-p NAME VALUE`` pairs by the notebook's model (unknown names raise)."""
    fields = parameter_model(nb_path).model_fields
    params: dict = {}
    for name, text in pairs:
        if name not in fields:
            validate_parameters(nb_path, {name: text})  # raises, lists the names
        params[name] = coerce_cli_value(name, text, fields[name].default, nb_path)
    return params


def _print_result(res) -> None:
    print(f"executed {res.notebook.name} in {res.seconds:.1f} s -> {res.output_notebook}")
    for f in res.figures + res.tables:
        print(f"  wrote {f}")
    for line in run_summary(res.tables):
        print(line)


def _summary(results, jobs: int, t0: float) -> None:
    ran = [r for r in results if not r.reused]
    for res in (r for r in ran if "/" not in r.name):
        print(f"{res.name}: {res.seconds:.1f} s, {len(res.figures)} figure files, "
              f"{len(res.tables)} tables -> {res.output_notebook}")
    fan = [r for r in ran if "/" in r.name]
    if fan:
        stems = ", ".join(sorted({r.name.split("/")[0] for r in fan}))
        print(f"{len(fan)} fan-out runs ({stems}): "
              f"{sum(r.seconds for r in fan):.1f} s of notebook time")
    print(f"notebooks: {len(ran)} runs executed, {len(results) - len(ran)} reused unchanged, "
          f"in {time.perf_counter() - t0:.1f} s wall with {jobs} job(s)")


def _reproduce(args) -> int:
    t0 = time.perf_counter()
    runs = None
    if args.only:
        by_stem = {r.stem: r for r in list_runs()}
        missing = [o for o in args.only if o not in by_stem]
        if missing:
            raise ParameterError(f"unknown run(s) {missing}; runs: {', '.join(by_stem)}")
        runs = [by_stem[o] for o in args.only]
    try:
        results = run_all(jobs=args.jobs, output_dir=args.output_dir, runs=runs, force=args.force)
    except RunFailedError as exc:
        _summary(exc.results, args.jobs, t0)
        print(f"FAILED: {len(exc.failures)} run(s):", file=sys.stderr)
        for name, err in exc.failures.items():
            print(f"  {name}: {err}", file=sys.stderr)
        print("failed notebooks (with the error) are in outputs/failed/", file=sys.stderr)
        return 1
    _summary(results, args.jobs, t0)
    out = Path(args.output_dir) if args.output_dir else outputs_dir()
    readme, text = out / "tables" / "README.md", schemas.table_dictionary() + "\n"
    if not readme.is_file() or readme.read_text(encoding="utf-8") != text:  # keep its mtime
        readme.parent.mkdir(parents=True, exist_ok=True)
        readme.write_text(text, encoding="utf-8")
    print(f"data dictionary of the tables: {readme}")
    if not args.no_report:
        index = report.build_report(output_dir=args.output_dir, jobs=args.jobs,
                                    allow_incomplete=args.only is not None)
        print(f"report: {index}")
    print(f"total: {time.perf_counter() - t0:.1f} s wall")
    return 0


#: Seconds between two "still running" lines on stderr while a command executes notebooks:
#: a run may compute for many minutes in its kernel (the real-time stage models), and the
#: command shows it is alive at least this often.
HEARTBEAT_SECONDS = 30.0


@contextlib.contextmanager
def _heartbeat(what: str):
    """Print ``... still running <what>: N s`` to stderr every :data:`HEARTBEAT_SECONDS`
    until the block ends (a daemon thread; nothing is printed for a shorter block)."""
    stop, start = threading.Event(), time.monotonic()

    def beat():
        while not stop.wait(HEARTBEAT_SECONDS):
            print(f"... still running {what}: {time.monotonic() - start:.0f} s",
                  file=sys.stderr, flush=True)

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _dispatch(args) -> int:
    if args.command == "list":
        print(describe())
    elif args.command in ("run", "profile"):
        if args.command == "run":
            nb_path = resolve_notebook(args.notebook)
            params: dict = {}
            if args.params_file:
                spec = read_yaml(args.params_file) or {}
                if not isinstance(spec, dict):
                    raise ParameterError(f"{args.params_file}: expected a mapping")
                if "notebook" in spec and resolve_notebook(str(spec["notebook"])) != nb_path:
                    raise ParameterError(
                        f"{args.params_file} is for {spec['notebook']}, not {nb_path.name}")
                params.update(spec.get("parameters", spec if "notebook" not in spec else {}) or {})
            params.update(_cli_parameters(nb_path, args.parameter))
            name, label = args.name, nb_path.stem
        else:
            nb_path = resolve_notebook("06")
            params = _cli_parameters(nb_path, args.parameter)
            params.update(csv_path=args.csv, csv_series=args.series)
            # run_notebook validates (a malformed CSV stops before any kernel); validating here
            # too read the CSV twice and printed its warnings twice
            name = label = args.name or f"06_region_profile/user_{slug(Path(args.csv).stem)}"
        with _heartbeat(label):
            res = run_notebook(nb_path, params, output_dir=args.output_dir, name=name,
                               progress_bar=sys.stdout.isatty())
        _print_result(res)
    elif args.command == "reproduce":
        with _heartbeat("the reproduction"):
            return _reproduce(args)
    elif args.command == "report":
        try:
            print(f"report: {report.build_report(args.output_dir, args.jobs, args.allow_incomplete)}")
        except ReportIncompleteError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 3
    elif args.command == "refresh":
        for p in refresh(args.notebooks or None):
            print(f"refreshed {p}")
    elif args.command == "build-data":
        for p in data.build_processed(args.out_dir):
            print(f"wrote {p}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 done, 1 runs failed, 2 bad input, 3 incomplete reproduction, 130 interrupted.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser(with_epilog=bool({"-h", "--help"} & set(argv))).parse_args(argv)
    try:
        return _dispatch(args)
    except ClusterResearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print(f"{exc or 'interrupted'}", file=sys.stderr)
        return 130
