"""The look every figure of a report shares: white template, margins, legend below."""

from __future__ import annotations

import plotly.graph_objects as go


def report_layout(figure: go.Figure, height: int, top: int, legend_y: float) -> go.Figure:
    """Lay the figure out as the report's figures are: `height` pixels, `top` pixels above
    the plot, a horizontal legend `legend_y` (a share of the plot's height) below it."""
    figure.update_layout(
        height=height,
        template="plotly_white",
        margin={"t": top, "b": 40, "l": 60, "r": 20},
        legend={"orientation": "h", "y": legend_y},
    )
    return figure
