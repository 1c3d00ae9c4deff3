"""The bounds every input must keep, defined once (docs/limits.md says why each is set
where it is and what happens past it).

A scenario, sweep or command past one of these is refused with one located line before
any work starts, so that no input, however wrong, can hang the tool or exhaust memory.
"""

from __future__ import annotations

# reading YAML
MAX_FILE_BYTES = 2_000_000  # the baseline is 15 kB
MAX_NODES = 200_000  # values in a file after aliases are expanded (stops alias bombs)
MAX_DEPTH = 40  # nesting of mappings and lists (a scenario needs 6)
MAX_EXTENDS = 20  # files in one `extends:` chain
MAX_PATH_CHARS = 1024  # a file named in `extends:`, `base:` or `evidence_base:`

# the scenario
MAX_POINTS = 100
MAX_OPTIONS = 50  # per point
MAX_PARTIES = 50
MAX_LINKS = 500
MAX_DEADLINE = 1000  # rounds
MAX_NUMBER = 1e12  # largest magnitude of any number (saliences are normalised by their sum)
MAX_TEXT_CHARS = 10_000  # a title, label, description or claim
MAX_ID_CHARS = 64  # ids of points, options and parties; names of scenarios and sweeps
