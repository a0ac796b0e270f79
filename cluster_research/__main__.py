"""Run the command line: ``python -m cluster_research COMMAND`` (see ``--help``).

Commands: run, list, reproduce, profile, report, refresh, build-data.

Examples
--------
::

    python -m cluster_research list
    python -m cluster_research run 05 -p region 北京 -p lang en
    python -m cluster_research run 01 --params-file notebooks/params/01_paper_claims.yaml
    python -m cluster_research reproduce --jobs 2        # every run, 31 region profiles, report
    python -m cluster_research profile my_city.csv      # notebook 06 on your own city's CSV
    python -m cluster_research report                   # HTML report of outputs/ only
    python -m cluster_research refresh            # re-execute committed notebooks in place
    python -m cluster_research build-data
"""

from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m cluster_research",
        description="Run the cluster_research reproduction notebooks.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="execute one notebook with validated parameters")
    r.add_argument("notebook", help="number (05), stem or path of the notebook")
    r.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                   metavar=("NAME", "VALUE"), help="set a parameter (repeatable)")
    r.add_argument("--params-file", help="YAML with 'parameters:' (and optionally 'notebook:')")
    r.add_argument("--output-dir", help="root of the outputs (default outputs/)")
    r.add_argument("--name", help="run name (default: notebook stem + parameters)")

    sub.add_parser("list", help="list notebooks, their parameters and the reproduction runs")

    rep = sub.add_parser("reproduce",
                         help="run every notebooks/params/*.yaml (fan-outs expanded), then report")
    rep.add_argument("--jobs", type=int, default=2, help="parallel workers (default 2)")
    rep.add_argument("--output-dir", help="root of the outputs (default outputs/)")
    rep.add_argument("--fresh-kernels", action="store_true",
                     help="start a fresh kernel for every run (default: one reused per worker)")
    rep.add_argument("--no-report", action="store_true", help="skip the HTML report")
    rep.add_argument("--only", nargs="+", metavar="RUN",
                     help="only these run files (stems of notebooks/params/*.yaml)")

    pr = sub.add_parser("profile", help="run the region profile (notebook 06) on your own CSV")
    pr.add_argument("csv", help="series CSV (format: data/README.md section 5)")
    pr.add_argument("--series", default="", help="series id in the file (default: the only one)")
    pr.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                    metavar=("NAME", "VALUE"), help="other notebook 06 parameter (repeatable)")
    pr.add_argument("--output-dir", help="root of the outputs (default outputs/)")
    pr.add_argument("--name", help="run name (default 06_region_profile/user_<file stem>)")

    rp = sub.add_parser("report", help="render the HTML report of the executed notebooks")
    rp.add_argument("--output-dir", help="root of the outputs (default outputs/)")

    ref = sub.add_parser("refresh", help="re-execute committed notebooks in place")
    ref.add_argument("notebooks", nargs="*", help="default: all numbered notebooks")

    b = sub.add_parser("build-data", help="write data/processed/ from data/raw/")
    b.add_argument("--out-dir", help="default data/processed/")
    return p


def _cli_parameters(runner, nb_path, pairs) -> dict:
    """Type ``-p NAME VALUE`` pairs like the notebook's defaults (unknown names raise)."""
    defaults = runner.notebook_parameters(nb_path)
    params: dict = {}
    for name, text in pairs:
        if name not in defaults:
            runner.validate_parameters(nb_path, {name: text})  # raises, lists names
        params[name] = runner.coerce_cli_value(name, text, defaults[name])
    return params


def _print_result(res) -> None:
    print(f"executed {res.notebook.name} in {res.seconds:.1f} s -> {res.output_notebook}")
    for f in res.figures + res.tables:
        print(f"  wrote {f}")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit status."""
    args = _parser().parse_args(argv)
    from . import runner

    try:
        if args.command == "list":
            print(runner.describe())
        elif args.command == "run":
            import yaml

            nb_path = runner.resolve_notebook(args.notebook)
            params: dict = {}
            if args.params_file:
                with open(args.params_file, encoding="utf-8") as f:
                    spec = yaml.safe_load(f) or {}
                if "notebook" in spec and runner.resolve_notebook(spec["notebook"]) != nb_path:
                    raise runner.ParameterError(
                        f"{args.params_file} is for {spec['notebook']}, not {nb_path.name}")
                params.update(spec.get("parameters", spec if "notebook" not in spec else {}))
            params.update(_cli_parameters(runner, nb_path, args.parameter))
            res = runner.run_notebook(nb_path, params, output_dir=args.output_dir,
                                      name=args.name, progress_bar=True)
            _print_result(res)
        elif args.command == "profile":
            from pathlib import Path

            nb_path = runner.resolve_notebook("06")
            params = _cli_parameters(runner, nb_path, args.parameter)
            params.update(csv_path=args.csv, csv_series=args.series)
            # read and check the file here: a malformed CSV stops before any kernel starts
            runner.validate_parameters(nb_path, params)
            name = args.name or f"06_region_profile/user_{runner._slug(Path(args.csv).stem)}"
            res = runner.run_notebook(nb_path, params, output_dir=args.output_dir, name=name,
                                      progress_bar=True)
            _print_result(res)
        elif args.command == "reproduce":
            import time

            t0 = time.perf_counter()
            runs = None
            if args.only:
                by_stem = {r.stem: r for r in runner.list_runs()}
                missing = [o for o in args.only if o not in by_stem]
                if missing:
                    raise runner.ParameterError(
                        f"unknown run(s) {missing}; runs: {', '.join(by_stem)}")
                runs = [by_stem[o] for o in args.only]
            results = runner.run_all(jobs=args.jobs, output_dir=args.output_dir, runs=runs,
                                     reuse_kernels=not args.fresh_kernels)
            single = [r for r in results if "/" not in r.name]
            for res in single:
                print(f"{res.name}: {res.seconds:.1f} s, {len(res.figures)} figure files, "
                      f"{len(res.tables)} tables -> {res.output_notebook}")
            fan = [r for r in results if "/" in r.name]
            if fan:
                stems = ", ".join(sorted({r.name.split("/")[0] for r in fan}))
                print(f"{len(fan)} fan-out runs ({stems}): "
                      f"{sum(r.seconds for r in fan):.1f} s of notebook time")
            print(f"notebooks: {len(results)} runs in {time.perf_counter() - t0:.1f} s wall "
                  f"with {args.jobs} job(s)")
            if not args.no_report:
                from . import report

                index = report.build_report(output_dir=args.output_dir, jobs=args.jobs)
                print(f"report: {index}")
            print(f"total: {time.perf_counter() - t0:.1f} s wall")
        elif args.command == "report":
            from . import report

            print(f"report: {report.build_report(output_dir=args.output_dir)}")
        elif args.command == "refresh":
            for p in runner.refresh(args.notebooks or None):
                print(f"refreshed {p}")
        elif args.command == "build-data":
            from . import data

            for p in data.build_processed(args.out_dir):
                print(f"wrote {p}")
    except (runner.ParameterError, runner.NotebookError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # DataValidationError and friends: name what is wrong
        if type(exc).__name__ in ("DataValidationError", "UnitError", "ReportError"):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
