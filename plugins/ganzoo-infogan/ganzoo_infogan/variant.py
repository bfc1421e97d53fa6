"""The ``infogan`` variant: unsupervised, interpretable codes through a mutual-information bound.

G sees ``[z, one_hot(c), c_cont]``; D's trunk feeds both the real/fake head and Q, which
predicts the codes back. Both steps add ``λ · (CE(c) + λ_cont · NLL(c_cont))`` on generated
images: in D's step (on detached fakes) it trains Q and the shared trunk, in G's step it makes
G's output carry its codes. So Q lives in the ``discriminator`` role and the stock two-step
schedule of the Trainer fits unchanged.

Defaults are the paper's objective (Chen et al. 2016): that bound and nothing else. One named
option, ``invariant_clustering``, adds what the zoo's digits model uses beyond the paper
(without it the category tends to capture *style* on digits: thickness, slant, position):
an invariant-clustering term (IIC, Ji et al. 2019) in D's step that makes Q give a real image
and a style-changed view of it (`augment.style_augment`) the same, balanced category, and Q
reading the category of fakes from a style-changed view (``fake_augment``), so G cannot carry
it in style; plus the λ and learning rates tuned with them. The views assume one-channel
images with a dark background, so the option is refused on other data. Labels are never used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from ganzoo.conditioning import ConditionKey
from ganzoo.errors import GanzooError
from ganzoo.interfaces import GANModel, StepOutput
from ganzoo.losses import generator_loss, get_loss

from .augment import require_dark_background, style_augment
from .codes import (Codes, draw_codes, invariant_clustering_loss, mutual_information_loss,
                    real_clustering_loss, resolve_category, resolve_continuous)
from .networks import CodeGenerator, InfoDiscriminator

#: The continuous-code sweep of the traversal grid (the paper shows [-2, 2], beyond the prior).
TRAVERSAL_RANGE = (-2.0, 2.0)


#: The paper's values of the settings `invariant_clustering` changes (Chen et al. 2016, MNIST):
#: λ = 1 on the MI bound, Adam at 2e-4 for D, no clustering term, no augmentation. Q is a head
#: of D trained in D's step, so its rate is D's (`lr_q` left unset follows `lr_d`).
PAPER_SETTINGS = {"info_weight": 1.0, "lr_d": 2e-4, "real_invariance_weight": 0.0,
                  "invariance_balance": 1.0, "fake_augment": False, "augment_thickness": 0.0}
#: What ``invariant_clustering=true`` turns on: the additions beyond the paper, with the values
#: tuned together on digits seeds 0-5 (``docs/experiments/infogan.md``).
INVARIANT_CLUSTERING_SETTINGS = {"info_weight": 2.0, "lr_d": 5e-4, "lr_q": 1e-3,
                                 "real_invariance_weight": 3.0, "invariance_balance": 1.5,
                                 "fake_augment": True, "augment_thickness": 0.2}


@dataclass
class InfoGANConfig:
    """InfoGAN architecture and recipe; defaults are the paper's objective.

    The objective is Chen et al.'s: the GAN loss plus λ times the variational MI bound on a
    10-way categorical and 2 uniform continuous codes, λ = 1 as the paper sets it for discrete
    codes, and a smaller weight on the continuous codes' Gaussian NLL, as the paper advises
    (differential entropy is on another scale; it names no value, 0.1 is ours); Adam at the
    paper's rates (1e-3 for G, 2e-4 for D with Q). Scaled to 8×8 digits rather than copied:
    a DCGAN-style G and D sized by `image_size`, an 8-d noise (the paper's 62-d noise is as
    large as a whole 8×8 image) and spectral normalisation on D (not in the paper).

    Settings left at None take the paper's value (`PAPER_SETTINGS`), or, with
    ``invariant_clustering=true``, the tuned additions (`INVARIANT_CLUSTERING_SETTINGS`); a
    value given explicitly always wins. Both are compared on digits (code accuracy, KID/FID,
    seeds not used for tuning apart) by ``python benchmarks/digits_conditional.py --variants
    infogan infogan+ic`` (``benchmarks/results/digits_conditional.txt``); how the additions
    were chosen: ``docs/experiments/infogan.md``.
    """

    num_categories: int = 10         # values of the categorical code
    num_continuous: int = 2          # continuous codes, prior Uniform(-1, 1)
    latent_dim: int = 8              # noise z; small, so digit identity has to come from the code
    noise_std: float = 1.0           # z ~ N(0, noise_std²)
    channels: int = 1
    image_size: int = 8              # power of two ≥ 8
    g_width: int = 128               # channels of G's 4×4 map
    d_width: int = 32                # channels of D's first conv
    spectral_norm: bool = True
    loss: str = "non-saturating"
    # Beyond the paper: the digits additions (IIC on real images, style views of fakes, tuned
    # λ and rates). Settings at None take the paper's value, or the option's when it is on.
    invariant_clustering: bool = False  # the digits additions; 1-channel, dark-background data
    info_weight: float | None = None  # λ on the whole MI bound (paper 1; option 2)
    continuous_weight: float = 0.1   # relative weight of the continuous codes' NLL
    lr_g: float = 1e-3               # the paper's G rate
    lr_d: float | None = None        # D's rate (paper 2e-4; option 5e-4)
    lr_q: float | None = None        # Q head's rate (paper: D's rate; option 1e-3)
    real_cluster_weight: float = 0.0  # RIM clustering of real images by Q's category (0 = off)
    real_invariance_weight: float | None = None  # IIC of Q(x) and Q(view of x) (paper 0; option 3)
    invariance_balance: float | None = None  # IIC's λ, > 1 favours equal use (paper 1; option 1.5)
    fake_augment: bool | None = None  # Q reads fakes' category from views (paper off; option on)
    augment_thickness: float | None = None  # stroke change of the views (paper 0; option 0.2)
    betas: tuple[float, float] = (0.5, 0.999)

    def __post_init__(self) -> None:
        chosen = INVARIANT_CLUSTERING_SETTINGS if self.invariant_clustering else PAPER_SETTINGS
        for name, value in chosen.items():
            if getattr(self, name) is None:
                setattr(self, name, value)
        if self.lr_q is None:
            self.lr_q = self.lr_d

    @property
    def style_views(self) -> bool:
        """Whether training makes style-changed views (which assume one-channel digits)."""
        return self.real_invariance_weight > 0 or self.fake_augment


class InfoGAN(GANModel):
    """InfoGAN: G(z, c) and a discriminator with a shared trunk, a real/fake head and a Q head."""

    Config = InfoGANConfig
    task = "unconditional"
    conditioning = (
        ConditionKey("category", "int", "categorical code 0..num_categories-1 (default: drawn)",
                     minimum=0),
        ConditionKey("continuous", "floats", "continuous codes, comma-separated, one per code "
                     "(default: drawn from U(-1, 1))"),
    )
    # More iterations than the engine's 2,000: the clustering of real digits keeps improving
    # (3,500 measured no better at thickness 0.5: mean 88.2 % on seeds 0-2). No thread count:
    # it changes the float summation order (and so a run), not what the recipe is worth, which
    # the benchmark reports over seeds.
    recipes = {"digits": {"steps": 3000}}

    def __init__(self, config: InfoGANConfig | None = None):
        super().__init__(config)
        c = self.config
        if c.style_views and c.channels != 1:
            raise GanzooError(f"invariant_clustering's style views assume one-channel digits on "
                              f"a dark background, and this data has {c.channels} channels; "
                              f"drop invariant_clustering (and real_invariance_weight, "
                              f"fake_augment) to train the paper's InfoGAN")
        self.generator = CodeGenerator(c.latent_dim, c.num_categories + c.num_continuous,
                                       c.channels, c.image_size, c.g_width)
        self.discriminator = InfoDiscriminator(c.channels, c.image_size, c.d_width,
                                               c.num_categories, c.num_continuous,
                                               c.spectral_norm)
        self._loss = None
        self._background_checked = False

    # ----- training ----------------------------------------------------------------------------
    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """Adam for G, and for D with the Q head as its own parameter group (``lr_q``)."""
        c = self.config
        q_params = list(self.discriminator.q_head.parameters())
        q_ids = {id(p) for p in q_params}
        d_params = [p for p in self.discriminator.parameters() if id(p) not in q_ids]
        return {
            "generator": torch.optim.Adam(self.generator.parameters(), lr=c.lr_g, betas=c.betas),
            "discriminator": torch.optim.Adam([{"params": d_params},
                                               {"params": q_params, "lr": c.lr_q}],
                                              lr=c.lr_d, betas=c.betas),
        }

    @property
    def loss(self):
        if self._loss is None:
            self._loss = get_loss(self.config.loss)
        return self._loss

    def _real(self, batch: Any) -> Tensor:
        """Images in [0, 1] (labels, if the dataset has them, are ignored) → network range."""
        images = batch[0] if isinstance(batch, (list, tuple)) else batch
        if self.config.style_views and not self._background_checked:
            require_dark_background(images)
            self._background_checked = True
        return self.from_unit(images.to(self.device))

    def _fake(self, n: int) -> tuple[Tensor, Codes]:
        c = self.config
        codes = draw_codes(n, c.num_categories, c.num_continuous, device=self.device)
        z = torch.randn(n, c.latent_dim, device=self.device) * c.noise_std
        return self.generator(codes.generator_input(z, c.num_categories)), codes

    def _information(self, q: tuple[Tensor, Tensor, Tensor], codes: Codes,
                     logs: dict[str, float]) -> Tensor:
        categorical, continuous = mutual_information_loss(*q, codes)
        logs["info_cat"], logs["info_cont"] = categorical.item(), continuous.item()
        return self.config.info_weight * (categorical + self.config.continuous_weight * continuous)

    def discriminator_step(self, batch: Any) -> StepOutput:
        real = self._real(batch)
        with torch.no_grad():
            fake, codes = self._fake(len(real))
        fake_score, q = self.discriminator.both(fake)
        real_score, (real_logits, _, _) = self.discriminator.both(real)
        adversarial = self.loss.discriminator(real_score, fake_score)
        logs = {"d_loss": adversarial.item()}
        loss = adversarial + self._information(self._fake_q(fake, q), codes, logs)
        if self.config.real_cluster_weight > 0:
            clustering = real_clustering_loss(real_logits)
            logs["real_cluster"] = clustering.item()
            loss = loss + self.config.real_cluster_weight * clustering
        if self.config.real_invariance_weight > 0:
            view_logits = self.discriminator.q(self._augment(real))[0]
            invariance = invariant_clustering_loss(real_logits, view_logits,
                                                   self.config.invariance_balance)
            logs["real_invariance"] = invariance.item()
            loss = loss + self.config.real_invariance_weight * invariance
        return StepOutput(loss, logs, self.loss.judged_real(real_score))

    def _fake_q(self, fake: Tensor, q: tuple[Tensor, Tensor, Tensor]):
        """Q's reading of fakes; with ``fake_augment`` the category comes from a style-changed
        view, so G cannot carry it in thickness, slant or position."""
        if not self.config.fake_augment:
            return q
        return (self.discriminator.q(self._augment(fake))[0], q[1], q[2])

    def _augment(self, images: Tensor) -> Tensor:
        return style_augment(images, thickness=self.config.augment_thickness)

    def generator_step(self, batch: Any) -> StepOutput:
        real = self._real(batch)
        fake, codes = self._fake(len(real))
        fake_score, q = self.discriminator.both(fake)
        adversarial = generator_loss(self.loss, fake_score,
                                     lambda: self.discriminator.both(real)[0])
        logs = {"g_loss": adversarial.item()}
        return StepOutput(adversarial + self._information(self._fake_q(fake, q), codes, logs),
                          logs)

    def preview_inputs(self, batch: Any, n: int, generator: torch.Generator) -> Any:
        # Rows of one category each, so progress shows whether categories separate.
        c = self.config
        codes = draw_codes(n, c.num_categories, c.num_continuous, generator=generator)
        codes.category = torch.arange(n) * c.num_categories // n
        z = torch.randn(n, c.latent_dim, generator=generator) * c.noise_std
        return codes.generator_input(z, c.num_categories)

    def training_finished(self, folder: Any) -> None:
        """Write ``traversal.png`` (code 0) and ``traversal_code{i}.png`` for the others."""
        from ganzoo.grid import save_grid

        columns = 10
        for code in range(self.config.num_continuous):
            name = "traversal.png" if code == 0 else f"traversal_code{code}.png"
            save_grid(self.sample_grid(columns, seed=0, code=code), Path(folder) / name,
                      nrow=columns, upscale=4 if self.config.image_size <= 16 else 1,
                      overwrite=True)

    # ----- inference ---------------------------------------------------------------------------
    def sample(self, n: int, seed: int | None = None, category: Any = None,
               continuous: Any = None, **unused: Any) -> Tensor:
        """``n`` images in [0, 1]. ``category``: an int (or one per sample) in
        ``0..num_categories-1``; ``continuous``: ``num_continuous`` values (or one row per
        sample). Codes not given are drawn from the prior with ``seed``."""
        c = self.config
        fixed_category = resolve_category(category, n, c.num_categories)
        fixed_continuous = resolve_continuous(continuous, n, c.num_continuous)
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        z = torch.randn(n, c.latent_dim, generator=generator) * c.noise_std
        codes = draw_codes(n, c.num_categories, c.num_continuous, generator=generator)
        if fixed_category is not None:
            codes.category = fixed_category
        if fixed_continuous is not None:
            codes.continuous = fixed_continuous
        return self._generate(codes.generator_input(z, c.num_categories))

    def sample_grid(self, columns: int = 10, seed: int | None = None, code: int = 0) -> Tensor:
        """Latent traversal: one row per category, columns sweep continuous code ``code`` over
        [-2, 2] (other continuous codes at 0), one shared z for the whole grid."""
        c = self.config
        if c.num_continuous == 0:
            sweep = torch.zeros(columns, 0)
        else:
            if not 0 <= code < c.num_continuous:
                raise GanzooError(f"continuous code {code} is out of range: this model has "
                                  f"codes 0-{c.num_continuous - 1}")
            sweep = torch.zeros(columns, c.num_continuous)
            sweep[:, code] = torch.linspace(*TRAVERSAL_RANGE, columns)
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        z = torch.randn(1, c.latent_dim, generator=generator) * c.noise_std
        rows = c.num_categories * columns
        codes = Codes(torch.arange(c.num_categories).repeat_interleave(columns),
                      sweep.repeat(c.num_categories, 1))
        return self._generate(codes.generator_input(z.expand(rows, -1), c.num_categories))

    @torch.no_grad()
    def preview(self, fixed: Any) -> Tensor:
        return self._generate(fixed)

    @torch.no_grad()
    def _generate(self, generator_input: Tensor) -> Tensor:
        was_training = self.generator.training
        self.generator.eval()  # BatchNorm running statistics, whatever mode the model is in
        try:
            return self.to_unit(self.generator(generator_input.to(self.device)))
        finally:
            self.generator.train(was_training)

    def export_module(self, **unused: Any) -> Any:
        """The generator behind graph inputs ``z`` (standard normal; scaled by ``noise_std``
        inside the graph), ``category`` (int64) and ``continuous`` (when the model has
        continuous codes), as ``sample()`` draws them."""
        from ganzoo.export_spec import ExportInput, ExportSpec

        from .export import CategoryInputs, CodeInputs

        c = self.config
        inputs = [ExportInput("z", (1, c.latent_dim)),
                  ExportInput("category", (1,), dtype="int64",
                              fill=f"randint:0:{c.num_categories}")]
        if c.num_continuous:
            inputs.append(ExportInput("continuous", (1, c.num_continuous), fill="uniform:-1:1"))
        wrapper = CodeInputs if c.num_continuous else CategoryInputs
        module = wrapper(self.generator, c.num_categories, c.noise_std)
        return ExportSpec(module, tuple(inputs))

    def preprocessing(self) -> dict[str, Any]:
        c = self.config
        return {**super().preprocessing(), "channels": c.channels, "image_size": c.image_size,
                "conditioning": {"category": {"num_categories": c.num_categories},
                                 "continuous": {"num_continuous": c.num_continuous,
                                                "prior": [-1.0, 1.0]}}}
