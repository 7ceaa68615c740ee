#!/usr/bin/env python3
"""Keeps "N lines" statements in README.md and docs/ honest.

A sentence that says a file has N lines must name the file (as `path`) on the same line, and the
file must have exactly N lines (as `wc -l` counts them). A count that names no file cannot be
checked, so it fails too: drop it or name the file. Exit status 1 lists every mismatch.
Run from anywhere: python3 scripts/check-doc-numbers.py
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
claim = re.compile(r"\b(\d+)[ -]lines?\b")
quoted = re.compile(r"`([^`\s]+)`")
problems = []
checked = 0
for doc in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
    for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        for match in claim.finditer(line):
            stated = int(match.group(1))
            files = [root / name for name in quoted.findall(line) if (root / name).is_file()]
            where = f"{doc.relative_to(root)}:{number}"
            if not files:
                problems.append(f"{where}: says {stated} lines but names no file of this repository in backticks")
                continue
            # The file named closest before the number is the one counted.
            before = [root / name for name in quoted.findall(line[:match.start()]) if (root / name).is_file()]
            target = (before or files)[-1]
            actual = target.read_bytes().count(b"\n")
            checked += 1
            if actual != stated:
                problems.append(f"{where}: says {target.relative_to(root)} has {stated} lines; it has {actual}")
for problem in problems:
    print(problem, file=sys.stderr)
print(f"check-doc-numbers: {checked} line count(s) checked, {len(problems)} wrong")
sys.exit(1 if problems else 0)
