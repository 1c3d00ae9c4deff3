"""Errors a user can fix, each pointing at the file, line and dotted path at fault."""

import difflib

MAX_SHOWN = 200  # characters of any one part of the message


class ScenarioError(Exception):
    """A wrong scenario or sweep file: `file:line: dotted.path: what is wrong`, always on
    one line (control characters in a value or a file name are shown escaped)."""

    def __init__(self, file: str, line: int, path: str, message: str):
        self.file = one_line(str(file))
        self.line = max(int(line), 1)
        self.path = one_line(str(path))
        self.message = one_line(str(message))
        super().__init__(f"{self.file}:{self.line}: {self.path}: {self.message}")


def one_line(text: str) -> str:
    """`text` with newlines, other control characters and lone surrogates escaped, and
    cut to MAX_SHOWN characters, so that it prints as one line on any terminal."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return shown if len(shown) <= MAX_SHOWN else shown[: MAX_SHOWN - 3] + "..."


def did_you_mean(word: str, choices) -> str:
    """A hint for a misspelt name: ` (did you mean 'x'?)`, or nothing."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
