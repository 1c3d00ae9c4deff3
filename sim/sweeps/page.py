"""sweep.html: one self-contained page per sweep (plotly.js embedded once, no network).

The figures (`figures.py`, `parallel_coordinates.py`) are pure functions of the summary
and the rows, named with the summary's labels; `write_sweep_page` only assembles HTML, so
the same sweep gives the same bytes. No path of the machine is shown: files by name.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from ..reporting.report import STYLE, figure_html
from . import figures
from .discovery_figures import discovery_sections
from .heap import release_freed_memory
from .indices import DESIGN_NAMES
from .labels import status_label
from .parallel_coordinates import RUNS_SHOWN, runs_figure
from .spec import Parameter, Sweep, replications_text
from .store import Rows, write_atomic

STATUS_CAPTION = (
    "The chance of each ending as one parameter varies, with all the others varying too "
    "as the design draws them. Each point is the share of the runs whose value of the "
    "parameter falls in that bin (or equals that value); the shaded band (or error bar) is "
    "its 95% Wilson interval, narrow where many runs back the estimate and wide where few "
    "do. A line that climbs or falls steeply marks a parameter that decides how the talks "
    "end; a flat line, one that does not matter on its own. Runs of one parameter set "
    "share its values, so the bands are slightly too narrow in Sobol and Morris designs."
)
PAIRS_CAPTION = (
    "The chance of agreement for two leading parameters at once: each cell holds the runs "
    "whose two values fall in that pair of bins (hover for the interval and the number of "
    "runs; blank cells have none). Colour bands running along one axis mean only that "
    "parameter matters; diagonal bands or corners that differ from what the two edges "
    "suggest mean the two parameters interact, for instance one matters only when the "
    "other is high."
)
OPTIONS_CAPTION = (
    "What the agreements say, point by point: for each point, the share of the agreements "
    "that settled on each option (a column sums to 1), first over all agreements, then for "
    "each bin of the leading parameter. Runs without agreement settle nothing and are left "
    "out, and so is a bin without any; the number of agreements in a column is in the hover. "
    "An option whose colour shifts across the columns is one the leading parameter trades for."
)
RUNS_CAPTION = (
    "Every line is one run, threading through its parameter values and outputs, coloured "
    "by how it ended. Drag along an axis to keep only the runs in that interval (drag again "
    "elsewhere on the axis to clear it): the other axes then show which values those runs "
    "share. Listed values are spread along their axis in the order of the sweep file. "
    f"Past {RUNS_SHOWN:,} runs the figure draws a fixed sample of them in which every ending "
    "keeps its share of the runs (its title says how many)."
)
SOBOL_CAPTION = (
    "Sobol indices per output, with 95% bootstrap confidence intervals. The first-order "
    "index S1 is the share of the output's variance that the parameter explains on its "
    "own: fixing it at its true value would remove that share. The total-order index ST "
    "adds every interaction with other parameters: a parameter with ST near 0 can be fixed "
    "anywhere in its range without changing the output, and a large gap between ST and S1 "
    "means its effect depends on the other parameters. The negotiation's own chance (the "
    "seed) is in every output too: it adds to every ST and leaves the S1 summing to less "
    "than 1; more replications average it out. With few samples an index can fall below 0 "
    "or above 1: read it with its interval."
)
MORRIS_CAPTION = (
    "Morris screening per output. mu* (with its 95% bootstrap interval) is the mean size of "
    "the change in the output when the parameter moves one step across its range: large "
    "mu* marks an influential parameter. sigma is the spread of those changes: a sigma "
    "comparable to mu* or larger means the effect is non-linear or depends on the other "
    "parameters. Both are in the output's units per the parameter's whole range (a change "
    "in the output divided by the step, the step measured as a share of the range)."
)


def sweep_page_html(sweep: Sweep, rows: Rows, summary: dict) -> str:
    """The whole page: what was swept, the overall chances, then the figures."""
    return "".join(_page_pieces(sweep, rows, summary))


def _page_pieces(sweep: Sweep, rows: Rows, summary: dict):
    """The page's text in pieces, each figure made only when it is reached: written piece
    by piece, the page is never held whole (with plotly.js, some 13 MB of text)."""
    title = escape(sweep.name)
    parts = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        f"<title>{title}: negsim sweep</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Sweep {title}</h1>",
        _intro_html(sweep, summary),
    ]
    drawn = 0
    for div_id, heading, caption, figure, *after in _sections(sweep, rows, summary):
        parts += [f"<h2>{escape(heading, quote=False)}</h2>", f"<p>{escape(caption)}</p>"]
        yield "\n".join(p for p in parts if p) + "\n"
        if figure is not None:
            yield figure_html(figure, div_id, with_plotlyjs=drawn == 0)
            drawn += 1
        yield "\n" + "".join(after) + "\n"
        del figure
        release_freed_memory()  # each figure's data and JSON, before the next one's
        parts = []
    parts += [_notes_html(summary), "</body></html>\n"]
    yield "\n".join(p for p in parts if p)


def _sections(sweep: Sweep, rows: Rows, summary: dict):
    """(div id, heading, caption, figure) of every figure that has something to show."""
    if not summary.get("runs"):
        return
    heading = "How each parameter moves the ending"
    yield "status", heading, STATUS_CAPTION, figures.status_figure(summary)
    yield from discovery_sections(summary)
    if summary["pairs"]:
        yield "pairs", "Leading pairs", PAIRS_CAPTION, figures.pairs_figure(summary)
    if any(len(p["options"]) > 1 for p in summary["points"].values()):
        caption = OPTIONS_CAPTION + _fixed(summary)
        yield "options", "What the agreements settle", caption, figures.options_figure(summary)
    labels = {path: found["label"] for path, found in summary["parameters"].items()}
    labels |= {output: found["label"] for output, found in summary["outputs"].items()}
    yield "runs", "The runs", RUNS_CAPTION, runs_figure(sweep, rows, summary["statuses"], labels)
    indices = summary["indices"]
    if any(figures.has_indices(f) for f in indices["outputs"].values()):
        caption = SOBOL_CAPTION if indices["method"] == "sobol" else MORRIS_CAPTION
        yield "indices", "Sensitivity indices", caption, figures.indices_figure(summary)


def write_sweep_page(sweep: Sweep, rows: Rows, summary: dict, path: Path) -> None:
    """Write sweep.html, a single file that opens without a network (whole or not at
    all: a kill while writing leaves the previous page)."""
    write_atomic(Path(path), _page_pieces(sweep, rows, summary))


def _intro_html(sweep: Sweep, summary: dict) -> str:
    """What was run (the files by name, never by the machine's path), the overall chance
    of each ending, and the parameters, ranked."""
    method = DESIGN_NAMES[sweep.design.method]
    design = (
        f"{summary['parameter_sets']:,} parameter sets of a {method} design "
        f"\u00d7 {replications_text(sweep.replications)}, seed {sweep.seed}"
    )
    of = f" of <code>{escape(Path(sweep.source).name)}</code>" if sweep.source else ""
    lines = [
        f"<p>{summary['runs']:,} runs{of} on the scenario "
        f"<code>{escape(Path(sweep.base).name)}</code>: {escape(design)}.</p>"
    ]
    if not summary.get("runs"):
        return "\n".join(lines)
    lines.append(
        "<table><tr><th>ending</th><th>probability</th><th>95% interval</th><th>runs</th></tr>"
    )
    for status in summary["statuses"]:
        found = summary["status"][status]
        lines.append(
            f"<tr><td>{escape(status_label(status))}</td><td class='num'>{found['p']:.3f}</td>"
            f"<td class='num'>{found['low']:.3f}\u2013{found['high']:.3f}</td>"
            f"<td class='num'>{found['count']:,}</td></tr>"
        )
    lines.append("</table>")
    leading = summary["leading"]
    by = {
        "ST": "largest total-order Sobol index over the outputs",
        "mu_star/sd": "largest Morris mu* over the outputs, in units of the output's "
        "standard deviation",
    }.get(leading["by"], "spread of P(agreement) across its bins")
    lines.append(f"<p>Parameters, most influential first (by the {escape(by)}):</p>")
    lines.append("<table><tr><th>parameter</th><th>path</th><th>varied as</th><th>score</th></tr>")
    described = {p.path: p for p in sweep.parameters}
    for entry in leading["ranking"]:
        name = entry["parameter"]
        lines.append(
            f"<tr><td>{escape(summary['parameters'][name]['label'])}</td>"
            f"<td><code>{escape(name)}</code></td><td>{escape(_varied(described[name]))}</td>"
            f"<td class='num'>{entry['score']:.3f}</td></tr>"
        )
    lines.append("</table>")
    return "\n".join(lines)


def _notes_html(summary: dict) -> str:
    indices = summary.get("indices", {})
    notes = [indices["note"]] if indices.get("note") else []
    notes += [f"{o}: {f['note']}" for o, f in indices.get("outputs", {}).items() if f.get("note")]
    notes += [summary["note"]] if summary.get("note") else []
    notes += [
        f"{Path(part).name} is damaged ({problem}): its runs are left out until the sweep "
        "is run again with --resume"
        for part, problem in summary.get("damaged", {}).items()
    ]
    if not notes:
        return ""
    items = "\n".join(f"<li>{escape(n)}</li>" for n in notes)
    return f"<h2>Notes</h2>\n<ul>\n{items}\n</ul>"


def _fixed(summary: dict) -> str:
    """The points every agreement settled the same way, which the figure leaves out."""
    fixed = [
        f"{found['title']} ({found['labels'][found['options'][0]]})"
        for found in summary["points"].values()
        if len(found["options"]) == 1
    ]
    return f" Every agreement settled {', '.join(fixed)} alike." if fixed else ""


def _varied(p: Parameter) -> str:
    if p.values:
        return "one of " + ", ".join(map(str, p.values))
    if p.distribution == "uniform":
        return f"uniform in [{p.low}, {p.high}]" + (", whole numbers" if p.integer else "")
    if p.distribution in ("normal", "lognormal"):
        return f"{p.distribution}, mean {p.mean}, sd {p.sd}"
    if p.distribution == "truncnormal":
        return f"normal, mean {p.mean}, sd {p.sd}, cut to [{p.low}, {p.high}]"
    return f"triangular on [{p.low}, {p.high}], peak {p.peak}"
