"""The checks the project's CI promises: a clean Snakemake lint, ruff and snakefmt."""

import os
import subprocess

import pytest

from .conftest import BIN, ROOT


def run(*cmd):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)


def test_snakemake_lint_is_clean():
    proc = run(str(BIN / "snakemake"), "--lint")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Congratulations, your workflow is in a good condition" in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "cmd", [("ruff", "check", "."), ("ruff", "format", "--check", "."), ("snakefmt", "--check", ".")]
)
def test_code_is_linted_and_formatted(cmd):
    proc = run(str(BIN / cmd[0]), *cmd[1:])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def package_imports() -> dict[str, set[str]]:
    """Every norelmo module and the norelmo modules it imports, at the top or inside a function."""
    import ast

    src = ROOT / "src"
    modules = {
        ".".join(p.relative_to(src).with_suffix("").parts).removesuffix(".__init__"): p
        for p in (src / "norelmo").rglob("*.py")
    }
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parent + ([base] if base else []))
                found.add(base)
                found.update(f"{base}.{a.name}" for a in node.names)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def test_the_package_has_no_import_cycle():
    graph = package_imports()
    assert len(graph) > 20 and "norelmo.elmo.model_files" in graph["norelmo.elmo.train"]  # the walk found them
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for nxt in sorted(graph[module]):
            assert state.get(nxt) != "open", " -> ".join([*path, module, nxt])
            if nxt not in state:
                visit(nxt, [*path, module])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


def test_the_model_package_does_not_import_the_evaluation():
    """Evaluation sits above the model: elmo/ is handed its per-epoch scoring by the caller."""
    graph = package_imports()
    upward = {(m, d) for m, deps in graph.items() if m.startswith("norelmo.elmo") for d in deps}
    assert upward and not {(m, d) for m, d in upward if d.startswith("norelmo.evaluate")}


def test_the_readers_of_a_model_do_not_import_the_exporter():
    """Embedding, perplexity, training's init_from and the model reader read a model directory through
    elmo.model_files; the exporter only writes one."""
    graph = package_imports()
    readers = ["norelmo.elmo.model_files", "norelmo.elmo.embed", "norelmo.elmo.train", "norelmo.evaluate.perplexity"]
    assert all("norelmo.elmo.model_files" in graph[m] or m.endswith("model_files") for m in readers)
    assert not [m for m in readers if "norelmo.elmo.export" in graph[m]]
