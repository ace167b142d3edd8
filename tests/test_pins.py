"""Dependencies are pinned in pyproject.toml; envs/*.yaml and constraints.txt must agree with it."""

import re
import tomllib

import yaml

from .conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==([^\s;]+)$")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements) -> dict[str, str]:
    found = {}
    for req in requirements:
        m = PIN.match(req.strip())
        assert m, f"not an exact pin: {req!r}"
        found[canonical(m.group(1))] = m.group(3)
    return found


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
DIRECT = pins(PROJECT["dependencies"]) | pins(PROJECT["optional-dependencies"]["test"])


def test_every_direct_dependency_is_an_exact_pin():
    assert {"tensorflow", "ufal-udpipe", "mwxml", "mwparserfromhell", "snakemake", "h5py", "numpy"} <= set(DIRECT)


def test_conda_envs_repeat_the_python_pins():
    envs = sorted((ROOT / "envs").glob("*.yaml"))
    assert {p.stem for p in envs} >= {"extract", "tokenize", "vocab", "train"}
    for env in envs:
        spec = yaml.safe_load(env.read_text())
        pip = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict) and "pip" in d)
        for name, version in pins(pip).items():
            assert DIRECT.get(name) == version, f"{env.name}: {name}=={version}, pyproject says {DIRECT.get(name)}"


def test_constraints_agree_with_pyproject():
    lines = [x for x in (ROOT / "constraints.txt").read_text().splitlines() if x and not x.startswith("#")]
    locked = pins(lines)
    for name, version in DIRECT.items():
        assert locked.get(name) == version, f"constraints.txt: {name}=={locked.get(name)}, pyproject says {version}"
