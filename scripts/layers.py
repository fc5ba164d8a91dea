#!/usr/bin/env python3
"""Checks the layers of backprop-core: imports only go down, never through the crate root, and
no two files import each other, directly or round a longer cycle.

    python3 scripts/layers.py              # checks backprop-core/src; exit 1 on any finding
    python3 scripts/layers.py --self-test  # shows, on made-up trees, that it finds each kind

It reads the sources, not the compiler's view of them (Python 3.11, standard library only).
Every path that names a module of the crate counts: `use` trees (`use crate::a::b::C`,
`use super::{x, y::Z}`, `use child::D` in a `mod.rs`) and paths written inline in code
(`crate::io::file::read(...)`, `super::check(...)`). A path is followed through the `use` and
`pub use` items of the modules it passes, so an import is an edge to the file that defines the
name. A `pub use` of a module's own child is its public face, not a use, and makes no edge
(a `pub use` of another module's item does). lib.rs is the root, in no layer: what it
re-exports is followed, and nothing it writes is an edge; `#[cfg(test)]` modules are not checked (a test may build a whole
network to test a kernel).

Findings, each with file:line:
  - an upward import: an edge from a file to one in a higher layer;
  - an import through the root: `crate::Name` where `Name` is not a module of lib.rs (a
    re-export, or an item lib.rs defines): import it from the module that defines it;
  - a cycle: files that reach each other through their imports (one strongly connected part
    of the file graph counts once), shown as its shortest cycle through one file, then every
    import among its files;
  - a file that no layer lists, so that the order stays complete.
"""

from __future__ import annotations

import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# The layers of backprop-core/src, from the bottom (issue 23, point 1). A file belongs to the
# longest entry that matches it ("a/b.rs" before "a/"). A file may import from its
# own layer and the ones below. lib.rs is the root, in no layer.
LAYERS: list[tuple[str, list[str]]] = [
    # Numbers and per-sample kernels. linalg.rs is here: it is the one matrix-product
    # boundary, which the layer kernels call, and it needs only Float; rng.rs is the one
    # generator and shuffle, which with_seed's initialisation and the trainer draw from;
    # reductions.rs holds the vectorised max |v| and finiteness passes Float carries with `std`.
    # rows.rs (the per-sample loops) and one_sample.rs (a layer on arrays of its sizes) need no
    # standard library, as float.rs and activation/ (issue 26).
    (
        "numbers and per-sample kernels",
        ["float.rs", "reductions.rs", "rng.rs", "activation/", "rows.rs", "one_sample.rs", "linalg.rs"],
    ),
    (
        "one sample and one batch",
        ["error/", "check.rs", "targets.rs", "parameters.rs", "cost/", "dense/", "workspace.rs"],
    ),
    (
        "whole network",
        ["network.rs", "fixed.rs", "embed.rs", "optim/", "io/", "inference.rs", "standardized.rs", "trace.rs", "gradcheck.rs", "data/"],
    ),
    ("training", ["train/", "parallel/"]),
    # What generated code calls: it may use every layer but training, and nothing uses it.
    ("generated-code glue", ["private.rs"]),
]

EXTERNAL_ROOTS = {"std", "core", "alloc"}


# --- reading Rust --------------------------------------------------------------------------


@dataclass
class Token:
    text: str
    line: int


TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<line_comment>//[^\n]*)
  | (?P<block_comment>/\*)
  | (?P<raw_string>b?r(?P<hashes>\#*)")
  | (?P<string>b?"(?:\\.|[^"\\])*")
  | (?P<char>b?'(?:\\.|[^'\\])')
  | (?P<lifetime>'[A-Za-z_][A-Za-z0-9_]*)
  | (?P<ident>r\#[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*)
  | (?P<path_sep>::)
  | (?P<number>[0-9][0-9A-Za-z_.]*)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokens(source: str) -> list[Token]:
    """The identifiers, `::` and punctuation of `source`, with their lines; no comments,
    strings, characters or numbers."""
    out: list[Token] = []
    i, line = 0, 1
    while i < len(source):
        m = TOKEN.match(source, i)
        assert m is not None
        kind, text = m.lastgroup, m.group(0)
        if kind == "block_comment":
            depth, j = 1, m.end()
            while depth and j < len(source):
                if source.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif source.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            text = source[i:j]
        elif kind == "raw_string":
            end = source.find('"' + m.group("hashes"), m.end())
            j = len(source) if end < 0 else end + 1 + len(m.group("hashes"))
            text = source[i:j]
        if kind in ("ident", "path_sep", "punct"):
            out.append(Token(text, line))
        line += text.count("\n")
        i += len(text)
    return out


@dataclass
class UseLeaf:
    path: list[str]  # segments, "*" last for a glob
    alias: str | None  # the name it brings into scope; None for a glob
    line: int
    public: bool


@dataclass
class Module:
    """One module: a file's, or an inline `mod name { ... }` in it."""

    path: tuple[str, ...]
    file: str
    children: set[str] = field(default_factory=set)  # modules declared here (files or inline)
    uses: list[UseLeaf] = field(default_factory=list)
    inline_paths: list[tuple[list[str], int]] = field(default_factory=list)


def parse_use_tree(toks: list[Token], i: int, prefix: list[str], public: bool, out: list[UseLeaf]) -> int:
    """Parses one use tree from toks[i]; appends its leaves; returns the index after it."""
    path = list(prefix)
    while i < len(toks):
        t = toks[i].text
        if t == "{":
            i += 1
            while toks[i].text != "}":
                i = parse_use_tree(toks, i, path, public, out)
                if toks[i].text == ",":
                    i += 1
            return i + 1
        if t == "*":
            out.append(UseLeaf(path + ["*"], None, toks[i].line, public))
            return i + 1
        if t == "::":
            i += 1
            continue
        if re.match(r"[A-Za-z_]", t):
            path.append(t)
            line = toks[i].line
            i += 1
            if i < len(toks) and toks[i].text == "as":
                alias = toks[i + 1].text
                i += 2
            elif i < len(toks) and toks[i].text == "::":
                continue
            else:
                alias = path[-2] if t == "self" and len(path) > 1 else t
            if path[-1] == "self":
                path.pop()
            out.append(UseLeaf(path, alias, line, public))
            return i
        return i + 1  # anything else ends the tree
    return i


def skip_group(toks: list[Token], i: int) -> int:
    """From an opening brace, bracket or parenthesis at toks[i], the index after its match."""
    pairs = {"{": "}", "[": "]", "(": ")"}
    stack = [pairs[toks[i].text]]
    i += 1
    while stack and i < len(toks):
        t = toks[i].text
        if t in pairs:
            stack.append(pairs[t])
        elif t == stack[-1]:
            stack.pop()
        i += 1
    return i


def parse_file(file: str, module_path: tuple[str, ...], source: str, modules: dict[tuple[str, ...], Module]) -> None:
    """Reads one file's modules (its own and its inline ones) into `modules`."""
    toks = tokens(source)
    scopes: list[tuple[Module, int]] = []  # inline modules open, with the brace depth they opened at
    top = modules.setdefault(module_path, Module(module_path, file))
    depth, i = 0, 0
    while i < len(toks):
        current = scopes[-1][0] if scopes else top
        t = toks[i].text
        if t == "#" and i + 1 < len(toks) and toks[i + 1].text == "[":
            end = skip_group(toks, i + 1)
            attribute = " ".join(x.text for x in toks[i + 2 : end - 1])
            i = end
            if attribute == "cfg ( test )":
                # Skip the item the attribute is on: up to its `;` or through its braces.
                while i < len(toks) and toks[i].text not in (";", "{"):
                    i += 1
                i = skip_group(toks, i) if i < len(toks) and toks[i].text == "{" else i + 1
            continue
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
            if scopes and scopes[-1][1] == depth:
                scopes.pop()
        elif t == "mod" and i + 2 < len(toks) and toks[i + 2].text in (";", "{"):
            name = toks[i + 1].text
            current.children.add(name)
            if toks[i + 2].text == "{":
                child = current.path + (name,)
                scopes.append((modules.setdefault(child, Module(child, file)), depth))
                depth += 1
            i += 3
            continue
        elif t == "use":
            public = i > 0 and (toks[i - 1].text == "pub" or (toks[i - 1].text == ")" and "pub" in
                                                              [x.text for x in toks[max(0, i - 6) : i]]))
            i = parse_use_tree(toks, i + 1, [], public, current.uses)
            continue
        elif t in ("crate", "super") and i + 1 < len(toks) and toks[i + 1].text == "::":
            if i > 0 and toks[i - 1].text in ("::", "$"):  # `$crate::`, or inside a longer path
                i += 1
                continue
            i = read_inline_path(toks, i, current)
            continue
        elif (
            re.match(r"[a-z_][a-z0-9_]*$", t)
            and t in current.children
            and i + 1 < len(toks)
            and toks[i + 1].text == "::"
            and (i == 0 or toks[i - 1].text not in ("::", "."))
        ):
            i = read_inline_path(toks, i, current)
            continue
        i += 1


def read_inline_path(toks: list[Token], i: int, module: Module) -> int:
    """Records the path written inline from `toks[i]` (`crate::a::b`, `child::c`) as a use of
    `module`, and returns the index after it."""
    path, line, j = [toks[i].text], toks[i].line, i + 1
    while j + 1 < len(toks) and toks[j].text == "::" and re.match(r"[A-Za-z_]", toks[j + 1].text):
        path.append(toks[j + 1].text)
        j += 2
    module.inline_paths.append((path, line))
    return j


def read_crate(src: Path) -> dict[tuple[str, ...], Module]:
    """Every module of the crate whose root is src/lib.rs, by its path from the root."""
    modules: dict[tuple[str, ...], Module] = {}

    def visit(file: Path, module_path: tuple[str, ...], directory: Path) -> None:
        parse_file(file.relative_to(src).as_posix(), module_path, file.read_text(encoding="utf-8"), modules)
        for name in sorted(modules[module_path].children):
            if (module_path + (name,)) in modules and modules[module_path + (name,)].file != modules[module_path].file:
                continue
            if (module_path + (name,)) in modules:
                continue  # inline
            for candidate, sub in ((directory / f"{name}.rs", directory / name), (directory / name / "mod.rs", directory / name)):
                if candidate.exists():
                    visit(candidate, module_path + (name,), sub)
                    break

    visit(src / "lib.rs", (), src)
    return modules


# --- resolving paths -----------------------------------------------------------------------


@dataclass
class Resolved:
    file: str | None  # the file that defines the name; None outside the crate
    through_root: str | None  # the root name it went through, if not a module


def resolve(modules, start: tuple[str, ...], path: list[str], in_use: bool, seen=None) -> Resolved:
    """Follows `path`, written in module `start`, to the file that defines what it names."""
    seen = set() if seen is None else seen
    if not path:
        return Resolved(modules[start].file, None)
    head = path[0]
    if head == "crate":
        here, rest = (), path[1:]
    elif head in ("super", "self"):
        here, rest = start, list(path)
        while rest and rest[0] in ("super", "self"):
            if rest[0] == "super":
                here = here[:-1]
            rest = rest[1:]
    elif head in modules[start].children:
        here, rest = start, list(path)
    else:
        return Resolved(None, None)  # another crate (in a 2018 `use`), or a local name
    through_root = None
    while rest:
        name = rest[0]
        module = modules[here]
        if name == "*":
            return Resolved(module.file, through_root)
        if name in module.children and here + (name,) in modules:
            here, rest = here + (name,), rest[1:]
            continue
        if here == () and through_root is None:
            through_root = name
        # An item: defined here, or brought in by a `use` (public or not) that we follow.
        for leaf in module.uses:
            if leaf.alias == name and (here, name) not in seen:
                seen.add((here, name))
                target = resolve(modules, here, leaf.path, True, seen)
                return Resolved(target.file, through_root or target.through_root)
        return Resolved(module.file, through_root)
    return Resolved(modules[here].file, through_root)


# --- checking -------------------------------------------------------------------------------


def layer_of(file: str, layers) -> int | None:
    best, best_len = None, -1
    for index, (_, patterns) in enumerate(layers):
        for p in patterns:
            if (file == p or (p.endswith("/") and file.startswith(p))) and len(p) > best_len:
                best, best_len = index, len(p)
    return best


@dataclass
class Report:
    layers: list[tuple[str, list[str]]]
    unlisted: list[str]
    upward: dict[tuple[str, str], list[int]]
    root: list[tuple[str, int, str, str]]  # file, line, name, path
    cycles: list[tuple[list[str], list[tuple[str, str, list[int]]]]]  # one cycle, all edges
    files: int

    def failed(self) -> bool:
        return bool(self.unlisted or self.upward or self.root or self.cycles)


def check(src: Path, layers) -> Report:
    modules = read_crate(src)
    files = sorted({m.file for m in modules.values()} - {"lib.rs"})
    by_layer = [(name, [f for f in files if layer_of(f, layers) == i]) for i, (name, _) in enumerate(layers)]
    unlisted = [f for f in files if layer_of(f, layers) is None]

    edges: dict[tuple[str, str], list[int]] = {}
    root: list[tuple[str, int, str, str]] = []
    for module in modules.values():
        if module.file == "lib.rs":
            continue
        written = [(leaf.path, leaf.line, leaf.public, True) for leaf in module.uses]
        written += [(p, line, False, False) for p, line in module.inline_paths]
        for path, line, public, in_use in written:
            if public and path and path[0] in module.children:
                continue  # a module's public face: it hands on its own children's items
            target = resolve(modules, module.path, path, in_use)
            if target.through_root is not None:
                root.append((module.file, line, target.through_root, "::".join(path)))
            if target.file and target.file not in (module.file, "lib.rs"):
                edges.setdefault((module.file, target.file), []).append(line)

    upward = {}
    for (a, b), lines in edges.items():
        la, lb = layer_of(a, layers), layer_of(b, layers)
        if la is not None and lb is not None and lb > la:
            upward[(a, b)] = lines

    cycles = []
    graph: dict[str, list[str]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
    for component in strongly_connected(files, graph):
        if len(component) < 2:
            continue
        inside = set(component)
        cycles.append(
            (one_cycle(component, graph), sorted((a, b, ns) for (a, b), ns in edges.items() if a in inside and b in inside))
        )
    return Report(by_layer, unlisted, upward, sorted(root), cycles, len(files))


def strongly_connected(nodes: list[str], graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, [])):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            out.append(sorted(component))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def one_cycle(component: list[str], graph: dict[str, list[str]]) -> list[str]:
    """A shortest cycle through the first file of a strongly connected component."""
    inside = set(component)
    start = component[0]
    previous = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, [])):
            if w == start:
                path = [v]
                while previous[path[-1]] is not None:
                    path.append(previous[path[-1]])
                return path[::-1]
            if w in inside and w not in previous:
                previous[w] = v
                queue.append(w)
    return component


def lines(numbers: list[int]) -> str:
    return ",".join(str(n) for n in sorted(set(numbers)))


def print_report(report: Report, layers, prefix: str) -> None:
    print("layers, from the bottom:")
    for index, (name, files) in enumerate(report.layers):
        print(f"  {index} {name}: {', '.join(files) if files else '(none)'}")
    for f in report.unlisted:
        print(f"error: {prefix}{f} is in no layer: add it to LAYERS in scripts/layers.py")
    for (a, b), ns in sorted(report.upward.items()):
        la, lb = layer_of(a, layers), layer_of(b, layers)
        print(f"upward import: {prefix}{a}:{lines(ns)} (layer {la}) -> {b} (layer {lb})")
    for file, line, name, path in report.root:
        print(f"import through the root: {prefix}{file}:{line}: `{path}`: import `{name}` from the module that defines it")
    for cycle, inside in report.cycles:
        files = sorted({a for a, _, _ in inside})
        print(f"cycle: {' -> '.join(cycle + cycle[:1])}", end="")
        print(f" (and every cycle among these {len(files)} files, by these imports:)" if len(files) > len(cycle) else ":")
        pairs = {(a, b) for a, b, _ in inside}
        mutual = sorted((a, b) for a, b in pairs if a < b and (b, a) in pairs)
        if len(files) > 2 and mutual:
            print(f"    files that import each other: {'; '.join(f'{a} <-> {b}' for a, b in mutual)}")
        for a, b, ns in inside:
            print(f"    {prefix}{a}:{lines(ns)} -> {b}")
    print(
        f"{len(report.layers)} layers, {report.files} files, {len(report.upward)} upward imports, "
        f"{len(report.root)} imports through the root, {len(report.cycles)} cycles"
        + (f", {len(report.unlisted)} files in no layer" if report.unlisted else "")
    )


# --- self-test ------------------------------------------------------------------------------


def self_test() -> int:
    """Made-up crates, one finding of each kind, and a clean one."""
    layers = [("low", ["num.rs", "kernels/"]), ("mid", ["batch.rs"]), ("high", ["net/"])]
    lib = "mod num;\nmod kernels;\nmod batch;\npub mod net;\npub use num::Num;\npub use batch::Batch;\n"
    clean = {
        "lib.rs": lib,
        "num.rs": "pub struct Num;\n#[cfg(test)]\nmod tests { use crate::net::Net; }\n",
        "kernels/mod.rs": "mod rows;\npub use rows::row;\nuse super::num::Num;\n",
        "kernels/rows.rs": "/* crate::net::Net in a comment */ pub fn row() { let _ = \"crate::net\"; }\n",
        "batch.rs": "use crate::num::Num;\npub struct Batch;\npub fn f() { crate::kernels::row(); }\n",
        "net/mod.rs": "mod fit;\npub use fit::Net;\nuse crate::batch::{self, Batch};\n",
        "net/fit.rs": "use super::super::num::Num;\npub struct Net;\n",
    }
    cases = [
        ("clean", {}, (0, 0, 0, 0)),
        ("upward", {"batch.rs": "use crate::net::Net;\npub struct Batch;\n"}, (1, 0, 0, 0)),
        ("root", {"net/fit.rs": "use crate::Batch;\npub struct Net;\n"}, (0, 1, 0, 0)),
        ("root, inline", {"net/fit.rs": "pub struct Net(crate::Num);\n"}, (0, 1, 0, 0)),
        (
            "cycle",
            {
                "net/fit.rs": "use super::plot::draw;\npub struct Net;\n",
                "net/mod.rs": "mod fit;\nmod plot;\npub use fit::Net;\n",
                "net/plot.rs": "pub fn draw() { crate::net::fit::helper(); }\n",
            },
            (0, 0, 1, 0),
        ),
        ("unlisted", {"lib.rs": lib + "mod stray;\n", "stray.rs": ""}, (0, 0, 0, 1)),
    ]
    failures = 0
    for name, changes, expected in cases:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp)
            for path, text in {**clean, **changes}.items():
                (src / path).parent.mkdir(parents=True, exist_ok=True)
                (src / path).write_text(text)
            report = check(src, layers)
            found = (len(report.upward), len(report.root), len(report.cycles), len(report.unlisted))
            verdict = "ok" if found == expected else "FAILED"
            failures += found != expected
            print(f"self-test {name}: upward, root, cycles, unlisted = {found}, expected {expected}: {verdict}")
            if found != expected:
                print_report(report, layers, "  ")
    return 1 if failures else 0


def main() -> int:
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if sys.argv[1:]:
        print(__doc__)
        return 2
    src = Path(__file__).resolve().parent.parent / "backprop-core" / "src"
    report = check(src, LAYERS)
    print_report(report, LAYERS, "backprop-core/src/")
    return 1 if report.failed() else 0


if __name__ == "__main__":
    sys.exit(main())
