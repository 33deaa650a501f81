"""A small shell-line splitter for guard-rail checks.

It does not run anything and does not try to be a shell. It splits a line the
way a POSIX shell would run it, conservatively: every simple command becomes its
own argv, and every construct found on the way is reported as a shell feature
(``{"kind": ..., "target"?: ...}``) for ``pearl.guardrails`` to judge. What it
cannot read is reported as the feature kind ``unparseable``, which the policy
denies like any unknown kind.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

__all__ = ["ShellSplit", "split_shell"]

_PUNCTUATION = "();<>|&\n\r"
_OPERATORS = (
    "<<<", "&&", "||", ";;", "<<", ">>", ">&", "<&", "&>", ">|", "|&", "<>",
    ";", "|", "&", "(", ")", "<", ">", "\n", "\r",
)  # fmt: skip
_SEPARATORS = {
    ";": "sequence", ";;": "sequence", "\n": "sequence", "\r": "sequence",
    "&&": "and_or", "||": "and_or", "|": "pipe", "|&": "pipe", "&": "background",
    "(": "subshell", ")": "subshell",
}  # fmt: skip
_REDIRECTS = {"<", ">", ">>", ">|", "<>", "&>", ">&", "<&"}
_HEREDOCS = {"<<", "<<<"}
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
_FD_TARGET = re.compile(r"[0-9]+-?|-")
_PLACEHOLDER = "$PEARL_SUBSTITUTION"
_MAX_DEPTH = 8


@dataclass
class ShellSplit:
    """The simple commands of a line and the shell constructs it uses."""

    commands: list[list[str]] = field(default_factory=list)
    features: list[dict[str, str]] = field(default_factory=list)

    def feature(self, kind: str, target: str | None = None) -> None:
        item = {"kind": kind} if target is None else {"kind": kind, "target": target}
        if item not in self.features:
            self.features.append(item)


def split_shell(line: str) -> ShellSplit:
    """Split ``line`` into argvs and shell features (see the module docstring)."""
    result = ShellSplit()
    _split(line, result, 0)
    return result


def _split(line: str, result: ShellSplit, depth: int) -> None:
    if depth > _MAX_DEPTH:
        result.feature("unparseable")
        return
    outer = _extract_substitutions(line, result, depth)
    if outer is None:
        result.feature("unparseable")
        result.commands.append([line])
        return
    try:
        tokens = _tokens(outer)
    except ValueError:
        result.feature("unparseable")
        result.commands.append([line])
        return
    _commands(tokens, result)


def _extract_substitutions(line: str, result: ShellSplit, depth: int) -> str | None:
    """``line`` with each ``$(...)``, backtick and ``<(...)`` body replaced by a
    placeholder word; each body is split and judged too. Single-quoted text is
    left alone; double quotes do not stop substitution, as in a shell."""
    out: list[str] = []
    quote: str | None = None
    i = 0
    while i < len(line):
        char = line[i]
        if quote == "'":
            quote = None if char == "'" else quote
        elif char == "\\":
            out.append(line[i : i + 2])
            i += 2
            continue
        elif char in "'\"" and quote in (None, char):
            quote = None if quote == char else char
        elif char == "`" or (line.startswith(("$(", "<(", ">("), i) and char in "$<>"):
            end = _closing(line, i)
            if end is None:
                return None
            opener = 1 if char == "`" else 2
            result.feature("command_substitution" if char in "$`" else "process_substitution")
            _split(line[i + opener : end], result, depth + 1)
            out.append(_PLACEHOLDER)
            i = end + 1
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _closing(line: str, start: int) -> int | None:
    """Index of the character closing the substitution opened at ``start``."""
    if line[start] == "`":
        end = line.find("`", start + 1)
        return None if end < 0 else end
    depth = 0
    for index in range(start + 1, len(line)):
        if line[index] == "(":
            depth += 1
        elif line[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    return None


def _tokens(line: str) -> list[tuple[str, bool]]:
    """(token, is_operator) pairs; quoted text is never an operator."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=_PUNCTUATION)
    lexer.whitespace = " \t"
    lexer.whitespace_split = True
    lexer.commenters = ""
    tokens: list[tuple[str, bool]] = []
    for token in lexer:
        if token and all(char in _PUNCTUATION for char in token):
            tokens.extend((op, True) for op in _operators(token))
        else:
            tokens.append((token, False))
    return tokens


def _operators(token: str) -> list[str]:
    found: list[str] = []
    while token:
        op = next(op for op in _OPERATORS if token.startswith(op))
        found.append(op)
        token = token[len(op) :]
    return found


def _commands(tokens: list[tuple[str, bool]], result: ShellSplit) -> None:
    argv: list[str] = []
    index = 0
    while index < len(tokens):
        token, is_op = tokens[index]
        index += 1
        if not is_op:
            if not argv and _ASSIGNMENT.match(token):
                result.feature("env_assignment")
                continue
            argv.append(token)
            continue
        if token in _SEPARATORS:
            result.feature(_SEPARATORS[token])
            if argv:
                result.commands.append(argv)
            argv = []
            continue
        if argv and argv[-1].isdigit():
            argv.pop()  # the file descriptor of `2>`: not an argument
        target = tokens[index][0] if index < len(tokens) else ""
        index += 1
        if token in _HEREDOCS:
            result.feature("heredoc")
        elif token in (">&", "<&") and _FD_TARGET.fullmatch(target):
            result.feature("fd_dup")
        else:
            result.feature("redirect", target)
    if argv:
        result.commands.append(argv)
