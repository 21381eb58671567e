"""The dashboard's Plotly figures, in French: hover values and axes formatted as the rest of the app.

Plotly formats numbers itself; `separators` gives it the French decimal comma and a no-break
space between thousands, and hover texts are the app's own formatted strings (core.formatting).
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from core import formatting
from core.dashboard.figures import AGING_BUCKETS, AGING_LABELS, AgingCell, Week

_LAYOUT = {
    "separators": ",\u00a0",
    "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
    "legend": {"orientation": "h", "y": -0.15},
    "hovermode": "x unified",
    "height": 380,
}
EXPECTED_COLOR = "#9db4d3"
FUTURE_COLOR = "#d6e1ef"
COLLECTED_COLOR = "#1f6f43"


def weekly_chart(weeks: Sequence[Week]) -> go.Figure:
    labels = [w.label for w in weeks]
    fig = go.Figure()
    fig.add_bar(
        x=labels,
        y=[float(w.expected) for w in weeks],
        name="Attendu",
        marker_color=[FUTURE_COLOR if w.future else EXPECTED_COLOR for w in weeks],
        customdata=[formatting.money(w.expected) for w in weeks],
        hovertemplate="Attendu : %{customdata}<extra></extra>",
    )
    fig.add_scatter(
        x=[w.label for w in weeks if not w.future],
        y=[float(w.collected) for w in weeks if not w.future],
        name="Encaissé",
        mode="lines+markers",
        line={"color": COLLECTED_COLOR, "width": 3},
        customdata=[formatting.money(w.collected) for w in weeks if not w.future],
        hovertemplate="Encaissé : %{customdata}<extra></extra>",
    )
    fig.update_layout(**_LAYOUT, yaxis={"tickformat": ",.0f", "ticksuffix": " €"})
    return fig


def aging_chart(cells: Sequence[AgingCell], by: str) -> go.Figure:
    """Open amounts per aging bucket, stacked by agency (`by="agency"`) or account manager."""
    groups = sorted({c.agency if by == "agency" else c.manager for c in cells})
    fig = go.Figure()
    for group in groups:
        amounts = {b: 0.0 for b in AGING_BUCKETS}
        for c in cells:
            if (c.agency if by == "agency" else c.manager) == group:
                amounts[c.bucket] += float(c.amount)
        fig.add_bar(
            x=[AGING_LABELS[b] for b in AGING_BUCKETS],
            y=[amounts[b] for b in AGING_BUCKETS],
            name=group,
            customdata=[formatting.money(amounts[b]) for b in AGING_BUCKETS],
            hovertemplate="%{fullData.name} : %{customdata}<extra></extra>",
        )
    fig.update_layout(**_LAYOUT, barmode="stack", yaxis={"tickformat": ",.0f", "ticksuffix": " €"})
    return fig
