"""Command line: ``python -m cluster_research {run,list,reproduce,refresh,build-data}``.

Examples
--------
::

    python -m cluster_research list
    python -m cluster_research run 05 -p region 北京 -p lang en
    python -m cluster_research run 01_paper_claims --params-file notebooks/params/01_paper_claims.yaml
    python -m cluster_research reproduce --jobs 2
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

    rep = sub.add_parser("reproduce", help="run every notebooks/params/*.yaml")
    rep.add_argument("--jobs", type=int, default=2, help="parallel workers (default 2)")
    rep.add_argument("--output-dir", help="root of the outputs (default outputs/)")

    ref = sub.add_parser("refresh", help="re-execute committed notebooks in place")
    ref.add_argument("notebooks", nargs="*", help="default: all numbered notebooks")

    b = sub.add_parser("build-data", help="write data/processed/ from data/raw/")
    b.add_argument("--out-dir", help="default data/processed/")
    return p


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
            defaults = runner.notebook_parameters(nb_path)
            for name, text in args.parameter:
                if name not in defaults:
                    runner.validate_parameters(nb_path, {name: text})  # raises, lists names
                params[name] = runner.coerce_cli_value(name, text, defaults[name])
            res = runner.run_notebook(nb_path, params, output_dir=args.output_dir,
                                      name=args.name, progress_bar=True)
            print(f"executed {res.notebook.name} in {res.seconds:.1f} s -> {res.output_notebook}")
            for f in res.figures + res.tables:
                print(f"  wrote {f}")
        elif args.command == "reproduce":
            results = runner.run_all(jobs=args.jobs, output_dir=args.output_dir)
            for res in results:
                print(f"{res.name}: {res.seconds:.1f} s, {len(res.figures)} figure files, "
                      f"{len(res.tables)} tables -> {res.output_notebook}")
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
        if type(exc).__name__ in ("DataValidationError", "UnitError"):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
