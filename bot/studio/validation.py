"""What a check of a draft reports: problems, YAML parsed with line numbers, what blocks a publish.

Every problem names the file and the line it is about, in plain language, so the studio
can link straight to it. The checks themselves, and `check(files)`, are bot.studio.checks;
Rasa's own `rasa data validate` runs separately, in the background
(bot.studio.rasa_tools), because it takes seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode


ERROR, WARNING = "error", "warning"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int  # 1-based; 0 when it is about the file as a whole
    message: str
    severity: str = ERROR
    code: str = "invalid"
    subject: str = ""  # what it is about (a response name...), to recognise it across edits
    column: int = 0
    source: str = "studio"  # or "rasa"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.code, self.file, self.subject or self.message)

    def to_json(self, *, new: bool = True) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column,
                "message": self.message, "severity": self.severity, "code": self.code,
                "source": self.source, "new": new}


@dataclass
class Parsed:
    """One file's data and its node tree, to find the line of any part of it."""

    path: str
    data: Any
    node: Node | None

    def line(self, *keys: object) -> int:
        """The line of the deepest part of `keys` that exists (1-based)."""
        current = self.node
        if current is None:
            return 1
        line = current.start_mark.line
        for key in keys:
            if isinstance(current, MappingNode):
                for key_node, value_node in current.value:
                    if key_node.value == key:
                        line, current = key_node.start_mark.line, value_node
                        break
                else:
                    break
            elif (isinstance(current, SequenceNode) and isinstance(key, int)
                  and 0 <= key < len(current.value)):
                current = current.value[key]
                line = current.start_mark.line
            else:
                break
        return line + 1


def parse(path: str, text: str) -> Parsed | Problem:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = (error.problem or error.context or "this is not valid YAML").strip()
        return Problem(
            path, (mark.line + 1) if mark else 0,
            f"The YAML is broken here: {what}. Check the indentation, colons and quotes on this "
            "line and the one before it.",
            code="yaml", column=(mark.column + 1) if mark else 0,
        )
    except yaml.YAMLError as error:
        return Problem(path, 0, f"The YAML is broken: {error}", code="yaml")
    finally:
        loader.dispose()
    return Parsed(path, data, node)


def blocking(problems: list[Problem], already_live: list[Problem]) -> list[Problem]:
    """The errors that stop a publish: those the live version does not already have."""
    live_keys = {p.key for p in already_live}
    return [p for p in problems if p.severity == ERROR and p.key not in live_keys]


def report(problems: list[Problem], already_live: list[Problem]) -> list[dict[str, Any]]:
    live_keys = {p.key for p in already_live}
    return [p.to_json(new=p.key not in live_keys) for p in problems]
