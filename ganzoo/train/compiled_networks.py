"""``compile=true``: the variant's networks run through ``torch.compile``, in place.

Each network named in ``generator_names`` / ``discriminator_names`` gets
``nn.Module.compile()``: its forward is compiled but the module stays itself, so state-dict
keys, checkpoints, ``model.safetensors`` and a ``copy.deepcopy`` (which drops the compiled
call) are exactly an eager run's; nothing ever sees an ``_orig_mod.`` prefix.

Gradient penalties differentiate twice (``create_graph``), which compiled graphs do not
support ("aot_autograd does not currently support double backward"): the penalties run their
discriminator call eagerly through `eager_forward`, the rest of the step stays compiled.
"""

from __future__ import annotations

import contextlib
import shutil

import torch

from ..errors import GanzooError


def compile_networks(model) -> list[str]:
    """Compile every network the variant names; returns their names. Refuses, in one line,
    a torch or platform that cannot compile (checked on a tiny function first, so the error
    comes before training starts, not from deep inside the first step)."""
    check_compile_works()
    names = [*model.generator_names, *model.discriminator_names]
    for name in names:
        getattr(model, name).compile()
    return names


def check_compile_works() -> None:
    if not hasattr(torch.compiler, "set_stance"):
        raise GanzooError(f"compile=true needs torch >= 2.6 (this is {torch.__version__}), whose "
                          f"gradient penalties can run eagerly inside a compiled model; "
                          f"upgrade torch or set compile=false")
    from torch import _dynamo

    if not _dynamo.is_dynamo_supported():
        raise GanzooError("compile=true: torch.compile does not support this Python/platform; "
                          "set compile=false")
    try:
        probe = torch.compile(lambda x: (x * 2.0).sin() + 1.0)
        probe(torch.ones(4))
    except Exception as error:  # inductor's failures are many types (no C++ compiler, ...)
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        hint = "" if shutil.which("g++") or shutil.which("c++") else \
            " (inductor needs a C++ compiler on CPU: install g++)"
        raise GanzooError(f"compile=true: torch.compile fails on this machine{hint}: "
                          f"{first_line}; set compile=false") from None


def eager_forward():
    """A context in which compiled modules run their eager forward (a no-op where torch has
    no compiler stances, as nothing can be compiled there: `check_compile_works`)."""
    set_stance = getattr(torch.compiler, "set_stance", None)
    return set_stance("force_eager") if set_stance is not None else contextlib.nullcontext()
