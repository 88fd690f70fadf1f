#!/usr/bin/python3
"""The library's folders are layers (docs/architecture.md): a file may include headers of
its own folder and of the folders listed before it, never after. Prints every include
that points up and exits 1 if any; also checks that every folder of src/ and
include/nnfield/ is in the list.

  scripts/check_layers.py
"""
import os
import re
import sys

LAYERS = ["numerics", "core", "config", "io", "bbd", "data", "dynamics", "field", "correlators", "observe",
          "run", "analysis", "cli"]
INCLUDE = re.compile(r'#include "(?:nnfield/)?([a-z_]+)/[a-z_]+\.hpp"')


def main():
    rank = {name: i for i, name in enumerate(LAYERS)}
    problems = []
    for root in ("src", "include/nnfield"):
        for folder in sorted(os.listdir(root)):
            path = os.path.join(root, folder)
            if not os.path.isdir(path):
                continue
            if folder not in rank:
                problems.append(f"{path}: folder not in the layer list of scripts/check_layers.py")
                continue
            for name in sorted(os.listdir(path)):
                if not name.endswith((".cpp", ".hpp")):
                    continue
                text = open(os.path.join(path, name), encoding="utf-8").read()
                for line_no, line in enumerate(text.splitlines(), 1):
                    m = INCLUDE.match(line.strip())
                    if m and m.group(1) in rank and rank[m.group(1)] > rank[folder]:
                        problems.append(f"{path}/{name}:{line_no}: {folder} includes {m.group(1)} (a later layer)")
    for p in problems:
        print(p)
    print(f"{len(problems)} includes against the layers" if problems else
          "layers: every include points down " + " < ".join(LAYERS))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
