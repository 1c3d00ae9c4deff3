"""Writing to the player's terminal: every text wrapped to the terminal's width, between
words, each wrapped line hanging under the start of its text."""

from __future__ import annotations

import re
import shutil
import textwrap

NARROWEST = 20  # narrower than this, a line would hold a word or two
# where a line's text starts: after its indent, the marks of the text's lines and a number
HANGING = re.compile(r"[ *!]*(?:\d+\.\s+)?")


def terminal_width() -> int:
    """The terminal's columns, 80 when the output is not a terminal."""
    return shutil.get_terminal_size((80, 24)).columns


def wrap(text: str, width: int) -> str:
    """Each line of `text` cut into lines of at most `width` characters between words; the
    lines a line is cut into hang under the start of its text ('  3. Territory: ...')."""
    width = max(width, NARROWEST)
    lines = []
    for line in text.split("\n"):
        if len(line) <= width:
            lines.append(line)
            continue
        hang = " " * min(HANGING.match(line).end(), width // 2)
        lines += textwrap.wrap(line, width, subsequent_indent=hang, break_on_hyphens=False)
    return "\n".join(lines)
