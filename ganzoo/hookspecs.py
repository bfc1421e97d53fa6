"""The whole plugin surface of ganzoo.

A plugin is a pip distribution with an entry point in the group ``ganzoo`` pointing at a module
that implements some of these hooks with ``@ganzoo.hookimpl``. Every hook is register-callback
style: ganzoo calls the hook with a ``register`` function and the plugin calls it once per thing
it provides. Hooks are called once per process, the first time ganzoo needs the catalog
(``ganzoo list``, ``ganzoo.load``, ...). Keep hook bodies cheap: register metadata and *import
paths*, never import torch or build models here, so that ``ganzoo list`` stays fast.
"""

import pluggy

hookspec = pluggy.HookspecMarker("ganzoo")
hookimpl = pluggy.HookimplMarker("ganzoo")


@hookspec
def register_variants(register):
    """Register GAN variants.

    Call ``register(name, target, task=..., summary=..., **metadata)`` once per variant:

    - ``name``: what users type (``ganzoo train NAME``), lower-case, e.g. ``"cyclegan"``.
    - ``target``: lazy import path ``"module:Class"`` of a `ganzoo.GANModel` subclass; it is
      imported only when the variant is built, never while listing.
    - ``task``: one of ``unconditional``, ``conditional``, ``image-to-image``,
      ``super-resolution``, ``toy``.
    - ``summary``: one line shown by ``ganzoo list``.
    - optional metadata: ``paper`` (citation or URL), ``default_data`` (a dataset spec that
      ``ganzoo train NAME`` uses when ``--data`` is omitted).

    What the variant accepts at sampling time (``--cond`` keys) and which data it trains on are
    declared on its class (`ganzoo.GANModel.conditioning`, ``data_kinds``).
    """


@hookspec
def register_losses(register):
    """Register adversarial losses or regularizers.

    Call ``register(name, target, summary=...)``; ``target`` is ``"module:callable"``
    returning a `ganzoo.Loss` (adversarial losses) or a penalty callable. Variants select them
    by name through their config (e.g. ``--set loss=hinge``). A loss whose generator side
    compares fakes with real samples (relativistic) sets ``uses_real_scores = True`` and takes
    ``generator(fake, real=...)``; variants call it through ``ganzoo.losses.generator_loss``.
    A penalty StyleGAN2 may apply lazily sets ``lazy = True`` on the callable.
    """


@hookspec
def register_datasets(register):
    """Register dataset kinds usable as ``ganzoo train ... --data KIND[:ARG]``.

    Call ``register(name, target, summary=...)``; ``target`` is ``"module:factory"``, called as
    ``factory(arg, **options)`` where ``arg`` is the text after ``KIND:`` (or ``None``) and
    ``options`` come from the variant's ``data_options`` (e.g. ``image_size``, ``channels``;
    accept and ignore the ones you do not use). Return a ``torch.utils.data.Dataset``; subclass
    `ganzoo.data.training_data.TrainingData` to batch at once, hint Config values, give preview
    reference points or score the final model.
    A dataset whose items are random (crops, flips) derives
    `ganzoo.data.item_rng.RandomItems` and draws from ``self.item_rng(index)``, never from the
    global RNG: items are then a pure function of (seed, epoch, rank, index) and resume stays
    bit for bit.
    """


@hookspec
def register_metrics(register):
    """Register evaluation metrics.

    Call ``register(name, target, summary=...)``; ``target`` is ``"module:callable"``. Users
    and benchmarks find it by name: ``get_catalog().get("metric", name).load()``.

    With ``kind="feature-extractor"`` the entry is a feature extractor for FID, KID and
    precision/recall (``ganzoo evaluate --extractor NAME``): ``target`` is a factory
    ``factory(device) -> ganzoo.metrics.extractors.FeatureExtractor`` (see that module).
    """


@hookspec
def register_pretrained(register):
    """Contribute pretrained-model entries to the registry.

    Call ``register(path)`` with the path of a YAML file in the registry format (see
    ``registry.yaml``); typically a file shipped inside the plugin's package, found with
    ``importlib.resources``. Entries are merged after the shipped registry and before the user's
    registries, so users can still override them.
    """


@hookspec
def register_commands(cli):
    """Add CLI commands.

    ``cli`` is the top-level click group; call ``cli.add_command(command)``. Import heavy
    modules inside the command body, not at module level, to keep ``ganzoo --help`` fast.
    """
