"""Classification trees and feature scores over a sweep's rows (scikit-learn, in the
`sweep` extra): the CART rules that lead to a case of interest, and how much each
parameter matters to it (the mean decrease in impurity over extremely randomised trees,
the EMA workbench's feature scoring).

Both fit on at most `FIT_ROWS` runs, drawn with a fixed seed, so that a million-run sweep
is scored in seconds and the page stays the same for the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

FIT_ROWS = 50_000
SEED = 0
DEPTH = 3  # a rule of at most three conditions reads as one sentence
MIN_LEAF = 0.02  # a leaf holds at least this share of the runs
TREES = 100
SCORE_LEAF = 0.002  # the smallest leaf of the feature-scoring trees, as a share of the runs


@dataclass(frozen=True)
class Rule:
    """A leaf of the tree: its conditions (parameter, "<=" | ">" | "is" | "is not", value),
    the runs in it and the share of them where the case holds."""

    conditions: tuple[tuple[str, str, float | str], ...]
    count: int
    density: float


def encoded(x: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Numbers as they are, each categorical value as a 0/1 column; which parameter each
    column came from."""
    columns, origin = {}, {}
    for name in x.columns:
        if pd.api.types.is_numeric_dtype(x[name]) and not pd.api.types.is_bool_dtype(x[name]):
            columns[name], origin[name] = x[name].to_numpy(dtype=float), name
            continue
        for value in sorted(x[name].astype(str).unique()):
            column = f"{name} = {value}"
            columns[column], origin[column] = (x[name].astype(str) == value).to_numpy(float), name
    return pd.DataFrame(columns, index=x.index), origin


def sample(x: pd.DataFrame, y: np.ndarray, rows: int = FIT_ROWS):
    """At most `rows` runs, drawn without replacement with a fixed seed."""
    if len(x) <= rows:
        return x, y
    keep = np.sort(np.random.default_rng(SEED).choice(len(x), rows, replace=False))
    return x.iloc[keep], y[keep]


def tree_rules(x: pd.DataFrame, y: np.ndarray, depth: int = DEPTH) -> list[Rule]:
    """The leaves of a CART tree (Gini, at most `depth` splits deep) in which the case
    holds in most runs, densest first."""
    from sklearn.tree import DecisionTreeClassifier

    x, y = sample(x, np.asarray(y, dtype=bool))
    if len(np.unique(y)) < 2:
        return []
    table, _ = encoded(x)
    tree = DecisionTreeClassifier(
        max_depth=depth, min_samples_leaf=max(1, int(MIN_LEAF * len(y))), random_state=SEED
    ).fit(table.to_numpy(), y)
    t = tree.tree_
    rules = []

    def walk(node: int, conditions: tuple) -> None:
        if t.children_left[node] == -1:
            count = int(t.n_node_samples[node])
            share = float(t.value[node][0][list(tree.classes_).index(True)])
            if share > 0.5:
                rules.append(Rule(conditions, count, share))
            return
        name, cut = table.columns[t.feature[node]], float(t.threshold[node])
        if " = " in name:  # a 0/1 column: the split is "is" or "is not" that value
            parameter, value = name.split(" = ", 1)
            left, right = (parameter, "is not", value), (parameter, "is", value)
        else:
            left, right = (name, "<=", cut), (name, ">", cut)
        walk(int(t.children_left[node]), (*conditions, left))
        walk(int(t.children_right[node]), (*conditions, right))

    walk(0, ())
    return sorted(rules, key=lambda rule: (-rule.density, -rule.count))


def feature_scores(x: pd.DataFrame, y: np.ndarray) -> dict[str, float]:
    """Each parameter's share of the mean decrease in impurity over `TREES` extremely
    randomised trees (a categorical parameter sums its values' columns); they sum to 1."""
    from sklearn.ensemble import ExtraTreesClassifier

    x, y = sample(x, np.asarray(y, dtype=bool))
    if len(np.unique(y)) < 2:
        return {name: 0.0 for name in x.columns}
    table, origin = encoded(x)
    # leaves of at least 0.2% of the runs: the same ranking, and a forest of some 10 MB
    # rather than 150 at 50,000 runs (a tree grown to leaves of 5 has ~20,000 nodes)
    leaf = max(5, int(SCORE_LEAF * len(y)))
    forest = ExtraTreesClassifier(
        n_estimators=TREES, max_features=0.6, min_samples_leaf=leaf, random_state=SEED, n_jobs=1
    ).fit(table.to_numpy(), y)
    scores = dict.fromkeys(x.columns, 0.0)
    for column, score in zip(table.columns, forest.feature_importances_, strict=True):
        scores[origin[column]] += float(score)
    return dict(sorted(scores.items(), key=lambda item: -item[1]))
