"""The recommendations section: the neighbours built, and HR@10 and NDCG@10 against the
popularity baseline when `proteus bench recs` measured them after this run."""

from __future__ import annotations

from typing import Any

from proteus.graph import Runner
from proteus.report.charts import bars
from proteus.report.common import RunRow, section
from proteus.report.model import Figure, Section, number

BENCH = "recommend_bench"


def build(graph: Runner, run: RunRow, bench: RunRow | None = None) -> Section:
    report: dict[str, Any] = run.get("report") or {}
    out = section(run, "recommend", "Recommendations")
    out.figures = [Figure(label="viewers", value=number(report.get("viewers"))),
                   Figure(label="contents", value=number(report.get("contents"))),
                   Figure(label="with neighbours",
                          value=number(report.get("contents_with_neighbours"))),
                   Figure(label="SIMILAR", value=number(report.get("relationships")))]
    if bench is None and run.get("started"):
        found = graph.read("report/bench_after", stage=BENCH, after=run["started"])
        bench = found[0]["run"] if found else None
    if bench is None:
        out.notes.append("no benchmark since this run: `proteus bench recs` measures HR@10 "
                         "and NDCG@10 against popularity, and the report then shows them")
        return out
    result: dict[str, Any] = bench.get("report") or {}
    models = (("Proteus", "hr_at_10", "ndcg_at_10"),
              ("popularity", "baseline_hr_at_10", "baseline_ndcg_at_10"),
              ("co-view last 5", "hr_at_10_coview_last5", "ndcg_at_10_coview_last5"),
              ("item-kNN", "hr_at_10_itemknn", "ndcg_at_10_itemknn"),
              ("ALS", "hr_at_10_als", "ndcg_at_10_als"))
    rows = [{"metric": metric, "model": model, "score": result.get(key)}
            for model, hr_key, ndcg_key in models
            if model in ("Proteus", "popularity") or result.get(hr_key) is not None
            for metric, key in (("HR@10", hr_key), ("NDCG@10", ndcg_key))]
    ratio = result.get("ratio_vs_baseline")
    reading = (f"on {result.get('users', 0):,} viewers: HR@10 {number(result.get('hr_at_10'))}"
               f" against {number(result.get('baseline_hr_at_10'))} for popularity"
               + (f" ({ratio} times)" if ratio else "")
               + f"; NDCG@10 {number(result.get('ndcg_at_10'))} against "
               f"{number(result.get('baseline_ndcg_at_10'))}"
               + (f"; HR@10 {number(result.get('hr_at_10_coview_last5'))} for co-view from "
                  f"the last 5 ({result.get('ratio_vs_coview_last5')} times)"
                  if result.get("hr_at_10_coview_last5") is not None else ""))
    chart = bars("recommend-bench", "Leave-last-out HR@10 and NDCG@10", reading, rows,
                 "metric", "score", "metric", "score", color="model", color_title="model",
                 grouped=True, order=["HR@10", "NDCG@10"])
    if chart:
        out.charts.append(chart)
    out.notes.append(f"benchmark run {bench.get('id')} ({bench.get('started')})")
    return out
