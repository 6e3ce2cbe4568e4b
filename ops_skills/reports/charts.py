"""Geometry for the server-rendered SVG charts (no JS, no inline styles: CSP is strict)."""

from __future__ import annotations

BAR_LIMIT = 30
WIDTH, LABEL, ROW = 760, 220, 24


def risk_bars(systems, *, limit: int = BAR_LIMIT) -> dict:
    """One horizontal bar per system (riskiest first), length = tier-weighted risk, coloured by
    tier; the truck factor is written at the end of the bar."""
    rows = [s for s in systems if s.risk > 0][:limit]
    top = max((s.risk for s in rows), default=1) or 1
    span = WIDTH - LABEL - 90
    bars = []
    for i, row in enumerate(rows):
        width = max(2, round(span * row.risk / top))
        bars.append(
            {
                "row": row,
                "y": i * ROW,
                "text_y": i * ROW + 16,
                "width": width,
                "value_x": LABEL + width + 6,
                "tier": row.system.tier,
                "label": row.system.name if len(row.system.name) <= 28 else row.system.name[:27] + "…",
                "tf": "–" if row.truck.value is None else row.truck.value,
            }
        )
    return {
        "bars": bars,
        "width": WIDTH,
        "label_x": LABEL - 8,
        "bar_x": LABEL,
        "height": max(ROW, len(bars) * ROW + 4),
        "more": max(0, sum(1 for s in systems if s.risk > 0) - len(rows)),
    }


TREND_W, TREND_H, PAD_L, PAD_B, PAD_T = 760, 260, 44, 28, 12


def trend_lines(snapshots) -> dict | None:
    """Single points, uncovered skills (left axis, counts) and the mean truck factor (×10 would
    mislead; it gets its own small chart) over time as polylines."""
    if len(snapshots) < 2:
        return None
    n = len(snapshots)
    top = max(max(s.single_points, s.uncovered, s.systems_at_risk) for s in snapshots) or 1
    plot_w, plot_h = TREND_W - PAD_L - 10, TREND_H - PAD_B - PAD_T

    def x(i):
        return round(PAD_L + plot_w * i / (n - 1), 1)

    def y(value, ceiling):
        return round(PAD_T + plot_h - plot_h * value / ceiling, 1)

    def line(attr, ceiling):
        return " ".join(f"{x(i)},{y(getattr(s, attr) or 0, ceiling)}" for i, s in enumerate(snapshots))

    tf_top = max((s.mean_truck_factor or 0) for s in snapshots) or 1
    ticks = [{"y": y(v, top), "value": v} for v in _ticks(top)]
    labels = [
        {
            "x": x(i),
            "text": s.taken_on.strftime("%-d %b"),
            "anchor": "start" if i == 0 else "end" if i == n - 1 else "middle",
        }
        for i, s in enumerate(snapshots)
        if i in {0, n - 1} or (n > 8 and i % max(1, n // 6) == 0 and n - 1 - i > n // 12)
    ]
    return {
        "width": TREND_W,
        "height": TREND_H,
        "pad_l": PAD_L,
        "bottom": TREND_H - PAD_B,
        "right": TREND_W - 10,
        "single_points": line("single_points", top),
        "uncovered": line("uncovered", top),
        "at_risk": line("systems_at_risk", top),
        "truck": " ".join(
            f"{x(i)},{round(90 - 80 * (s.mean_truck_factor or 0) / tf_top, 1)}" for i, s in enumerate(snapshots)
        ),
        "tf_top": tf_top,
        "ticks": ticks,
        "labels": labels,
        "label_y": TREND_H - 8,
        "first": snapshots[0],
        "last": snapshots[-1],
    }


def _ticks(top: int) -> list[int]:
    step = max(1, round(top / 4))
    return list(range(0, top + 1, step))
