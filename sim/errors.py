"""Errors a user can fix, each pointing at the file, line and dotted path at fault."""


class ScenarioError(Exception):
    """A wrong scenario or sweep file: `file:line: dotted.path: what is wrong`."""

    def __init__(self, file: str, line: int, path: str, message: str):
        super().__init__(f"{file}:{line}: {path}: {message}")
        self.file = file
        self.line = line
        self.path = path
        self.message = message
