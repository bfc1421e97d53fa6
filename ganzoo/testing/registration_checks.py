"""Checks on what a plugin registers: complete metadata, lazy import, a loadable GANModel."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

from .subject import Subject

# Run in a fresh interpreter: imports the plugin's entry-point module, calls its hooks with a
# recording ``register``, and reports what was registered and whether torch got imported.
_PROBE = r"""
import importlib, json, sys
sys.path[:] = json.loads(sys.argv[2])
module = importlib.import_module(sys.argv[1])
records = []
for hook in ("register_variants", "register_losses", "register_datasets", "register_metrics"):
    function = getattr(module, hook, None)
    if function is not None and hasattr(function, "ganzoo_impl"):
        function(register=lambda name, target, *, summary="", task=None, _h=hook, **meta:
                 records.append({"hook": _h, "name": name, "target": target,
                                 "summary": summary, "task": task, "metadata": sorted(meta)}))
heavy = sorted(m for m in ("torch", "numpy", "PIL", "matplotlib") if m in sys.modules)
print(json.dumps({"records": records, "heavy": heavy}))
"""


def plugin_module(subject: Subject) -> str:
    """The entry-point module that registered ``subject`` (from the loaded catalog)."""
    from ..plugins import get_catalog

    for info in get_catalog().plugins:
        if info.name == subject.registered.plugin:
            return info.module.partition(":")[0]
    raise subject.fail("check_registration", "its plugin is not in the loaded catalog",
                       "install the plugin so that its `ganzoo` entry point is visible")


def check_registration(subject: Subject) -> None:
    """Registration is complete and lazy: hooks import no torch, the target is a GANModel."""
    module = plugin_module(subject)
    probe = subprocess.run([sys.executable, "-c", _PROBE, module, json.dumps(sys.path)],
                           capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["no output"])[-1]
        raise subject.fail("check_registration", f"importing {module} and calling its hooks "
                           f"failed in a fresh interpreter ({last})",
                           "make the plugin module importable on its own and its hooks pure")
    report = json.loads(probe.stdout.strip().splitlines()[-1])
    if "torch" in report["heavy"]:
        raise subject.fail("check_registration", f"importing {module} and running its hooks "
                           f"imports torch", "register a lazy target 'module:Class' and move "
                           "torch imports out of the plugin's __init__.py")
    mine = [r for r in report["records"]
            if r["hook"] == "register_variants" and r["name"] == subject.name]
    if not mine:
        raise subject.fail("check_registration", f"{module}'s register_variants does not "
                           f"register '{subject.name}' when called on its own",
                           "register every variant unconditionally in register_variants")
    record = mine[0]
    if not record["summary"].strip():
        raise subject.fail("check_registration", "no summary", "pass summary='one line' to "
                           "register(); `ganzoo list` shows it")
    if record["target"].partition(":")[0] == module:
        raise subject.fail("check_registration", f"the target {record['target']} lives in the "
                           f"entry-point module itself, so listing imports the model code",
                           "put the GANModel subclass in a submodule, e.g. "
                           f"'{module}.variant:MyGAN'")
    _check_class(subject)


def _check_class(subject: Subject) -> None:
    from ..interfaces import GANModel

    cls = subject.cls
    if not issubclass(cls, GANModel):
        raise subject.fail("check_registration", f"{subject.registered.target} is not a "
                           f"ganzoo.GANModel subclass", "subclass ganzoo.GANModel")
    if getattr(cls, "task", None) != subject.task:
        raise subject.fail("check_registration", f"the class says task={getattr(cls, 'task', None)!r} "
                           f"but it is registered with task={subject.task!r}",
                           "make the class's `task` and the registration's task= agree")
    config_cls = getattr(cls, "Config", None)
    if not (isinstance(config_cls, type) and dataclasses.is_dataclass(config_cls)):
        raise subject.fail("check_registration", "`Config` is not a dataclass",
                           "declare `@dataclass class Config:` inside the variant")
    try:
        config_cls()
    except TypeError as exc:
        raise subject.fail("check_registration", f"Config() needs arguments ({exc})",
                           "give every Config field a default (the recommended recipe)") from None
    unknown = sorted(set(subject.overrides) - {f.name for f in dataclasses.fields(config_cls)})
    if unknown:
        raise subject.fail("check_registration", f"test_config names unknown Config "
                           f"field(s) {', '.join(unknown)}", "use Config field names in test_config")
