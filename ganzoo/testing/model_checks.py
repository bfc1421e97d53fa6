"""Checks on a built model: config round trip, inference contract, determinism, device move."""

from __future__ import annotations

import copy
import dataclasses
import json

from .example_inputs import (NOISE_TASKS, example_images, image_shape, output_scale,
                             run_inference)
from .subject import Subject

_N = 3  # an odd batch size catches code that assumes pairs or powers of two


def check_config_round_trip(subject: Subject) -> None:
    """Config → plain dict → JSON → Config gives the same config and the same networks."""
    from ..building import build_model
    from ..config import build_config, config_to_dict

    model = subject.build()
    try:
        plain = json.loads(json.dumps(config_to_dict(model.config)))
    except (TypeError, ValueError) as exc:
        raise subject.fail("check_config_round_trip", f"the Config is not JSON-serialisable "
                           f"({exc})", "keep Config fields plain values: numbers, text, "
                           "booleans, lists, dicts") from None
    rebuilt = build_config(subject.cls.Config, plain)
    if rebuilt != model.config:
        changed = [f.name for f in dataclasses.fields(rebuilt)
                   if getattr(rebuilt, f.name) != getattr(model.config, f.name)]
        raise subject.fail("check_config_round_trip", f"field(s) {', '.join(changed)} change "
                           f"through config.json", "annotate each field with the type its "
                           "default has (e.g. tuple[float, float] for betas)")
    again = build_model(subject.name, plain)
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    if {k: tuple(v.shape) for k, v in again.state_dict().items()} != shapes:
        raise subject.fail("check_config_round_trip", "a model rebuilt from its saved config "
                           "has different weights", "derive every architecture choice from Config")


def check_network_attributes(subject: Subject) -> None:
    """Every name in generator_names/discriminator_names is an nn.Module with parameters."""
    from torch import nn

    model = subject.build()
    for role in ("generator_names", "discriminator_names"):
        names = getattr(model, role)
        if role == "generator_names" and not names:
            raise subject.fail("check_network_attributes", "generator_names is empty",
                               "list the attribute names of the generator networks")
        for name in names:
            net = getattr(model, name, None)
            if not isinstance(net, nn.Module) or not any(True for _ in net.parameters()):
                raise subject.fail("check_network_attributes", f"{role} lists '{name}', which is "
                                   f"not an nn.Module with parameters on the model",
                                   f"assign self.{name} = <network> in __init__ or fix {role}")


def check_inference_contract(subject: Subject) -> None:
    """sample/translate return finite float32 in [0, 1], the right shape, without autograd."""
    import torch

    model = subject.build().eval()
    inputs = None if model.task in NOISE_TASKS else example_images(model, _N)
    api = "sample" if inputs is None else "translate"
    out = run_inference(model, _N, inputs=inputs)
    problem = None
    if not isinstance(out, torch.Tensor):
        problem = f"{api}() returned {type(out).__name__}, not a tensor"
    elif out.dtype != torch.float32:
        problem = f"{api}() returned {out.dtype}"
    elif out.shape[0] != _N:
        problem = f"{api}() with {_N} items returned a batch of {out.shape[0]}"
    elif model.task == "toy" and out.dim() != 2:
        problem = f"toy sample() must be (N, 2) points, got shape {tuple(out.shape)}"
    elif model.task != "toy" and out.dim() != 4:
        problem = f"{api}() must return images (N, C, H, W), got shape {tuple(out.shape)}"
    elif not torch.isfinite(out).all():
        problem = f"{api}() returned NaN or Inf"
    elif model.task != "toy" and (out.min() < 0 or out.max() > 1):
        problem = f"{api}() values span [{out.min():.3g}, {out.max():.3g}], not [0, 1]"
    elif out.requires_grad:
        problem = f"{api}() returned a tensor that requires grad"
    if problem:
        raise subject.fail("check_inference_contract", problem,
                           "return float32 (N, C, H, W) in [0, 1] (use self.to_unit) computed "
                           "under torch.inference_mode()")
    if inputs is not None:
        scale = output_scale(model)
        want = (inputs.shape[2] * scale, inputs.shape[3] * scale)
        if tuple(out.shape[2:]) != want:
            raise subject.fail("check_inference_contract", f"translate() of {tuple(inputs.shape)} "
                               f"gave {tuple(out.shape)}, expected spatial size {want}",
                               "return the input size times preprocessing()['scale'] "
                               "(pad to the network's multiple and crop back)")
    if model.task in ("unconditional", "conditional"):
        try:
            want_shape = image_shape(model)
        except ValueError as exc:
            raise subject.fail("check_inference_contract", str(exc), "declare them, so that "
                               "config.json describes the images (sampling needs no flags)") from None
        if tuple(out.shape[1:]) != want_shape:
            raise subject.fail("check_inference_contract", f"sample() gave images of shape "
                               f"{tuple(out.shape[1:])} but the model declares {want_shape}",
                               "keep preprocessing()'s channels/image_size in step with the "
                               "generator")


def check_seeded_determinism(subject: Subject) -> None:
    """The same seed gives the same weights and the same outputs; another seed differs."""
    import torch

    first, second = subject.build(seed=0), subject.build(seed=0)
    for key, value in first.state_dict().items():
        if not torch.equal(value, second.state_dict()[key]):
            raise subject.fail("check_seeded_determinism", f"two models built after "
                               f"torch.manual_seed(0) differ in {key}", "initialise weights "
                               "only from torch's global generator")
    first.eval(), second.eval()
    if first.task in NOISE_TASKS:
        a, b, other = first.sample(_N, seed=7), second.sample(_N, seed=7), first.sample(_N, seed=8)
        if not torch.equal(a, b):
            raise subject.fail("check_seeded_determinism", "sample(n, seed=7) differs between "
                               "calls", "draw all noise from torch.Generator().manual_seed(seed)")
        if torch.equal(a, other):
            raise subject.fail("check_seeded_determinism", "sample() gives the same output for "
                               "seeds 7 and 8", "use the seed argument to draw the noise")
    else:
        x = example_images(first, _N)
        if not torch.equal(first.translate(x), second.translate(x.clone())):
            raise subject.fail("check_seeded_determinism", "translate() of the same images "
                               "differs between calls in eval mode", "disable randomness "
                               "(dropout, noise) in eval mode or seed it")


def check_device_move(subject: Subject) -> None:
    """The model moves with .to(): to "meta" (every tensor), back to CPU, and to CUDA if present."""
    import torch

    model = subject.build().eval()
    reference = run_inference(model, 2)
    meta = copy.deepcopy(model).to("meta")
    stuck = [k for k, v in meta.state_dict().items() if v.device.type != "meta"]
    if stuck:
        raise subject.fail("check_device_move", f".to('meta') left {stuck[0]} behind",
                           "register tensors as parameters or buffers, not plain attributes")
    if meta.device.type != "meta":
        raise subject.fail("check_device_move", "model.device does not follow .to()",
                           "do not override GANModel.device")
    moved = copy.deepcopy(model).to("cpu")
    if not torch.equal(run_inference(moved, 2), reference):
        raise subject.fail("check_device_move", "outputs change after .to('cpu')",
                           "keep no device-specific state outside parameters and buffers")
    if torch.cuda.is_available():
        on_gpu = copy.deepcopy(model).to("cuda")
        inputs = None if model.task in NOISE_TASKS else example_images(model, 2).to("cuda")
        out = run_inference(on_gpu, 2, inputs=inputs)
        if out.shape != reference.shape or not torch.isfinite(out).all():
            raise subject.fail("check_device_move", "sampling on CUDA fails the contract",
                               "create noise and inputs on self.device")
