#!/usr/bin/python3
"""House limits on code size (docs/architecture.md, "Rules"): no source file over 600
lines, no function body over 80 lines. Declaration tables (the model-file schema, the
Python bindings' `add_*` registrations, which are lists of one-line entries) are
exempt by name in EXEMPT. Prints one line per violation and exits 1 if any.

  scripts/check_code_size.py [DIR ...]      (default: src include python bench)

Functions are found by brace matching: a `{` that opens at namespace or class level
after a `)` (a function's parameter list, possibly followed by const/override/noexcept,
an initialiser list or a trailing return type) starts a body; its matching `}` ends it.
String and character literals and comments are blanked first.
"""
import os
import re
import sys

MAX_FILE, MAX_FUNCTION = 600, 80
EXEMPT = {
    # name of the function: why it may be long
    "build_model_keys": "the model-file schema table, one entry per key",
}
EXEMPT_PREFIX = ("add_",)  # pybind11 registration tables in python/


def strip(text):
    text = re.sub(r'R"(\w*)\((?:.|\n)*?\)\1"', lambda m: '""' + "\n" * m.group(0).count("\n"), text)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*(?:.|\n)*?\*/", lambda m: "\n" * m.group(0).count("\n"), text)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    text = re.sub(r"'(?:\\.|[^'\\\n])'", "' '", text)
    return text


def functions(text):
    """(name, first line, last line) of every function body at namespace/class level."""
    out = []
    stack = []  # for each open brace: (kind, start line, name)
    line = 1
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        elif c == "{":
            head = text[max(0, i - 400):i]
            head = head[head.rfind(";") + 1:] if ";" in head else head
            head = head[head.rfind("}") + 1:] if "}" in head else head
            inside_function = any(k == "function" for k, _, _ in stack)
            kind = "block"
            name = ""
            if not inside_function:
                h = head.strip()
                if re.search(r"\b(namespace|class|struct|union|enum)\b[^()]*$", h) or h.endswith("=") or not h:
                    kind = "scope"
                elif ")" in h and not re.search(r"\b(if|for|while|switch|catch)\s*\(", h.split("(")[0] + "("):
                    kind = "function"
                    m = re.search(r"([A-Za-z_~][\w:~<>]*)\s*\([^()]*", h)
                    name = m.group(1).split("::")[-1] if m else "?"
                else:
                    kind = "scope"
            stack.append((kind, line, name))
        elif c == "}":
            if stack:
                kind, start, name = stack.pop()
                if kind == "function":
                    out.append((name, start, line))
        i += 1
    return out


def main():
    roots = sys.argv[1:] or ["src", "include", "python", "bench"]
    problems = []
    for root in roots:
        for dirpath, _, files in os.walk(root):
            for f in sorted(files):
                if not f.endswith((".cpp", ".hpp")):
                    continue
                path = os.path.join(dirpath, f)
                text = open(path, encoding="utf-8").read()
                lines = text.count("\n")
                if lines > MAX_FILE:
                    problems.append(f"{path}: {lines} lines (limit {MAX_FILE})")
                for name, a, b in functions(strip(text)):
                    length = b - a - 1
                    if length > MAX_FUNCTION and name not in EXEMPT and not name.startswith(EXEMPT_PREFIX):
                        problems.append(f"{path}:{a}: function {name} has {length} lines (limit {MAX_FUNCTION})")
    for p in problems:
        print(p)
    print(f"{len(problems)} over the limits" if problems else "code size: every file and function within the limits")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
