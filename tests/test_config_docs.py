"""config/README.md documents every leaf key of the config schema."""

import yaml

from .conftest import ROOT


def leaf_keys(node, prefix=""):
    if node.get("type") == "array" and "properties" in node.get("items", {}):
        yield from leaf_keys(node["items"], prefix + "[]")
        return
    props = node.get("properties", {})
    if not props and prefix:
        yield prefix
    for name, sub in props.items():
        yield from leaf_keys(sub, f"{prefix}.{name}" if prefix else name)


def test_every_config_key_is_documented():
    schema = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())
    readme = (ROOT / "config" / "README.md").read_text()
    keys = list(leaf_keys(schema))
    assert len(keys) > 35
    assert [k for k in keys if f"`{k}`" not in readme] == []
