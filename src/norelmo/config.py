"""Run configuration: YAML -> JSON Schema validation (filling defaults) -> frozen dataclasses."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .download import insecure_url
from .errors import NorelmoError


def schema() -> dict:
    """The config schema that the workflow validates against too (workflow/schemas/)."""
    return yaml.safe_load(resources.files("norelmo").joinpath("config.schema.yaml").read_text())


def _with_defaults(validator_class):
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, sch):
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if "default" in sub and name not in instance:
                    instance[name] = copy.deepcopy(sub["default"])
        yield from validate_properties(validator, properties, instance, sch)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


def _describe(error: jsonschema.ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path) or "top level"
    if error.validator == "oneOf" and where.startswith("corpora."):
        return f"{where}: a corpus is a `dump` (with `index`, `sha1`), a `text` glob, or a `wiki` with its `date`"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"{where}: unknown key(s) {', '.join(repr(k) for k in extra)}"
    return f"{where}: {error.message}"


LOCATION_KEYS = ("dump", "index", "mirror", "udpipe_model")  # a corpus's keys that may be URLs


def validate(raw: dict, source: str = "config", required: tuple[str, ...] | None = None) -> dict:
    """A validated copy of `raw` with every default filled in; one NorelmoError naming the key otherwise.

    `required`: the top-level keys the caller reads; of the schema's required keys (the workflow's) only those
    apply, so a command that reads `model` and `train` takes a file holding just those. Keys present are still
    checked, unknown ones still refused.
    """
    if not isinstance(raw, dict):
        raise NorelmoError(f"{source}: expected a mapping of config keys")
    data = copy.deepcopy(raw)
    sch = schema()
    if required is not None:
        sch["required"] = [k for k in sch["required"] if k in required]
    validator = _with_defaults(jsonschema.Draft202012Validator)(sch)
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(e.absolute_path)))
    if errors:
        raise NorelmoError(f"{source}: invalid config: " + "; ".join(_describe(e) for e in errors[:5]))
    corpora = data.get("corpora", [])
    locations = [(f"corpora.{i}.{k}", c[k]) for i, c in enumerate(corpora) for k in LOCATION_KEYS if k in c]
    locations += [(f"evaluate.{k}", v) for k, v in data["evaluate"].items() if isinstance(v, str)]
    for key, location in [*locations, ("udpipe.model", data["udpipe"]["model"])]:
        if insecure_url(location):
            raise NorelmoError(f"{source}: {key}: {location} is plain http; use https or a local path")
    for i, corpus in enumerate(corpora):
        if "nak" in corpus and corpus["nak"]["years"][0] > corpus["nak"]["years"][1]:
            raise NorelmoError(f"{source}: corpora.{i}.nak.years: {corpus['nak']['years']} ends before it starts")
        if insecure_url(corpus.get("nak", {}).get("mirror", "")):
            raise NorelmoError(f"{source}: corpora.{i}.nak.mirror: plain http; use https")
    names = [c["name"] for c in corpora]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise NorelmoError(f"{source}: corpora: duplicate name(s) {', '.join(duplicates)}")
    return data


@dataclass(frozen=True)
class CharCNN:
    activation: str
    embedding_dim: int
    filters: tuple[tuple[int, int], ...]
    max_characters_per_token: int
    n_highway: int

    @property
    def n_filters(self) -> int:
        return sum(n for _, n in self.filters)


@dataclass(frozen=True)
class LSTM:
    dim: int
    projection_dim: int
    n_layers: int
    cell_clip: float
    proj_clip: float
    use_skip_connections: bool


@dataclass(frozen=True)
class ModelConfig:
    """The bilm options that shape the network and its loss."""

    char_cnn: CharCNN
    lstm: LSTM
    dropout: float
    n_negative_samples_batch: int
    unroll_steps: int
    all_clip_norm_val: float
    learning_rate: float

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelConfig:
        cnn = d["char_cnn"]
        return cls(
            char_cnn=CharCNN(
                activation=cnn["activation"],
                embedding_dim=cnn["embedding"]["dim"],
                filters=tuple((int(w), int(n)) for w, n in cnn["filters"]),
                max_characters_per_token=cnn["max_characters_per_token"],
                n_highway=cnn["n_highway"],
            ),
            lstm=LSTM(**d["lstm"]),
            dropout=d["dropout"],
            n_negative_samples_batch=d["n_negative_samples_batch"],
            unroll_steps=d["unroll_steps"],
            all_clip_norm_val=d["all_clip_norm_val"],
            learning_rate=d["learning_rate"],
        )


@dataclass(frozen=True)
class TrainConfig:
    epochs: int
    batch_size: int
    seed: int
    checkpoint_every: int
    log_every: int
    gpus: int = 1
    nodes: int = 1
    heldout_sentences: int = 10000
    state_resets: float = 0.1
    batch_processes: int = 0
    precision: str = "fp32"
    xla: bool | None = None
    deterministic: bool = False
    init_from: str | None = None


@dataclass(frozen=True)
class Config:
    """A validated run configuration; `raw` keeps the dict with defaults filled in."""

    run: str | None  # None in a file for one command, which need not name a run
    shards: int
    vocab_size: int
    model: ModelConfig
    train: TrainConfig
    raw: dict

    @classmethod
    def from_dict(cls, raw: dict, source: str = "config", required: tuple[str, ...] | None = None) -> Config:
        data = validate(raw, source, required)
        return cls(
            run=data.get("run"),
            shards=data["shards"],
            vocab_size=data["vocab"]["size"],
            model=ModelConfig.from_dict(data["model"]),
            train=TrainConfig(**data["train"]),
            raw=data,
        )


def load_config(path: str | Path, required: tuple[str, ...] | None = None) -> Config:
    """The config at `path`, validated; `required` as in validate()."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise NorelmoError(f"{path}: cannot read YAML config ({exc})") from exc
    return Config.from_dict(raw, str(path), required)
