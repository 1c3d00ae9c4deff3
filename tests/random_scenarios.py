"""Random small scenarios built directly as dataclasses, for brute-force oracles."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sim.scenario.data import Domestic, Link, Option, Party, Point, Protocol, Scenario, Tactic


def random_scenario(
    rng: np.random.Generator,
    n_points=(2, 4),
    n_options=(2, 4),
    n_signatories=(2, 3),
    links=True,
    red_lines=True,
    reservations=(0.1, 0.5),
    domestic=False,
    fixed=False,
    grid=False,
) -> Scenario:
    """2-4 points of 2-4 options, 2-3 signatories and a mediator, random values, red
    lines and links (a package space of at most 256 texts). With `domestic`, each
    signatory may get a ratification test on 1-2 points; with `fixed`, one point may be
    locked. Their draws come last, so the defaults reproduce the plain scenarios. With
    `grid`, values, reservations and thresholds are rounded to quarters and saliences are
    ratios of small integers, as in hand-written scenarios: ties between texts and with
    reservation values are common, exact in the reals but not always in floating point."""
    points = []
    for i in range(int(rng.integers(n_points[0], n_points[1] + 1))):
        count = int(rng.integers(n_options[0], n_options[1] + 1))
        options = tuple(Option(f"o{k}", f"option {k}", k / (count - 1)) for k in range(count))
        points.append(Point(f"p{i}", f"point {i}", options))
    parties = []
    n_sig = int(rng.integers(n_signatories[0], n_signatories[1] + 1))
    for j in range(n_sig + 1):
        weights = rng.random(len(points)) + 0.05
        values = tuple(tuple(float(v) for v in rng.random(len(p.options))) for p in points)
        lines = []
        if red_lines and j < n_sig and rng.random() < 0.6:
            point = points[int(rng.integers(len(points)))]
            lines.append((point.id, (point.options[int(rng.integers(len(point.options)))].id,)))
        reservation = float(rng.uniform(*reservations)) if j < n_sig else 0.0
        if grid:
            weights = np.ceil(weights * 4)
            values = tuple(tuple(quarter(v) for v in row) for row in values)
            reservation = quarter(reservation)
        parties.append(
            Party(
                id=f"s{j}" if j < n_sig else "m",
                name=f"Party {j}",
                role="signatory" if j < n_sig else "mediator",
                salience=tuple(float(w) for w in weights / weights.sum()),
                values=values,
                red_lines=tuple(lines),
                reservation=reservation,
                tactic=Tactic(beta=float(rng.choice([0.5, 1.0, 2.0]))),
            )
        )
    link_list = []
    if links and len(points) >= 2:
        for _ in range(int(rng.integers(0, 3))):
            a, b = rng.choice(len(points), size=2, replace=False)
            link_list.append(random_link(rng, points, int(a), int(b), 3))
    if domestic:
        for j in range(n_sig):
            if rng.random() < 0.5:
                judged = rng.choice(len(points), size=int(rng.integers(1, 3)), replace=False)
                test = Domestic(
                    body="parliament",
                    points=tuple(points[int(i)].id for i in sorted(judged)),
                    threshold=(quarter if grid else float)(rng.uniform(0.2, 0.8)),
                )
                parties[j] = replace(parties[j], domestic=test)
    locked = ()
    if fixed and rng.random() < 0.5:
        point = points[int(rng.integers(len(points)))]
        locked = ((point.id, point.options[int(rng.integers(len(point.options)))].id),)
    return Scenario(
        name="random",
        title="",
        points=tuple(points),
        parties=tuple(parties),
        protocol=Protocol(mediator="m", bias=float(rng.choice([0.0, 0.3])), fixed=locked),
        deadline=20,
        seed=0,
        links=tuple(link_list),
    )


def quarter(x: float) -> float:
    return round(float(x) * 4) / 4


def assert_moves_match_brute_force(space, package) -> None:
    """The single- and pair-move masks of `package` agree with checking each moved
    package's validity one by one."""
    singles = space.single_moves(package)
    for point in range(space.n_points):
        for option in range(space.n_options[point]):
            moved = package.copy()
            moved[point] = option
            assert singles[point, option] == (option != package[point] and space.is_valid(moved))
    for a, b in space.linked_pairs:
        grid = space.pair_is_valid(package, a, b)
        for ka in range(space.n_options[a]):
            for kb in range(space.n_options[b]):
                moved = package.copy()
                moved[a], moved[b] = ka, kb
                assert grid[ka, kb] == space.is_valid(moved)


def random_link(rng: np.random.Generator, points, a: int, b: int, most_allowed: int) -> Link:
    """If point a takes a random option, point b must take one of 1..most_allowed-1 of
    its options."""
    allowed = rng.choice(
        len(points[b].options), size=int(rng.integers(1, most_allowed)), replace=False
    )
    return Link(
        points[a].id,
        points[a].options[int(rng.integers(len(points[a].options)))].id,
        points[b].id,
        tuple(points[b].options[int(k)].id for k in sorted(allowed)),
    )
