"""No import runs upward: the package rules of docs/design.md ("Packages"), enforced.

Every `import` and `from … import` in our packages — at module top, inside functions
and under TYPE_CHECKING alike — must go to a lower layer, or stay inside its own
package. Siblings on one layer (expectations, warehouse) do not import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Longest prefix wins: the CLI sits above the flows it starts, the rest of `doorstep`
# below them.
LAYERS: dict[str, int] = {
    "foundation": 0,
    "transforms": 1,
    "expectations": 2,
    "warehouse": 2,
    "doorstep": 3,
    "flows": 4,
    "doorstep.cli": 5,
    "doorstep.__main__": 5,
}
PACKAGES = ("foundation", "transforms", "expectations", "warehouse", "doorstep", "flows")


def layer_of(module: str) -> tuple[str, int] | None:
    """The layer prefix a module belongs to and its rank; None for modules not ours."""
    best: str | None = None
    for prefix in LAYERS:
        if (module == prefix or module.startswith(prefix + ".")) and (
            best is None or len(prefix) > len(best)
        ):
            best = prefix
    return (best, LAYERS[best]) if best else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # `from doorstep import pipeline` imports the submodule, not the package.
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


def upward_imports(source: str, module: str, is_package: bool = False) -> list[str]:
    own = layer_of(module)
    assert own is not None, module
    own_prefix, own_rank = own
    bad = []
    for line, target in imported_modules(source, module, is_package):
        theirs = layer_of(target)
        if theirs is None:
            continue
        prefix, rank = theirs
        if prefix == own_prefix or rank < own_rank:
            continue
        if prefix.startswith(own_prefix + ".") and rank <= own_rank:
            continue
        bad.append(f"{module}:{line} imports {target} ({prefix}, layer {rank} ≥ {own_rank})")
    return bad


def our_modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    assert our_modules()
    for path in our_modules():
        assert layer_of(module_name(path)) is not None, path


@pytest.mark.parametrize("path", our_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_import_runs_upward(path: Path) -> None:
    assert upward_imports(path.read_text(), module_name(path), path.name == "__init__.py") == []


def test_the_rule_catches_an_upward_import() -> None:
    source = "from doorstep.steps import ingest\n"
    assert upward_imports(source, "transforms.sheets") == [
        "transforms.sheets:1 imports doorstep.steps (doorstep, layer 3 ≥ 1)",
        "transforms.sheets:1 imports doorstep.steps.ingest (doorstep, layer 3 ≥ 1)",
    ]
    assert upward_imports("import warehouse.db\n", "expectations.runner") != []
    assert upward_imports("from flows.nightly import nightly\n", "doorstep.status") != []
    lazy = "def f():\n    from flows.nightly import nightly\n"
    assert upward_imports(lazy, "doorstep.cli") == []
    assert upward_imports(lazy, "warehouse.db") != []


def test_the_foundation_imports_nothing_of_ours() -> None:
    for path in (ROOT / "foundation").rglob("*.py"):
        targets = imported_modules(path.read_text(), module_name(path), path.name == "__init__.py")
        ours = [
            t for _, t in targets if t.split(".")[0] in PACKAGES and t.split(".")[0] != "foundation"
        ]
        assert ours == [], path
