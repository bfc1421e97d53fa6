"""registry.yaml: validation errors name file, entry and field; layers merge; lookup."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from ganzoo.errors import RegistryError
from ganzoo.registry import load_registry, parse_file, shipped_registry_path

SHA = "a" * 64
REV = "0123456789abcdef0123456789abcdef01234567"


def entry(name="toy-grid", **overrides) -> dict:
    data = {"name": name, "variant": "gan", "task": "toy", "summary": "test",
            "weights": {"repo": "org/toy", "revision": REV, "file": "model.safetensors",
                        "sha256": SHA}}
    data.update(overrides)
    return data


def write(tmp_path, models, name="reg.yaml", **top):
    import yaml

    path = tmp_path / name
    path.write_text(yaml.safe_dump({"schema": 1, "models": models, **top}))
    return path


def test_shipped_registry_is_package_data_and_valid():
    path = shipped_registry_path()
    assert path.is_file()
    models, plugins = parse_file(path)
    assert plugins["cyclegan"] == "ganzoo-cyclegan"
    assert all(m.weights.sha256 for m in models)


@pytest.mark.parametrize("mutate, field, words", [
    (lambda e: e["weights"].pop("sha256"), "weights.sha256", "64 lower-case hex"),
    (lambda e: e["weights"].update(revision="main"), "weights.revision", "not a branch"),
    (lambda e: e["weights"].update(file="model.pth"), "weights.file", "pickles are never loaded"),
    (lambda e: e["weights"].update(repo="no-slash"), "weights.repo", "org/name"),
    (lambda e: e.update(task="painting"), "task", "must be one of"),
    (lambda e: e.update(name="Bad Name"), "name", "lower-case"),
    (lambda e: e.update(colour="red"), "colour", "unknown field"),
    (lambda e: e.update(aliases="cyclegan"), "aliases", "list"),
    (lambda e: e.pop("variant"), "variant", "required"),
])
def test_schema_errors_name_file_entry_and_field(tmp_path, mutate, field, words):
    data = entry()
    mutate(data)
    path = write(tmp_path, [data])
    with pytest.raises(RegistryError) as err:
        parse_file(path)
    message = str(err.value)
    assert str(path) in message and f"field '{field}'" in message and words in message
    assert "\n" not in message


def test_invalid_yaml_names_file_and_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("schema: 1\nmodels:\n  - name: [unclosed\n")
    with pytest.raises(RegistryError, match=r"broken.yaml: line \d+: invalid YAML"):
        parse_file(path)


def test_wrong_schema_version_and_duplicates(tmp_path):
    path = tmp_path / "v2.yaml"
    path.write_text("schema: 2\nmodels: []\n")
    with pytest.raises(RegistryError, match="field 'schema': expected 1"):
        parse_file(path)
    with pytest.raises(RegistryError, match="'toy-grid'.*appears twice"):
        parse_file(write(tmp_path, [entry(), entry()]))


def test_user_layers_override_and_record_their_file(tmp_path, monkeypatch):
    config_home = tmp_path / "config"
    (config_home / "ganzoo").mkdir(parents=True)
    user = write(config_home / "ganzoo", [entry(summary="from user config")], name="registry.yaml")
    first = write(tmp_path, [entry("other", aliases=["oth"])], name="a.yaml")
    second = write(tmp_path, [entry(summary="from GANZOO_REGISTRY")], name="b.yaml")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    monkeypatch.setenv("GANZOO_REGISTRY", os.pathsep.join([str(first), str(second)]))
    registry = load_registry()
    assert registry.get("toy-grid").summary == "from GANZOO_REGISTRY"
    assert registry.get("toy-grid").source == str(second)
    assert registry.get("oth").name == "other"
    assert str(user) in registry.files
    mine = {str(user), str(first), str(second)}
    assert [e.name for e in registry.find("*grid*") if e.source in mine] == ["toy-grid"]
    assert [e.name for e in registry.find("oth")] == ["other"]


def test_missing_user_registry_file_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GANZOO_REGISTRY", str(tmp_path / "absent.yaml"))
    with pytest.raises(RegistryError, match="GANZOO_REGISTRY names .*absent.yaml"):
        load_registry()


def test_alias_claimed_by_two_entries_is_an_error(tmp_path, monkeypatch):
    path = write(tmp_path, [entry("a", aliases=["shared"]), entry("b", aliases=["shared"])])
    monkeypatch.setenv("GANZOO_REGISTRY", str(path))
    with pytest.raises(RegistryError, match="alias 'shared' is also an alias of 'a'"):
        load_registry()


def test_cli_shows_where_an_entry_came_from_and_bad_registry_is_one_line(tmp_path):
    good = write(tmp_path, [entry(aliases=["grid"])])
    env = {**os.environ, "GANZOO_REGISTRY": str(good)}
    run = [sys.executable, "-m", "ganzoo"]
    info = subprocess.run([*run, "info", "grid", "--json"], capture_output=True, text=True,
                          env=env, timeout=60)
    assert info.returncode == 0, info.stderr
    data = json.loads(info.stdout)
    assert data["registry_file"] == str(good) and data["name"] == "toy-grid"
    assert data["weights"]["revision"] == REV and data["weights_status"] == "hub"

    bad = tmp_path / "bad.yaml"
    bad.write_text(textwrap.dedent("""
        schema: 1
        models:
          - name: x
            variant: gan
            task: toy
            weights: {repo: org/x, revision: main, sha256: %s}
    """ % SHA))
    env["GANZOO_REGISTRY"] = str(bad)
    # `ganzoo list` warns in one line and lists everything else; commands that need the
    # registry's entries refuse in one line.
    result = subprocess.run([*run, "list"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.yaml" in lines[0] and "weights.revision" in lines[0]
    assert "cgan-digits" in result.stdout
    result = subprocess.run([*run, "info", "x"], capture_output=True, text=True, env=env,
                            timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.yaml" in lines[0] and "weights.revision" in lines[0]
