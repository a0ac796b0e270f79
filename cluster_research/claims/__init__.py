"""The paper's checkable claims as data, and their reproduction against independent sources.

Each :class:`Claim` records a short quote of the paper, its section, the paper's
value with its unit and qualifier, how it is checked and the tolerance.
:func:`check_all` evaluates every claim and returns one row per claim with a
verdict in {``reproduced``, ``not reproduced``, ``not checkable``} and the reason.

Conventions
-----------
- "250多亿元" is a *lower bound* (more than 250, below 260), never an exact 250.
- Chinese "上升了 N 倍" is read two ways and both are reported:
  the **increase multiple** ``v1 / v0 - 1`` (上升了/增长了 N 倍 = becomes (N+1)×, the
  usual reading in Chinese statistical writing) and the **fold change** ``v1 / v0``.
- "近 N" (nearly N) is accepted in ``[N - 0.5, N + 0.05]``: slightly below N, with
  room for rounding of the inputs.
- "约25%" is an approximate value rounded to a whole percent: ``[24.5, 25.5)``.

The paper also names the cluster's members (12 kinds in the industry chain plus
government, industry organisations and parks outside it, see :func:`ecosystem`)
and four strategy pillars mapped here to measurable NBS indicators
(:func:`pillars`, :func:`pillar_indicators`).

References
----------
.. [1] 上海电子商务产业集群推进策略研究 (c. 2011), section 二(一).
.. [2] 人民網日本語版, 2010-06-17, 上海市商務委員会: 2002 e-commerce 253.86 亿元.
.. [3] 東方ネット, 2011-12-23, 上海市商務委員会: 2010 4252.8 亿元; 2011 H1 2495.05 亿元, 約25%増.
.. [4] Chinese usage of 倍 with 增加了/上升了: "增加了 N 倍" means the new value is (N+1)
   times the old one, whereas "增加到 N 倍" means N times.

Examples
--------
>>> import cluster_research as cr
>>> table = cr.claims.check_all()                  # doctest: +SKIP
>>> table[["claim_id", "verdict"]].head(3)          # doctest: +SKIP
"""

from __future__ import annotations

from .paper import (CLAIMS, KINDS, Claim, check, check_all, check_details, claims, register,
                    registered, style, summary, unregister)
from .stage import VERDICTS, method_verdict, stage_verdict, stage_verdicts
from .taxonomy import (FIGURE1_DISTRICTS, MEMBER_SENTENCE, district_names, ecosystem,
                       parse_member_list, pillar_indicators, pillars, ranking_gaps)

__all__ = [
    "CLAIMS", "KINDS", "FIGURE1_DISTRICTS", "MEMBER_SENTENCE", "VERDICTS", "Claim", "check",
    "check_all", "check_details", "claims", "district_names", "ecosystem", "method_verdict",
    "parse_member_list", "pillar_indicators", "pillars", "ranking_gaps", "register", "registered",
    "stage_verdict", "stage_verdicts", "style", "summary", "unregister"]
