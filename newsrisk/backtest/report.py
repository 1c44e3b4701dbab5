"""The backtest report: one self-contained HTML page (PNG plots embedded as base64).

Every text that comes from data (tickers, topics, article titles) goes through ``html.escape``;
article URLs are never turned into links.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsrisk.backtest.evaluate import Evaluation
from newsrisk.backtest.frames import WindowFrames, WindowSeries
from newsrisk.backtest.grid import GridPoint
from newsrisk.backtest.prices import Drop
from newsrisk.records import Alert, format_time

MAX_ALERT_ROWS = 300
MAX_PANELS = 8

CSS = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}
table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #ccc;
padding:3px 6px;vertical-align:top}th{background:#f3f3f3}.hit{color:#070}.miss{color:#a00}
img{max-width:100%}ul.ev{margin:0;padding-left:1.2em}"""


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _img(b64: str, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{b64}">'


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def share_panels(series: Sequence[WindowSeries], alerts: Sequence[Alert],
                 drops: Sequence[Drop], title: str) -> str | None:
    """Negative share per window of each series, alerts (orange) and drops (red) marked."""
    if not series:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # one time axis for all panels (its dates under the last one) and a layout that keeps each
    # panel's title clear of the panel above
    fig, axes = plt.subplots(len(series), 1, figsize=(11, 2.0 * len(series)), squeeze=False,
                             sharex=True, layout="constrained")
    for ax, s in zip(axes[:, 0], series, strict=True):
        xs = [_dt(t) for t, c in zip(s.start, s.count, strict=True) if c]
        ys = [n / c for n, c in zip(s.negative, s.count, strict=True) if c]
        ax.plot(xs, ys, lw=0.7, color="#456")
        ax.set_ylim(0, 1)
        ax.set_ylabel("neg. share")
        ax.set_title(f"{s.key_kind} {s.key} ({s.window} windows)", fontsize=9, loc="left")
        for a in alerts:
            if a.key == s.key and a.key_kind == s.key_kind:
                ax.axvline(a.window_end, color="orange", lw=1)
        for d in drops:
            if d.ticker == s.key or (s.key_kind == "entity" and d.ticker == s.key.upper()):
                ax.axvline(d.at, color="red", lw=1, ls="--")
    axes[-1, 0].set_xlabel("orange: alerts, red dashed: drops")
    fig.suptitle(title)
    return _png(fig)


def pr_curve(points: Sequence[GridPoint]) -> str | None:
    if not points:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.5))
    groups: dict[str, list[GridPoint]] = {}
    for p in points:
        if p.method == "detector":
            label = f"detector, min_negatives={int(p.params['min_negatives'])}"
        else:
            label = f"mention baseline, min_count={int(p.params['min_count'])}"
        groups.setdefault(label, []).append(p)
    for label, pts in groups.items():
        pts = [p for p in pts if p.evaluation.precision is not None]
        ax.plot([p.evaluation.recall or 0 for p in pts], [p.evaluation.precision or 0 for p in pts],
                marker="o" if "detector" in label else "s", label=label)
    ax.set_xlabel("recall (drop events preceded by an alert)")
    ax.set_ylabel("precision (alerts followed by a drop)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _png(fig)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    return html.escape(str(v))


def _evidence(alert: Alert) -> str:
    items = "".join(f"<li>{html.escape(e.title)} <small>(score {e.score:+.2f})</small></li>"
                    for e in alert.evidence[:3])
    return f'<ul class="ev">{items}</ul>'


def alerts_table(ev: Evaluation, limit: int = MAX_ALERT_ROWS) -> str:
    rows = []
    for o in ev.outcomes[:limit]:
        a = o.alert
        verdict = ("unpriced" if o.ticker is None
                   else f'<span class="hit">drop {o.drop.ret:+.1%} {o.drop.day}</span>'
                   if o.drop else '<span class="miss">no drop</span>')
        rows.append([html.escape(format_time(a.window_end)), html.escape(a.key),
                     html.escape(a.window), html.escape(a.severity), f"{a.score:.2f}",
                     f"{a.negative}/{a.count}", verdict, _fmt(o.lead_hours), _evidence(a)])
    more = (f"<p>{len(ev.outcomes) - limit} more alerts are in the JSON output.</p>"
            if len(ev.outcomes) > limit else "")
    return _table(["window end (UTC)", "ticker", "window", "severity", "score", "neg/all",
                   "outcome", "lead h", "evidence (most negative)"], rows) + more


def topic_table(alerts: Sequence[Alert], limit: int = 100) -> str:
    rows = [[html.escape(format_time(a.window_end)), html.escape(a.key), html.escape(a.window),
             f"{a.score:.2f}", f"{a.negative}/{a.count}", _evidence(a)] for a in alerts[:limit]]
    return _table(["window end (UTC)", "topic", "window", "score", "neg/all", "evidence"], rows)


def _ticker_panels(ev: Evaluation, frames: WindowFrames, window: str,
                   limit: int = MAX_PANELS) -> list[tuple[str, str, str]]:
    """Series keys of the tickers to plot: those with alerts first (hits, then alerts), then the
    most mentioned ones; a ticker with drops but (almost) no articles says nothing."""
    hits: dict[str, int] = {}
    alerts: dict[str, int] = {}
    for o in ev.outcomes:
        if o.ticker:
            alerts[o.alert.key] = alerts.get(o.alert.key, 0) + 1
            hits[o.alert.key] = hits.get(o.alert.key, 0) + int(o.hit)
    series = frames.of_kind("entity", window)
    mentions = {s.key: sum(s.count) for s in series}
    ranked = sorted(series, key=lambda s: (-hits.get(s.key, 0), -alerts.get(s.key, 0),
                                           -mentions[s.key], s.key))
    return [(s.key_kind, s.key, s.window) for s in ranked[:limit]]


def write_report(out_dir: Path, summary: dict[str, Any], ev: Evaluation, base_ev: Evaluation,
                 topic_alerts: Sequence[Alert], frames: WindowFrames, window: str,
                 grid: Sequence[GridPoint] = ()) -> Path:
    """Write ``out_dir/index.html`` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>newsrisk backtest</title>"
             f"<style>{CSS}</style></head><body><h1>newsrisk backtest</h1>"]
    metrics = ["alerts", "alerts_unpriced", "precision", "recall", "median_lead_hours",
               "alerts_per_day", "events", "detected"]
    parts.append(_table(["", "detector", "mention-volume baseline"],
                        [[html.escape(m), _fmt(ev.to_dict()[m]), _fmt(base_ev.to_dict()[m])]
                         for m in metrics]))
    parts.append(_table(["setting", "value"],
                        [[html.escape(k), _fmt(v)] for k, v in summary.items()
                         if not isinstance(v, dict | list)]))
    img = pr_curve(grid)
    if img:
        parts.append("<h2>Precision / recall over the threshold grid</h2>" + _img(img, "PR"))
    ent = [frames.series[key] for key in _ticker_panels(ev, frames, window)]
    img = share_panels(ent, [o.alert for o in ev.outcomes], ev.drops,
                       "Negative share per ticker")
    if img:
        parts.append("<h2>Tickers</h2>" + _img(img, "tickers"))
    topics = sorted(frames.of_kind("topic", window), key=lambda s: -sum(s.count))[:MAX_PANELS]
    img = share_panels(topics, topic_alerts, [], "Negative share per topic")
    if img:
        parts.append("<h2>Topics</h2>" + _img(img, "topics"))
    parts.append(f"<h2>Entity alerts ({len(ev.outcomes)})</h2>" + alerts_table(ev))
    parts.append(f"<h2>Topic alerts ({len(topic_alerts)}; not in precision/recall)</h2>"
                 + topic_table(topic_alerts))
    parts.append("</body></html>")
    path = out_dir / "index.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
