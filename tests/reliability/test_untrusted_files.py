"""Files from someone else: safetensors headers, config.json, registry YAML, model cards and
pickles, fuzzed (hypothesis) and hand-made. Each is loaded correctly or refused with a one-line
`GanzooError`; no pickle payload ever runs."""

from __future__ import annotations

import json
import os
import pickle
import struct
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ganzoo
from ganzoo.building import build_model
from ganzoo.cli import _add_core_commands, cli
from ganzoo.errors import GanzooError, RegistryError
from ganzoo.layout import WeightsMismatchError, save_pretrained
from ganzoo.registry import parse_file

from .conftest import ganzoo_cli
from .tally import Traceback, WrongResult

_add_core_commands()
FUZZ = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
GAN = {"hidden": 8, "layers": 1}


@pytest.fixture(scope="module")
def gan_folder(tmp_path_factory) -> Path:
    torch.manual_seed(0)
    return save_pretrained(build_model("gan", GAN), tmp_path_factory.mktemp("gan") / "model")


def one_line_refusal(call) -> None:
    """``call()`` either works or raises a one-line GanzooError; anything else is a failure."""
    try:
        call()
    except GanzooError as exc:
        if "\n" in str(exc):
            raise Traceback(f"not one line: {str(exc)[:200]}") from None
    except Exception as exc:  # noqa: BLE001 - the point: nothing but GanzooError escapes
        raise Traceback(f"{type(exc).__name__}: {str(exc)[:200]}") from exc


def copy_with(folder: Path, target: Path, *, config=None, weights: bytes | None = None) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    (target / "config.json").write_text(config if config is not None else
                                        (folder / "config.json").read_text())
    (target / "model.safetensors").write_bytes(weights if weights is not None else
                                               (folder / "model.safetensors").read_bytes())
    return target


def split_safetensors(data: bytes) -> tuple[dict, bytes]:
    size = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8:8 + size]), data[8 + size:]


def join_safetensors(header: dict, body: bytes) -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + body


# ------------------------------------------------------------------ safetensors headers
def test_float_weights_relabelled_as_integers_are_refused(gan_folder, tmp_path):
    header, body = split_safetensors((gan_folder / "model.safetensors").read_bytes())
    for key, info in header.items():
        if key != "__metadata__" and info["dtype"] == "F32":
            info["dtype"] = "I32"
    folder = copy_with(gan_folder, tmp_path / "relabelled", weights=join_safetensors(header, body))
    with pytest.raises(WeightsMismatchError, match="wrong dtype: .*file int32 vs model float"):
        ganzoo.load(str(folder))


@FUZZ
@given(data=st.data())
def test_fuzzed_safetensors_headers(gan_folder, tmp_path_factory, tally, data):
    header, body = split_safetensors((gan_folder / "model.safetensors").read_bytes())
    key = data.draw(st.sampled_from(sorted(k for k in header if k != "__metadata__")))
    field = data.draw(st.sampled_from(["dtype", "shape", "data_offsets", "drop", "junk"]))
    if field == "drop":
        header.pop(key)
    elif field == "junk":
        header[data.draw(st.text(max_size=8))] = data.draw(
            st.one_of(st.integers(), st.text(max_size=5), st.none()))
    else:
        header[key][field] = data.draw(st.one_of(
            st.sampled_from(["F16", "BF16", "I64", "U8", "BOOL", "F64", "X9"]),
            st.lists(st.integers(-3, 1 << 40), max_size=4), st.integers(), st.none()))
    weights = join_safetensors(header, body)
    if data.draw(st.booleans()):
        cut = data.draw(st.integers(0, len(weights)))
        weights = weights[:cut]
    folder = copy_with(gan_folder, tmp_path_factory.mktemp("st") / "m", weights=weights)
    one_line_refusal(lambda: ganzoo.load(str(folder)))
    tally.counts["handled"] += 1  # each example is a case


# ------------------------------------------------------------------ config.json
BAD_CONFIGS = {
    "negative latent_dim": {"latent_dim": -3},
    "zero hidden": {"hidden": 0},
    "5000-digit int": "5000digits",
    "width 1e12": {"hidden": 1e12},
    "width 1e9 as text": {"hidden": "1000000000"},
    "layers as list": {"layers": [1, 2]},
    "unknown key": {"wings": 2},
    "nested 10000 deep": "deep",
    "not UTF-8": "latin1",
    "NaN learning rate type": {"latent_dim": float("nan")},
}


def _config_text(gan_folder: Path, change) -> bytes:
    config = json.loads((gan_folder / "config.json").read_text())
    if change == "5000digits":
        text = json.dumps(config).replace('"hidden": 8', '"hidden": ' + "9" * 5000)
        return text.encode()
    if change == "deep":
        return ("[" * 10000 + "]" * 10000).encode()
    if change == "latin1":
        return json.dumps(config).replace("gan", "g\xe4n").encode("latin-1")
    config["config"].update(change)
    return json.dumps(config).encode()


def test_bad_config_values_are_one_line_config_errors(gan_folder, tmp_path, tally):
    for name, change in BAD_CONFIGS.items():
        folder = copy_with(gan_folder, tmp_path / name.replace(" ", "-"))
        (folder / "config.json").write_bytes(_config_text(gan_folder, change))

        def case(folder=folder, name=name):
            try:
                ganzoo.load(str(folder))
            except WeightsMismatchError as exc:
                raise WrongResult(f"{name}: reported as a weights mismatch: {exc}") from None
            except GanzooError as exc:
                if "\n" in str(exc):
                    raise Traceback(str(exc)[:200]) from None
                return
            except Exception as exc:
                raise Traceback(f"{name}: {type(exc).__name__}: {exc}") from None
            raise WrongResult(f"{name}: loaded")

        tally.run(name, case)
    tally.assert_all_handled()


@FUZZ
@given(values=st.dictionaries(
    st.sampled_from(["hidden", "layers", "latent_dim", "d_hidden", "pack", "n_critic",
                     "lr_g", "norm", "bogus"]),
    st.one_of(st.integers(-10, 10), st.integers(), st.floats(allow_nan=True),
              st.text(max_size=6), st.booleans(), st.none(), st.lists(st.integers(), max_size=3)),
    max_size=3))
def test_fuzzed_config_values(gan_folder, tmp_path_factory, tally, values):
    config = json.loads((gan_folder / "config.json").read_text())
    config["config"].update(values)
    folder = copy_with(gan_folder, tmp_path_factory.mktemp("cfg") / "m",
                       config=json.dumps(config))
    one_line_refusal(lambda: ganzoo.load(str(folder)))
    tally.counts["handled"] += 1


# ------------------------------------------------------------------ registry YAML
ALIAS_BOMB = """schema: 1
a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
models: []
"""
ENTRY = ("schema: 1\nmodels:\n- name: x\n  variant: gan\n  task: toy\n  weights:\n"
         "    repo: org/x\n    revision: " + "a" * 40 + "\n    sha256: " + "b" * 64 + "\n")
BAD_REGISTRIES = {
    "alias bomb": ALIAS_BOMB.encode(),
    "deep nesting": ("schema: 1\nmodels: " + "[" * 5000 + "]" * 5000 + "\n").encode(),
    "not UTF-8": "schema: 1\nmodels: []\n# caf\xe9\n".encode("latin-1"),
    "path traversal in file": (ENTRY + "    file: ../../../etc/passwd.safetensors\n").encode(),
    "absolute file": (ENTRY + "    file: /etc/x.safetensors\n").encode(),
    "traversal in shipped": ENTRY.replace("    repo: org/x\n", "    shipped: pkg:../../x\n")
                                 .encode(),
    "huge size": (ENTRY + "    size: " + "9" * 5000 + "\n").encode(),
    "unknown key": (ENTRY + "  colour: red\n").encode(),
    "schema as text": ENTRY.replace("schema: 1", "schema: one").encode(),
    "models a mapping": b"schema: 1\nmodels: {a: 1}\n",
    "name with slash": ENTRY.replace("name: x", "name: ../x").encode(),
    "bad sha": ENTRY.replace("b" * 64, "zz").encode(),
    "pickle weights": (ENTRY + "    file: model.pth\n").encode(),
    "python tag": b"schema: 1\nmodels: !!python/object/apply:os.system ['true']\n",
    "binary junk": bytes(range(256)) * 4,
}


def test_bad_registry_files_are_refused_in_one_line(tmp_path, tally):
    for name, content in BAD_REGISTRIES.items():
        path = tmp_path / f"{name.replace(' ', '-')}.yaml"
        path.write_bytes(content)

        def case(path=path, name=name):
            try:
                parse_file(path)
            except RegistryError as exc:
                if "\n" in str(exc) or len(str(exc)) > 600:
                    raise Traceback(f"{name}: message not one short line") from None
                return
            except Exception as exc:
                raise Traceback(f"{name}: {type(exc).__name__}: {str(exc)[:200]}") from None
            raise WrongResult(f"{name}: accepted")

        tally.run(name, case)
    tally.assert_all_handled()


@pytest.mark.parametrize("name", ["alias bomb", "path traversal in file"])
def test_a_bad_user_registry_does_not_break_plain_list(tmp_path, name):
    path = tmp_path / "bad.yaml"
    path.write_bytes(BAD_REGISTRIES[name])
    result = ganzoo_cli("list", env={"GANZOO_REGISTRY": str(path)}, timeout=60)
    assert result.returncode == 0 and "cgan-digits" in result.stdout
    warnings = result.stderr.strip().splitlines()
    assert len(warnings) == 1 and "bad.yaml" in warnings[0] and len(result.stdout) < 20000
    info = ganzoo_cli("info", "cgan", env={"GANZOO_REGISTRY": str(path)}, timeout=60)
    assert info.returncode == 1 and len(info.stderr.strip().splitlines()) == 1


@FUZZ
@given(text=st.text(max_size=300))
def test_fuzzed_registry_text(tmp_path_factory, tally, text):
    path = tmp_path_factory.mktemp("reg") / "r.yaml"
    path.write_text("schema: 1\n" + text, encoding="utf-8")
    try:
        parse_file(path)
    except RegistryError as exc:
        assert "\n" not in str(exc)
    tally.counts["handled"] += 1


# ------------------------------------------------------------------ model cards
@FUZZ
@given(front=st.text(max_size=200))
def test_fuzzed_model_card_front_matter(tally, front):
    from ganzoo.model_card import read_front_matter

    one_line_refusal(lambda: read_front_matter(f"---\n{front}\n---\nbody"))
    tally.counts["handled"] += 1


def test_model_card_alias_bomb_is_refused():
    from ganzoo.model_card import read_front_matter

    with pytest.raises(GanzooError, match="alias"):
        read_front_matter("---\n" + ALIAS_BOMB + "---\n")


# ------------------------------------------------------------------ registry vs config.json
def test_registry_variant_must_match_config_json(gan_folder, tmp_path, pin_registry,
                                                 monkeypatch):
    import importlib

    from ganzoo.hub import sha256_of

    site = tmp_path / "site"
    package = site / "rel_variant_pkg"
    copy_with(gan_folder, package / "weights")
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    pin_registry("says-dcgan", "dcgan", "toy",
                 weights={"shipped": "rel_variant_pkg:weights",
                          "sha256": sha256_of(gan_folder / "model.safetensors")})
    with pytest.raises(GanzooError, match="registry entry says variant 'dcgan' but its "
                                          "config.json says 'gan'"):
        ganzoo.load("says-dcgan")


# ------------------------------------------------------------------ pickles
class _System:
    def __reduce__(self):
        return (os.system, (f"touch {os.environ['REL_MARKER']}",))


class _Eval:
    def __reduce__(self):
        return (eval, (f"open({os.environ['REL_MARKER']!r}, 'w')",))


class _Exec:
    def __reduce__(self):
        return (exec, (f"open({os.environ['REL_MARKER']!r}, 'w')",))


class _Popen:
    def __reduce__(self):
        import subprocess

        return (subprocess.Popen, (["touch", os.environ["REL_MARKER"]],))


def _payloads(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for cls in (_System, _Eval, _Exec, _Popen):
        raw = tmp_path / f"{cls.__name__}-raw.pth"
        with open(raw, "wb") as handle:
            pickle.dump({"generator.net.0.weight": torch.zeros(1), "x": cls()}, handle)
        out[raw.name] = raw
        zipped = tmp_path / f"{cls.__name__}-zip.pth"
        torch.save({"generator.net.0.weight": torch.zeros(1), "x": cls()}, zipped)
        out[zipped.name] = zipped
        for protocol in (0, 2):
            old = tmp_path / f"{cls.__name__}-p{protocol}.pkl"
            old.write_bytes(pickle.dumps(cls(), protocol=protocol))
            out[old.name] = old
    return out


def test_pickles_whose_payload_would_run_code_never_run(tmp_path, monkeypatch, tally):
    marker = tmp_path / "PAYLOAD-RAN"
    monkeypatch.setenv("REL_MARKER", str(marker))
    for name, path in _payloads(tmp_path).items():
        def case(path=path, name=name):
            # In this process: a payload that ran would have made the marker right here.
            result = CliRunner().invoke(cli, ["convert", str(path), "--variant", "gan",
                                              "--out", str(tmp_path / f"out-{name}")])
            if marker.exists():
                raise WrongResult(f"{name}: THE PAYLOAD RAN")
            lines = result.stderr.strip().splitlines()
            if result.exit_code != 1 or len(lines) != 1:
                raise Traceback(f"{name}: {result.stderr[-300:]}")
            if "wants to run code" not in lines[0] or "weights_only=False" in lines[0]:
                raise WrongResult(f"{name}: says {lines[0]}")

        tally.run(name, case)
    tally.assert_all_handled()


@pytest.mark.parametrize("state", [{0: torch.zeros(2)}, {"state_dict": {1: torch.zeros(2)}},
                                   {("a", 1): torch.zeros(1)}, {}, [torch.zeros(1)]],
                         ids=["int key", "nested int key", "tuple key", "empty", "a list"])
def test_odd_checkpoint_structures_are_one_line(tmp_path, state):
    torch.save(state, tmp_path / "odd.pth")
    result = CliRunner().invoke(cli, ["convert", str(tmp_path / "odd.pth"), "--variant", "gan",
                                      "--out", str(tmp_path / "out")])
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1, result.stderr
    assert "unexpected" not in lines[0]
    assert not (tmp_path / "out").exists()
