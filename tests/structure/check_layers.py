"""Reads the #include lines of src/ and fails on an include that points up the layers or on a circle of files."""
import os
import re
import sys

# Each directory of src/ and the directories it may include from (itself always).
MAY_INCLUDE = {
    "core": set(),
    "model": {"core"},
    "crypto": {"core", "model"},
    "store": {"core", "model"},
    "notify": {"core", "model"},
    "pdf": {"core", "model", "crypto"},
    "service": {"core", "model", "crypto", "store", "notify", "pdf"},
    "http": {"core", "crypto"},
    "api": {"core", "model", "crypto", "service", "http"},
    "cli": {"core", "model", "crypto", "store", "notify", "pdf", "service", "http", "api"},
    ".": {"core", "cli"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(src):
    for root, _, files in os.walk(src):
        for name in sorted(files):
            if name.endswith((".c", ".h")):
                yield os.path.relpath(os.path.join(root, name), src)


def unit_of(path):
    """A .c file and its .h are one unit: src/store/db.c and src/store/db.h are store/db."""
    return os.path.splitext(path)[0]


def layer_of(path):
    return os.path.dirname(path) or "."


def find_circle(edges):
    """A list of units forming a circle, or None."""
    state, stack = {}, []

    def visit(u):
        state[u] = 1
        stack.append(u)
        for v in sorted(edges.get(u, ())):
            if state.get(v) == 1:
                return stack[stack.index(v):] + [v]
            if v not in state:
                found = visit(v)
                if found:
                    return found
        stack.pop()
        state[u] = 2
        return None

    for u in sorted(edges):
        if u not in state:
            found = visit(u)
            if found:
                return found
    return None


def check(src):
    problems, edges = [], {}
    for path in sources(src):
        with open(os.path.join(src, path), encoding="utf-8") as f:
            includes = INCLUDE.findall(f.read())
        layer = layer_of(path)
        if layer not in MAY_INCLUDE:
            problems.append(f"{path}: directory {layer}/ has no place in the layers")
            continue
        for inc in includes:
            target = layer_of(inc)
            if not os.path.exists(os.path.join(src, inc)):
                problems.append(f"{path}: includes {inc}, which is not in src/")
            elif target != layer and target not in MAY_INCLUDE[layer]:
                problems.append(f"{path}: includes {inc} ({layer}/ may not include {target}/)")
            if unit_of(inc) != unit_of(path):
                edges.setdefault(unit_of(path), set()).add(unit_of(inc))
    circle = find_circle(edges)
    if circle:
        problems.append("circle of includes: " + " -> ".join(circle))
    return problems


if __name__ == "__main__":
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "src")
    found = check(root)
    for p in found:
        print(p)
    print(f"{len(found)} problem(s)" if found else "layers: no upward include, no circle")
    sys.exit(1 if found else 0)
