"""Validate a run's parameters with the notebook's pydantic model before any kernel starts.

The models live next to the notebooks, in ``notebooks/parameters.py``: one per notebook,
with types, ranges, choices, the ``parameters`` cell's defaults and the checks that need the
data. :func:`validate_parameters` reports the first problem as one
:class:`~cluster_research.errors.ParameterError`; :func:`coerce_cli_value` reads
``-p NAME VALUE`` by the declared type (lists as ``a,b`` or ``[a, b]``, None as ``null``).
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import re
import sys
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, create_model

from ..errors import DataValidationError, ParameterError
from .notebooks import notebook_parameters, notebooks_dir, resolve_notebook
from .runs import load_yaml

__all__ = ["ParameterError", "coerce_cli_value", "describe_spec", "parameter_model",
           "parameter_models", "validate_parameters"]

_NULL = {"null", "none", "~", ""}
_MESSAGES = {"greater_than_equal": "must be >= {ge}", "less_than_equal": "must be <= {le}",
             "greater_than": "must be > {gt}", "less_than": "must be < {lt}",
             "finite_number": "must be a finite number", "literal_error": "must be {expected}",
             "too_short": "must name at least {min_length} value(s)",
             "int_type": "must be int", "float_type": "must be float", "bool_type": "must be bool",
             "string_type": "must be str", "list_type": "must be a list"}


@lru_cache(maxsize=1)
def parameter_models() -> dict[str, type[BaseModel]]:
    """Load ``notebooks/parameters.py``: notebook stem -> its parameter model."""
    name = "cluster_research_notebook_parameters"
    spec = importlib.util.spec_from_file_location(name, notebooks_dir() / "parameters.py")
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.NOTEBOOK_PARAMETERS


def _declared(name: str) -> list[tuple[str, type[BaseModel]]]:
    return [(stem, m) for stem, m in parameter_models().items() if name in m.model_fields]


def parameter_model(notebook: str | os.PathLike) -> type[BaseModel]:
    """Return the parameter model of a notebook, checked against its ``parameters`` cell.

    A notebook without a model of its own (outside ``notebooks/``) gets the declared fields
    of the same names, with its own defaults.

    Parameters
    ----------
    notebook : str or path-like

    Returns
    -------
    type of pydantic.BaseModel

    Raises
    ------
    ParameterError
        A name or default that differs between the cell and the model, or is undeclared.

    Examples
    --------
    >>> parameter_model("08").model_fields["dk_maxlags"].default is None
    True
    """
    path = resolve_notebook(notebook)
    defaults = notebook_parameters(path)
    model = parameter_models().get(path.stem)
    if model is None:
        missing = [n for n in defaults if not _declared(n)]
        model = create_model(path.stem, __config__=ConfigDict(strict=True, extra="forbid"), **{
            n: (_declared(n)[0][1].model_fields[n].rebuild_annotation(), v)
            for n, v in defaults.items() if n not in missing})
    else:
        declared = {n: f.default for n, f in model.model_fields.items()}
        missing = [n for n in {**defaults, **declared}
                   if n not in declared or n not in defaults or declared[n] != defaults[n]]
    if missing:
        raise ParameterError(f"{path.name}: parameter(s) {missing} are not declared alike (name "
                             "and default) in the parameters cell and notebooks/parameters.py")
    return model


@lru_cache(maxsize=64)
def _schema(model: type[BaseModel]) -> dict:
    return model.model_json_schema()["properties"]


def _describe(s: dict) -> str:
    """Describe a field's JSON schema: kind, range or choices, list syntax, null."""
    options = [o for o in s.get("anyOf", [s]) if o.get("type") != "null"]
    null = " or null" if len(options) < len(s.get("anyOf", [s])) else ""
    s = options[0] if options else {}
    if s.get("type") == "array":
        return f"list of {_describe(s['items'])} (a,b or [a, b]){null}"
    lo, hi = (s.get(k, s.get("exclusive" + k.title())) for k in ("minimum", "maximum"))
    if "description" in s:
        text = s["description"]
    elif "enum" in s or "const" in s:
        text = "one of " + "|".join(map(str, s.get("enum", [s.get("const")])))
    else:
        text = {"integer": "int", "number": "float", "string": "str", "boolean": "bool"}.get(
            s.get("type"), "YAML value")
        if lo is not None:
            text += (f" in {'(' if 'exclusiveMinimum' in s else '['}{lo}, "
                     f"{hi}{')' if 'exclusiveMaximum' in s else ']'}")
    return text + null


def _field_schema(name: str, default: Any, notebook=None) -> dict:
    found = [(None, parameter_model(notebook))] if notebook is not None else _declared(name)
    if found and name in found[0][1].model_fields:
        return _schema(found[0][1])[name]
    if default is None:  # undeclared: the type of the default, else YAML
        return {}
    kind = list[type(default[0])] if isinstance(default, list) and default else type(default)
    return TypeAdapter(kind).json_schema()


def describe_spec(name: str, notebook: str | os.PathLike | None = None) -> str:
    """Describe a declared parameter for ``--help`` and ``list``: kind, range, syntax.

    Parameters
    ----------
    name : str
    notebook : str or path-like, optional
        That notebook's declaration (default: each distinct one, with its notebooks).

    Returns
    -------
    str

    Examples
    --------
    >>> describe_spec("n_boot")
    'int in [1, 100000]'
    >>> describe_spec("year", "07")
    'year 1949-2100 within the data'
    """
    found = ([(resolve_notebook(notebook).stem, parameter_model(notebook))]
             if notebook is not None else _declared(name))
    texts: dict[str, list[str]] = {}
    for stem, model in found:
        if name in model.model_fields:
            texts.setdefault(_describe(_schema(model)[name]), []).append(stem[:2])
    if len(texts) < 2:
        return next(iter(texts), "undeclared")
    return "; ".join(f"{'/'.join(nbs)}: {text}" for text, nbs in texts.items())


def _scalar(value: Any, s: dict) -> Any:
    kind = {"integer": int, "number": float, "boolean": bool}.get(s.get("type"))
    return TypeAdapter(kind).validate_python(value) if kind and isinstance(value, str) else value


def coerce_cli_value(name: str, text: str, default: Any,
                     notebook: str | os.PathLike | None = None) -> Any:
    """Read a command-line string as the declared type of the parameter.

    Parameters
    ----------
    name, text : str
        Parameter and value as typed: ``2011``; ``en`` (strings verbatim); lists as
        ``2018,2022`` or ``[2018, 2022]``; ``null`` for None where allowed.
    default : object
        The cell's default: its type reads an undeclared name.
    notebook : str or path-like, optional
        Whose declaration (default: the first notebook declaring ``name``).

    Raises
    ------
    ParameterError
        If the text cannot be read as the declared type (names the parameter).

    Examples
    --------
    >>> coerce_cli_value("year", "2011", 2010)
    2011
    >>> coerce_cli_value("lang", "en", "zh")
    'en'
    >>> coerce_cli_value("years", "2018,2022", [2010, 2011])
    [2018, 2022]
    >>> coerce_cli_value("dk_maxlags", "null", None) is None
    True
    """
    s = _field_schema(name, default, notebook)
    options = s.get("anyOf", [s])
    item = next((o for o in options if o.get("type") != "null"), {})
    try:
        if len(options) > 1 and text.strip().lower() in _NULL:
            return None
        if item.get("type") != "array":
            return _scalar(text, item) if item else load_yaml(text, f"parameter {name!r}")
        t = text.strip()
        values = (load_yaml(t, f"parameter {name!r}") if t.startswith("[")
                  else [x.strip() for x in t.split(",") if x.strip()])
        if not isinstance(values, list):
            raise ParameterError(f"{name}: {text!r} is not a list (a,b or [a, b])")
        return [_scalar(v, item["items"]) for v in values]
    except ValidationError:
        raise ParameterError(f"parameter {name!r}: cannot read {text!r} as "
                             f"{_describe(s)}") from None


def _hint(value: Any, choices: list[str]) -> str:
    close = difflib.get_close_matches(str(value), choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _error(notebook: str, exc: ValidationError) -> Exception:
    """The first problem of a validation as one error naming notebook, parameter, value."""
    err = exc.errors()[0]
    ctx = err.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, DataValidationError):  # a place or a user file: its own message
        return cause
    if not err["loc"]:  # a check across parameters: the message names them
        return ParameterError(f"{notebook}: {cause}")
    where = f"parameter {err['loc'][0]!r}" + "".join(f" item {i}" for i in err["loc"][1:])
    if cause is not None:
        return ParameterError(f"{notebook}: {where} {cause}")
    value, kind = err["input"], err["type"]
    got = f"{type(value).__name__} {value!r}" if kind.endswith("_type") else repr(value)
    hint = _hint(value, re.findall(r"'([^']*)'", ctx.get("expected", "")))
    text = _MESSAGES.get(kind, err["msg"]).format(**ctx)
    return ParameterError(f"{notebook}: {where} {text}, got {got}{hint}")


def validate_parameters(notebook: str | os.PathLike, parameters: dict[str, Any]) -> dict:
    """Check a run's parameters with the notebook's model before execution.

    Names (the closest one suggested), declared types, ranges and choices; then the model's
    checks on the full set, defaults included, by the functions that know the data: places,
    years with data (:func:`cluster_research.data.check_years`), districts, a user's CSV.

    Parameters
    ----------
    notebook : str or path-like
    parameters : dict
        Parameter name -> value (already typed, e.g. from YAML).

    Returns
    -------
    dict
        The full parameter set: defaults updated by ``parameters``.

    Raises
    ------
    ParameterError
        The first problem, naming the notebook, the parameter, the value and what is allowed.
    cluster_research.data.DataValidationError
        An unknown place (closest names suggested), a city where the data is provincial
        (names its province), or a user CSV refused.

    Examples
    --------
    >>> validate_parameters("05", {"regoin": "北京"})
    Traceback (most recent call last):
    ...
    cluster_research.errors.ParameterError: 05_strategy_indicators.ipynb has no parameter 'regoin' (did you mean 'region'?); valid parameters: region, year_from, year_to, lang, map_indicator
    """
    path = resolve_notebook(notebook)
    if not isinstance(parameters, dict):
        raise ParameterError(f"{path.name}: parameters must be a mapping, got "
                             f"{type(parameters).__name__}")
    model = parameter_model(path)
    names = list(model.model_fields)
    if unknown := [n for n in parameters if n not in names]:
        raise ParameterError(f"{path.name} has no parameter {unknown[0]!r}"
                             f"{_hint(unknown[0], names)}; valid parameters: "
                             f"{', '.join(names) or '(none)'}")
    values = {k: list(v) if isinstance(v, tuple) else v for k, v in parameters.items()}
    try:
        return model.model_validate(values).model_dump()
    except ValidationError as exc:
        raise _error(path.name, exc) from None
