#!/usr/bin/env python3
"""Fail on a C++ function in src/ longer than the limit, unless it says why.

A function may be longer than LIMIT lines only when the comment right above it (the comment
block ending on the line before the function starts) contains `long:` followed by a reason.
The rule and its reason are in docs/coding-guidelines.md.

The scan is a small brace matcher, not a parser: comments, strings and character literals
are blanked first, then every `{` at namespace or class scope whose head ends like a function
signature (`...) const {`, `...) -> T {`, `...) : member(x) {`) opens a function that ends at
its matching `}`. Lambdas and local classes count towards the function they sit in.

Usage: check-function-length.py [ROOT]   (ROOT defaults to the repository; scans ROOT/src)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

LIMIT = 80
SOURCE_SUFFIXES = (".cc", ".h")
CONTROL_WORDS = {"if", "for", "while", "switch", "catch", "return", "sizeof", "decltype"}
LONG_REASON = re.compile(r"long:\s*\S")


def blank_comments_and_literals(text: str) -> str:
    """The text with comments, strings and char literals replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif (
            c == "R"
            and text.startswith('R"', i)
            and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"))
        ):
            m = re.match(r'R"([^(\s]{0,16})\(', text[i:])
            if not m:
                out.append(c)
                i += 1
                continue
            end = text.find(")" + m.group(1) + '"', i + m.end())
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            if c == "'" and i > 0 and text[i - 1].isalnum():  # digit separator: 1'000'000
                out.append(" ")
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def blank_preprocessor(text: str) -> str:
    """Preprocessor lines (with their continuations) blanked, so `#define F() {` is no function."""
    lines = text.split("\n")
    continued = False
    for k, line in enumerate(lines):
        if continued or line.lstrip().startswith("#"):
            continued = line.rstrip().endswith("\\")
            lines[k] = " " * len(line)
    return "\n".join(lines)


def is_function_head(head: str) -> bool:
    """Whether the code before a `{` (since the previous `;`, `{` or `}`) is a function signature."""
    head = head.strip()
    before_params = re.sub(r"operator\s*\S+?\s*\(", "operator(", head).split("(")[0]
    if not head or "=" in before_params or head.startswith(("namespace", "extern")):
        return False
    if (
        re.match(r"(template\s*<.*>\s*)?(class|struct|union|enum)\b", head, re.DOTALL)
        and "(" not in head
    ):
        return False
    # A constructor's member initialisers: cut them off at the `)` followed by ` : `.
    m = re.search(r"\)\s*(const|noexcept|override|final|&|\s)*\s*:(?!:)", head)
    if m:
        head = head[: m.start() + 1]
    # Drop trailing qualifiers and a trailing return type.
    head = re.sub(
        r"\)\s*(const|noexcept(\([^)]*\))?|override|final|mutable|&&|&|\s)*(->[^()]*)?$", ")", head
    )
    if not head.endswith(")"):
        return False
    name = re.search(r"([A-Za-z_~][\w:~]*|operator\s*\S+)\s*\($", head[: matching_open(head)])
    return bool(name) and name.group(1) not in CONTROL_WORDS


def member_brace_init(head: str) -> bool:
    """Whether a `{` after `head` initialises a member in a constructor's initialiser list."""
    return bool(re.search(r"\)\s*(noexcept\s*)?:(?!:)", head) and re.search(r"[\w>]\s*$", head))


def matching_open(head: str) -> int:
    """Index just past the `(` that opens the parameter list ending at head's last `)`."""
    depth = 0
    for k in range(len(head) - 1, -1, -1):
        if head[k] == ")":
            depth += 1
        elif head[k] == "(":
            depth -= 1
            if depth == 0:
                return k + 1
    return 0


def functions(code: str):
    """Yield (start_line, end_line) of every function body at namespace or class scope (1-based)."""
    stack: list[str] = []  # "function", "init" or "scope" per open brace
    head_start = 0
    func_start = 0
    for k, c in enumerate(code):
        if c == "{":
            inside_function = "function" in stack
            if not inside_function and member_brace_init(code[head_start:k]):
                stack.append("init")  # `: member_{x}` belongs to the constructor's head
                continue
            if not inside_function and is_function_head(code[head_start:k]):
                stack.append("function")
                first = head_start + (len(code[head_start:k]) - len(code[head_start:k].lstrip()))
                func_start = code.count("\n", 0, first) + 1
            else:
                stack.append("scope")
            head_start = k + 1
        elif c == "}":
            kind = stack.pop() if stack else "scope"
            if kind == "function" and "function" not in stack:
                yield func_start, code.count("\n", 0, k) + 1
            if kind != "init":
                head_start = k + 1
        elif c == ";" or (c == ":" and "function" not in stack and access_label(code, k)):
            head_start = k + 1


def access_label(code: str, k: int) -> bool:
    """Whether the `:` at k ends `public:`, `private:` or `protected:`."""
    line_start = code.rfind("\n", 0, k) + 1
    return code[line_start:k].strip() in ("public", "private", "protected")


def has_long_reason(lines: list[str], start_line: int) -> bool:
    """Whether the comment block ending on the line above start_line gives a `long:` reason."""
    k = start_line - 2
    while k >= 0 and lines[k].strip().startswith(("//", "/*", "*")):
        if LONG_REASON.search(lines[k]):
            return True
        k -= 1
    return False


def violations(root: Path):
    for path in sorted((root / "src").rglob("*")):
        if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        code = blank_preprocessor(blank_comments_and_literals(text))
        lines = text.split("\n")
        for start, end in functions(code):
            length = end - start + 1
            if length > LIMIT and not has_long_reason(lines, start):
                yield path.relative_to(root), start, length


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    found = list(violations(root))
    for rel, line, length in found:
        print(
            f"{rel}:{line}: function is {length} lines (limit {LIMIT}); split it into named steps "
            f"or say why above it in a comment containing `long: <reason>`"
        )
    if found:
        print(
            f"{len(found)} function(s) over {LIMIT} lines (docs/coding-guidelines.md)",
            file=sys.stderr,
        )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
