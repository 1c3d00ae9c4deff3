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
MAX_INTEGER = 2**64  # any whole number in a file (no value of a scenario needs more bits)
MAX_PATH_CHARS = 1024  # a file named in `extends:`, `base:` or `evidence_base:`

# the scenario
# a mediator's round costs about points^2 x options x signatories: at these bounds a run
# of 500 rounds took 12 s (docs/limits.md), at 100 x 50 x 50 one of 18 rounds took 102 s
MAX_POINTS = 60  # the reported plans have 20 and 28 points
MAX_OPTIONS = 12  # per point
MAX_PARTIES = 30
MAX_LINKS = 500
MAX_LINK_STEPS = 100_000  # search steps to find one valid text when validating links
REPAIR_STEPS = 2_000  # search steps of one repair in a run or a report; past them the text
# counts as having no valid text near it (hand-written scenarios need a few dozen)
MAX_DEADLINE = 500  # rounds (the baseline has 60)
MAX_NUMBER = 1e12  # largest magnitude of any number without bounds of its own (saliences
# are normalised by their sum)
MAX_SEED = 2**63 - 1  # seeds: whole numbers from 0, as numpy takes them
MAX_TEXT_CHARS = 10_000  # a title, label, description or claim
MAX_ID_CHARS = 64  # ids of points, options and parties; names of scenarios and sweeps

# sweeps (docs/sweeps.md, "How big a sweep may be")
MAX_SWEEP_RUNS = 1_000_000  # runs in one sweep: ~8 h of one core on the baseline (35 runs/s),
# and its rows read back (~130 bytes a run: 130 MB) fit a laptop; split bigger studies
SWEEP_CONFIRM_RUNS = 100_000  # runs to do past which a sweep starts only with --yes (yes=True):
# about 45 min of one core on the baseline, so no one starts an afternoon's work by a typo
MAX_SWEEP_PARAMETERS = 50  # varied parameters: with MAX_SWEEP_RUNS the design matrix holds at
# most 50 M floats (400 MB), and a Morris screening of 50 is already a wide one
MAX_LEVELS = 1000  # design.levels: grid values per range, Morris grid levels (4-10 is usual);
# far past it SALib's Morris sampler fails (ValueError, OverflowError)
MAX_REPLICATIONS = 10_000  # seeds per parameter set (a few dozen already pin a probability)
MAX_JOBS = 256  # worker processes on one machine (--jobs); more would only fork-bomb it
