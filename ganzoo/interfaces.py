"""The interfaces a variant implements: Generator, Discriminator, Loss, and GANModel.

A variant is one `GANModel` subclass. It declares its networks and its per-step logic; the one
`ganzoo.train.Trainer` owns everything else (optimizer steps, n_critic schedule, mixed precision,
EMA, checkpoints, samples, distributed). `ganzoo.load(...)` returns the same class, so the
inference API (`sample` / `translate`) lives here too.

Naming contract for weights: every network is an attribute of the model; its state-dict keys are
prefixed by that attribute name (``generator.*``, ``discriminator.*``, or for CycleGAN
``generator_ab.*`` ...). `generator_names` are what a published ``model.safetensors`` must hold;
`discriminator_names` are optional there.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from ganzoo.conditioning import ConditionKey
from ganzoo.optim import adam


class Generator(nn.Module):
    """Base class of generators.

    Noise-driven generators map a latent batch ``(N, latent_dim)`` (plus any conditioning) to
    samples in the model's value range; image generators map images to images. Set
    ``latent_dim`` (0 for image-to-image and super-resolution).
    """

    latent_dim: int = 0
    #: Image generators: input sides must be a multiple of this (e.g. 4 for two stride-2
    #: downsamplings); inference pads to it and crops back.
    size_multiple: int = 1
    #: Image generators: the smallest input side they accept (inference pads up to it).
    min_size: int = 1
    #: Image generators that implement `forward_staged` set this, so the fast-inference path
    #: can run their output stage in another precision (`ganzoo.nets.fast_inference`).
    staged_forward: bool = False

    def forward_staged(self, x: Tensor, run_output_stage) -> Tensor:
        """``forward(x)``, with the output stage (upsampling layers and output convolution, the
        layers that carry most rounding error) run as ``run_output_stage(stage, h)``.

        Optional: implement it and set ``staged_forward = True``; mixed precision then keeps
        those layers in fp32. Not called unless ``staged_forward`` is set.
        """
        raise NotImplementedError(f"{type(self).__name__} declares no staged forward")


class Discriminator(nn.Module):
    """Base class of discriminators/critics: samples (plus conditioning) → raw scores.

    Return raw logits (no sigmoid); the output may be ``(N,)``, ``(N, 1)`` or a patch map
    ``(N, 1, H, W)``: losses average over everything but never apply a sigmoid twice.
    """

    def image_input(self) -> nn.Module:
        """The module that first receives every image this network judges: the network itself.
        A discriminator that also judges through other methods sharing a trunk (an auxiliary
        head, such as a posterior over latent codes) returns that trunk, so engine hooks on D's
        input (DiffAugment, `ganzoo.train.discriminator_augment`) see the images of every
        method."""
        return self


class Loss(ABC):
    """An adversarial objective on raw discriminator outputs.

    Both methods return a scalar to *minimize*. ``real``/``fake`` are D's raw outputs on real
    and generated samples. A loss whose generator side compares fakes with real samples (the
    relativistic losses) sets ``uses_real_scores``; variants then compute D's real scores in
    their generator step and pass them as ``real=`` (see `ganzoo.losses.generator_loss`),
    and skip that extra D pass for every other loss.
    """

    name: ClassVar[str] = ""
    #: True when `generator` needs D's scores on real samples.
    uses_real_scores: ClassVar[bool] = False
    #: The raw score above which D calls one sample real (0 for logits and hinge), or None
    #: where one score alone says nothing (Wasserstein, relativistic: only differences count).
    real_threshold: ClassVar[float | None] = None

    @abstractmethod
    def discriminator(self, real: Tensor, fake: Tensor) -> Tensor:
        """D's loss: low when D scores real samples as real and fakes as fake."""

    @abstractmethod
    def generator(self, fake: Tensor, real: Tensor | None = None) -> Tensor:
        """G's loss: low when D scores G's samples as real (``real``: D's scores on real
        samples, given when ``uses_real_scores``)."""

    def judged_real(self, scores: Tensor) -> Tensor | None:
        """Per score, whether D calls its sample real (bool, no graph); None for a loss
        without a `real_threshold`. Variants pass D's verdicts on the real batch to the engine
        as `StepOutput.judged_real` (adaptive augmentation watches them)."""
        if self.real_threshold is None:
            return None
        return scores.detach() > self.real_threshold


@dataclass
class StepOutput:
    """What a variant's step returns: the loss to backpropagate and numbers to log, and, from
    a discriminator step, D's verdicts on the real samples it judged (``judged_real``: bools
    from `Loss.judged_real`; optional, needed only by adaptive augmentation, ``ada_target``)."""

    loss: Tensor
    logs: dict[str, float] = field(default_factory=dict)
    judged_real: Tensor | None = None


@dataclass
class TrainingStep:
    """One entry of a variant's training schedule (see `GANModel.training_steps`).

    Args:
        role: the key in `GANModel.optimizers()` whose optimizer steps after ``run``.
        run: ``batch -> StepOutput``; its ``loss`` is backpropagated.
        repeat: how many times per iteration (``n_critic`` for the discriminator).
    """

    role: str
    run: Any
    repeat: int = 1


class GANModel(nn.Module, ABC):
    """A GAN variant: its networks, its training step, its inference API.

    Subclasses set:
        Config: a dataclass whose defaults are the recommended recipe; it is saved as the
            ``config`` of ``config.json`` and rebuilt from it, so it holds plain values only.
        task: one of ``unconditional``, ``conditional``, ``image-to-image``,
            ``super-resolution``, ``toy``.
        generator_names / discriminator_names: attribute names of the networks.

    and implement `generator_step` (plus `discriminator_step` when the variant has a
    discriminator) for training, and `sample` (noise-driven tasks) or `translate` (image tasks)
    for inference.

    Every optional capability is declared here with a default that means "nothing special";
    override what the variant offers:

    - `conditioning`: keywords of ``sample``/``translate`` (``ganzoo sample --cond``).
    - `sample_grid`: the default picture of ``ganzoo sample`` (e.g. one row per class).
    - `data_kinds`, `images_as`, `data_options`: which ``--data`` kinds it trains on and what
      the data factory needs from the model's settings.
    - `load_initial_weights`: weights a new run starts from (e.g. a pretrained generator).
    - `convert_checkpoint`, `config_from_checkpoint`: importing official checkpoints.
    - `test_config`, `test_input_size`, `example_item`: keep the conformance kit fast and fed.
    - `optimizers`, `training_steps`, `preview_inputs`, `preview`, `training_finished`.
    - `export_module`: the network(s) ``ganzoo export`` writes and their graph inputs.
    - `card_sections`: sections the plugin adds to its models' cards.
    """

    Config: ClassVar[type]
    task: ClassVar[str]
    generator_names: ClassVar[tuple[str, ...]] = ("generator",)
    discriminator_names: ClassVar[tuple[str, ...]] = ("discriminator",)
    #: Range of the networks' own inputs/outputs; the public API always speaks [0, 1].
    value_range: ClassVar[tuple[float, float]] = (-1.0, 1.0)
    #: Per-dataset recipe overrides, e.g. ``{"digits": {"steps": 3000, "hidden": 256}}``:
    #: keys of `Config` or of `ganzoo.train.TrainConfig`, applied by ``ganzoo train`` when
    #: ``--data`` names that dataset kind, before the user's flags. Defaults are the recipe.
    recipes: ClassVar[dict[str, dict[str, Any]]] = {}
    #: Named sets of settings chosen with ``ganzoo train --preset NAME``, applied after the
    #: per-dataset recipe and before the user's flags, e.g. a ``small`` preset that trains in
    #: minutes on a CPU where the paper's settings take hours.
    presets: ClassVar[dict[str, dict[str, Any]]] = {}
    #: Keywords ``sample()`` (noise tasks) or ``translate()`` (image tasks) accept beyond the
    #: inputs, e.g. a class label or a translation direction; ``ganzoo sample --cond KEY=VALUE``
    #: parses and checks values against these, ``ganzoo info`` lists them.
    conditioning: ClassVar[tuple[ConditionKey, ...]] = ()
    #: Data kinds (``--data KIND:...``) this variant can train on; empty: any. ``ganzoo train``
    #: refuses others in one line naming these.
    data_kinds: ClassVar[tuple[str, ...]] = ()
    #: What ``--data images:PATH`` (a plain folder of photos) is read as for this variant.
    images_as: ClassVar[str] = "folder"
    #: Config overrides for a tiny, fast model in the conformance kit (`ganzoo.testing`).
    test_config: ClassVar[dict[str, Any]] = {}
    #: Side of the kit's example images for image tasks (None: the kit's default for the task).
    test_input_size: ClassVar[int | None] = None

    @classmethod
    def data_options(cls, config: Any) -> dict[str, Any]:
        """Options the dataset factory receives, taken from the resolved Config.

        Default: ``image_size`` and ``channels`` where the Config declares them, so the data
        is cut to the size the networks are built for. Add what your data kinds need (e.g. a
        super-resolution ``scale``).
        """
        names = {f.name for f in dataclasses.fields(config)}
        return {name: getattr(config, name) for name in ("image_size", "channels") if name in names}

    @classmethod
    def convert_checkpoint(cls, state_dict: dict[str, Any], config: Any) -> dict[str, Any]:
        """Our keys for a checkpoint read by ``ganzoo convert``.

        ``state_dict`` is what ``torch.load(path, weights_only=True)`` returned, as is (it may
        be a container such as ``{"params": {...}}``); ``config`` is the variant Config built
        from ``--set`` values. Return a flat dict keyed like this model's networks
        (``generator.*``, optionally ``discriminator.*``); it is then checked strictly and
        saved. Raise `ganzoo.errors.GanzooError` for a checkpoint the mapping does not
        recognise. Default: the checkpoint already holds our keys (optionally under a container
        key or a ``module.`` prefix), or it is a bare generator state dict.
        """
        from ganzoo.convert import default_mapping

        return default_mapping(state_dict, cls)

    @classmethod
    def config_from_checkpoint(cls, state_dict: dict[str, Any],
                               values: dict[str, Any]) -> dict[str, Any]:
        """Config ``values`` completed with what ``state_dict`` (as loaded) tells.

        Called by ``ganzoo convert`` before building the model; ``values`` are the user's
        ``--set`` values, which are kept (they win over inferred ones). Default: unchanged.
        """
        return values

    def __init__(self, config: Any = None):
        super().__init__()
        self.config = config if config is not None else self.Config()
        #: The `ganzoo.catalog.Registered` this model was built from (set by `build_model`).
        self.variant = None

    def example_item(self, index: int, generator: torch.Generator) -> Any:
        """One training item like your data kind yields, for the conformance kit.

        Return None (the default) to use the kit's item for the task: a point ``(2,)`` (toy),
        ``(image, label)`` (noise tasks), ``(input, target)`` images (image tasks).
        """
        return None

    def evaluation_pair(self, item: Any) -> tuple[Tensor, Tensor] | None:
        """Image tasks: ``(input, target)`` images ``(C, H, W)`` in [0, 1] of one dataset item,
        for ``ganzoo evaluate MODEL --data SPEC``. Default None: items are ``(input, target,
        ...)`` tuples. Override when your data kind yields something else (e.g. ``{"A", "B"}``
        dicts)."""
        return None

    def sample_grid(self, columns: int, seed: int | None = None) -> Tensor | None:
        """The picture ``ganzoo sample NAME`` draws when no ``--n`` or ``--cond`` is given:
        images in [0, 1] laid out ``columns`` per row (e.g. one row per class, or a latent
        traversal). Default None: ``sample(16)``."""
        return None

    def load_initial_weights(self) -> None:
        """Load the weights a new run starts from (e.g. a trained generator the recipe
        fine-tunes). Called once by the Trainer before a new run; never on ``--resume``,
        which restores its own checkpoint. Default: nothing (the networks' own init)."""

    # ----- training (called by the Trainer) --------------------------------------------------
    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """Optimizers by role: ``"generator"`` and ``"discriminator"``.

        The default is Adam over each role's networks. It reads these Config fields where the
        Config declares them: ``lr_g``/``lr_d`` (else ``lr``, else
        2e-4), ``betas`` (else (0.5, 0.999)) and ``fused_adam`` (torch's fused kernel: one call
        per step instead of one per tensor op; for the toy MLPs on 2 threads the per-op
        optimizer was ~14 % of a training step). Override for anything else.
        """
        betas = tuple(self._setting("betas", (0.5, 0.999)))
        lr = self._setting("lr", 2e-4)
        fused = bool(self._setting("fused_adam", False))
        out = {}
        for role, names, lr_name in (("generator", self.generator_names, "lr_g"),
                                     ("discriminator", self.discriminator_names, "lr_d")):
            params = [p for n in names for p in getattr(self, n).parameters()]
            if params:
                out[role] = adam(params, lr=self._setting(lr_name, lr), betas=betas, fused=fused)
        return out

    def discriminator_step(self, batch: Any) -> StepOutput:
        """One discriminator update's loss on a batch (penalties included).

        Adversarial variants implement it; a variant without a discriminator sets
        ``discriminator_names = ()`` and leaves it out (the default schedule then skips it).
        """
        raise NotImplementedError(f"{type(self).__name__} has no discriminator step")

    @abstractmethod
    def generator_step(self, batch: Any) -> StepOutput:
        """One generator update's loss on a batch."""

    def training_steps(self) -> list[TrainingStep]:
        """The schedule of one training iteration, run in order by the Trainer.

        Default: ``discriminator_step`` ``config.n_critic`` times (1 if the Config declares no
        ``n_critic``; skipped without ``discriminator_names``), then ``generator_step``.
        Override to add roles (e.g. a separate optimizer for an auxiliary head) or reorder
        steps.
        """
        generator = TrainingStep("generator", self.generator_step, 1)
        if not self.discriminator_names:
            return [generator]
        n_critic = int(self._setting("n_critic", 1))
        return [TrainingStep("discriminator", self.discriminator_step, n_critic), generator]

    def _setting(self, name: str, default: Any) -> Any:
        """A Config field the default recipes read, or ``default`` when the Config does not
        declare it (declared fields only, no attribute guessing)."""
        declared = {f.name for f in dataclasses.fields(self.config)}
        return getattr(self.config, name) if name in declared else default

    def preview_inputs(self, batch: Any, n: int, generator: torch.Generator) -> Any:
        """Fixed inputs for the progress previews, drawn once at the start of training.

        Default: ``n`` latent vectors for noise-driven generators (``generator.latent_dim`` > 0),
        else the first ``n`` items of the first batch.
        """
        network = getattr(self, self.generator_names[0])
        latent_dim = network.latent_dim if isinstance(network, Generator) else 0
        if latent_dim:
            return torch.randn(n, latent_dim, generator=generator)
        if isinstance(batch, (list, tuple)):
            return type(batch)(b[:n] for b in batch)
        if isinstance(batch, dict):
            return {k: v[:n] for k, v in batch.items()}
        return batch[:n]

    @torch.no_grad()
    def preview(self, fixed: Any) -> Tensor:
        """Outputs for `preview_inputs` (with EMA weights): images ``(N, C, H, W)`` in [0, 1]
        for a grid, or points ``(N, 2)`` for a scatter plot. Override for image tasks."""
        out = getattr(self, self.generator_names[0])(fixed.to(self.device))
        return out if self.task == "toy" or out.dim() == 2 else self.to_unit(out)

    def training_finished(self, folder: Any) -> None:
        """Called once on rank 0 after the final model is saved to ``folder`` (a Path), with
        EMA weights in place: write extra figures (e.g. a latent traversal) here."""

    # ----- inference (public API, [0, 1] images) ---------------------------------------------
    def sample(self, n: int, seed: int | None = None, **conditioning: Any) -> Tensor:
        """Draw ``n`` samples: images ``(N, C, H, W)`` in [0, 1], toy data ``(N, 2)``."""
        raise NotImplementedError(f"{type(self).__name__} translates images; use translate()")

    def translate(self, images: Tensor, **options: Any) -> Tensor:
        """Map float images ``(N, C, H, W)`` in [0, 1] to outputs in [0, 1]."""
        raise NotImplementedError(f"{type(self).__name__} generates from noise; use sample()")

    def card_sections(self) -> dict[str, str]:
        """Extra sections of this model's card (``README.md``): heading → Markdown text, placed
        after the metrics, e.g. what input degradation a super-resolution model expects.
        Default: none."""
        return {}

    # ----- deployment (ganzoo export) ---------------------------------------------------------
    def export_module(self, **conditioning: Any) -> Any:
        """The network ``ganzoo export`` writes, as a `ganzoo.export_spec.ExportSpec`.

        ``conditioning`` holds the ``--cond`` values given to ``ganzoo export`` (e.g. which
        direction of a two-way model to export). Default: the first generator, with input
        ``image`` (image tasks; dynamic batch, height and width) or ``z`` (noise tasks; dynamic
        batch). Override when the generator takes more inputs (labels, codes) and return a
        module whose forward arguments are the graph inputs.
        """
        from ganzoo.export_spec import default_export_spec

        return default_export_spec(self, **conditioning)

    # ----- description for config.json -------------------------------------------------------
    def preprocessing(self) -> dict[str, Any]:
        """What a loader must know to feed this model (value range, channels, scale, ...)."""
        return {"value_range": list(self.value_range)}

    def to_unit(self, x: Tensor) -> Tensor:
        """Network range → [0, 1]."""
        lo, hi = self.value_range
        return ((x - lo) / (hi - lo)).clamp(0.0, 1.0)

    def from_unit(self, x: Tensor) -> Tensor:
        """[0, 1] → network range."""
        lo, hi = self.value_range
        return x * (hi - lo) + lo

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def config_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self.config)
