"""The Trainer on real variants and tiny data: determinism, bit-for-bit resume, n_critic,
outputs, NaN guard, LR decay, Ctrl-C, mixed precision."""

import json
import math
import os
import signal
import subprocess
import sys

import pytest
import torch

import ganzoo
from ganzoo.building import build_model
from ganzoo.data.toy import GaussianMixture, grid25, ring8
from ganzoo.train import TrainConfig, Trainer, TrainingDiverged
from ganzoo.train.checkpoint import checkpoint_path, load_checkpoint

SMALL = {"hidden": 32, "layers": 2}


def make(variant="gan", seed=0, **values):
    torch.manual_seed(seed)
    return build_model(variant, {**SMALL, **values})


def quick(**overrides):
    settings = dict(steps=12, batch_size=32, device="cpu", sample_every=0, checkpoint_every=0,
                    log_every=4, preview_count=16, threads=1)
    settings.update(overrides)
    return TrainConfig(**settings)


def states_equal(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_same_seed_gives_same_weights_and_other_seed_differs():
    data = ring8(points=2000)
    runs = []
    for seed in (3, 3, 4):
        trainer = Trainer(make(seed=seed), data, quick(seed=seed))
        trainer.fit()
        runs.append(trainer.final_model.state_dict())
    assert states_equal(runs[0], runs[1])
    assert not states_equal(runs[0], runs[2])


@pytest.mark.parametrize("variant,data,values", [("gan", ring8, {}), ("wgan-gp", grid25, {}),
                                                 ("gan", grid25, {"fused_adam": True})])
def test_resume_is_bit_for_bit(tmp_path, variant, data, values):
    dataset = data(points=3000)  # 3000 / 32 → epochs roll over inside the run
    straight = Trainer(make(variant, **values), dataset, quick(steps=16), out_dir=tmp_path / "a")
    straight.fit()

    half = Trainer(make(variant, **values), dataset, quick(steps=8), out_dir=tmp_path / "b")
    half.fit()
    assert load_checkpoint(checkpoint_path(tmp_path / "b"))["step"] == 8
    rest = Trainer(make(variant, seed=99, **values), dataset, quick(steps=16),
                   out_dir=tmp_path / "b")
    summary = rest.fit(resume=True)
    assert summary["steps"] == 16
    assert states_equal(straight.model.state_dict(), rest.model.state_dict())
    assert states_equal(straight.final_model.state_dict(), rest.final_model.state_dict())
    lines = (tmp_path / "b" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(x)["step"] for x in lines] == [4, 8, 12, 16]


def test_n_critic_runs_that_many_discriminator_updates_per_generator_update():
    model = make("wgan-gp", n_critic=5)
    trainer = Trainer(model, grid25(points=1000), quick(steps=3))
    trainer.fit()
    # Adam counts its own updates: 3 iterations → 15 critic steps, 3 generator steps.
    state = trainer_state(trainer)
    assert state["discriminator"] == 15 and state["generator"] == 3
    assert all(p.requires_grad for p in model.parameters())  # unfrozen after training


def trainer_state(trainer):
    return {role: int(next(iter(opt.state.values()))["step"])
            for role, opt in trainer.optimizers.items()}


def test_outputs_form_a_loadable_published_folder(tmp_path):
    out = tmp_path / "run"
    trainer = Trainer(make(), ring8(points=2000), quick(steps=10, sample_every=5), out_dir=out)
    trainer.fit()
    for name in ("config.json", "model.safetensors", "README.md", "samples.png", "losses.png",
                 "metrics.jsonl", "run.json", "checkpoints/last.safetensors", "samples/step_0000005.png",
                 "samples/step_0000010.png"):
        assert (out / name).is_file(), name
    loaded = ganzoo.load(str(out))
    # What is saved is the EMA generator, not the live one.
    assert torch.equal(loaded.generator.net[0].weight, trainer.final_model.generator.net[0].weight)
    assert not torch.equal(loaded.generator.net[0].weight, trainer.model.generator.net[0].weight)
    assert loaded.sample(100, seed=0).shape == (100, 2)
    run = json.loads((out / "run.json").read_text())
    assert run["steps"] == 10 and run["world_size"] == 1


def test_nan_loss_stops_with_clear_message_and_keeps_last_good_checkpoint(tmp_path):
    out = tmp_path / "run"
    Trainer(make(), ring8(points=1000), quick(steps=4, checkpoint_every=4), out_dir=out).fit()
    before = checkpoint_path(out).read_bytes()
    poisoned = ring8(points=1000)
    poisoned.points[:] = float("nan")  # corrupt data: D's loss on it is NaN
    with pytest.raises(TrainingDiverged, match=r"diverged at iteration 5: discriminator loss is "
                                               r"nan.*last good checkpoint .*last.safetensors is kept"):
        Trainer(make(), poisoned, quick(steps=8, checkpoint_every=1), out_dir=out).fit(resume=True)
    assert checkpoint_path(out).read_bytes() == before


def test_linear_lr_decay_reaches_zero_at_the_end():
    model = make(lr_g=1e-3, lr_d=1e-3)
    trainer = Trainer(model, ring8(points=1000), quick(steps=10, lr_decay_start=5))
    trainer.fit()
    for opt in trainer.optimizers.values():
        # lr at the last iteration (index 9): 1e-3 · (1 - (9 - 5) / (10 - 5)).
        assert opt.param_groups[0]["lr"] == pytest.approx(1e-3 * 0.2)


def test_ctrl_c_checkpoints_and_resume_finishes_identically(tmp_path):
    data = ring8(points=2000)
    model = make()
    original = model.generator_step
    calls = {"n": 0}

    def step_then_interrupt(batch):
        calls["n"] += 1
        if calls["n"] == 3:
            os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C delivers
        return original(batch)

    model.generator_step = step_then_interrupt
    out = tmp_path / "run"
    summary = Trainer(model, data, quick(steps=10), out_dir=out).fit()
    assert summary["interrupted"] and summary["steps"] == 3
    assert load_checkpoint(checkpoint_path(out))["step"] == 3
    assert (out / "model.safetensors").is_file()

    resumed = Trainer(make(), data, quick(steps=10), out_dir=out)
    resumed.fit(resume=True)
    straight = Trainer(make(), data, quick(steps=10))
    straight.fit()
    assert states_equal(straight.model.state_dict(), resumed.model.state_dict())


def test_bf16_autocast_trains_on_cpu():
    trainer = Trainer(make(), ring8(points=1000), quick(steps=4, precision="bf16"))
    summary = trainer.fit()
    losses = {k: v for k, v in summary["losses"].items() if k != "step"}
    assert losses and all(math.isfinite(v) for v in losses.values()), losses


@pytest.mark.parametrize("native_bf16", [True, False])
def test_auto_precision_is_bf16_exactly_where_the_cpu_has_native_bf16(tmp_path, monkeypatch,
                                                                     native_bf16):
    # The hardware check is patched where `auto` looks it up, so both outcomes run on any CPU
    # (bf16 arithmetic itself runs everywhere, emulated where the CPU lacks it).
    import ganzoo.train.precision

    monkeypatch.setattr(ganzoo.train.precision, "bf16_is_fast", lambda device: native_bf16)
    expected = "bf16" if native_bf16 else "fp32"
    other = "fp32" if expected == "bf16" else "bf16"
    out = tmp_path / "run"
    auto = Trainer(make(), ring8(points=1000), quick(steps=3, precision="auto"), out_dir=out)
    auto.fit()
    run = json.loads((out / "run.json").read_text())
    assert run["precision"] == expected and run["train_config"]["precision"] == "auto"
    weights = {}
    for precision in (expected, other):
        trainer = Trainer(make(), ring8(points=1000), quick(steps=3, precision=precision))
        trainer.fit()
        weights[precision] = trainer.model.state_dict()
    assert states_equal(auto.model.state_dict(), weights[expected])
    assert not states_equal(auto.model.state_dict(), weights[other])


def test_fp16_on_cpu_is_a_clear_error():
    from ganzoo.errors import GanzooError

    with pytest.raises(GanzooError, match="fp16 needs a CUDA device"):
        Trainer(make(), ring8(points=1000), quick(steps=2, precision="fp16")).fit()


def test_dataset_smaller_than_a_batch_is_a_clear_error():
    tiny = GaussianMixture(torch.zeros(1, 2), 0.1, size=5)
    from ganzoo.errors import GanzooError

    with pytest.raises(GanzooError, match="lower --batch-size"):
        Trainer(make(), tiny, quick(steps=2)).fit()


def _sr_pairs():
    from ganzoo_srgan.degrade import DegradedPairs
    image = torch.nn.functional.interpolate(torch.rand(1, 3, 6, 6, generator=torch.Generator().manual_seed(0)),
                                            size=(48, 48), mode="bicubic", align_corners=False)
    return DegradedPairs([image[0].clamp(0, 1)], scale=2, patch_size=16, length=64)


def _sr(seed=0):
    torch.manual_seed(seed)
    return build_model("srresnet", {"blocks": 1, "features": 8, "image_size": 16, "scale": 2})


def test_channels_last_trains_the_same_network_and_resumes_bit_for_bit(tmp_path):
    data = _sr_pairs()
    plain = Trainer(_sr(), data, quick(steps=8, batch_size=4))
    plain.fit()
    nhwc = Trainer(_sr(), data, quick(steps=8, batch_size=4, channels_last=True),
                   out_dir=tmp_path / "a")
    nhwc.fit()
    conv = next(p for p in nhwc.model.parameters() if p.dim() == 4)
    assert conv.is_contiguous(memory_format=torch.channels_last) and not conv.is_contiguous()
    # Same math in another memory order: equal up to float summation order, which Adam's
    # normalised steps amplify a little; so the runs must differ by far less than they trained.
    first = (plain.history[0], nhwc.history[0])
    assert first[0].keys() == first[1].keys()
    for key in first[0]:
        if key != "step":
            assert first[1][key] == pytest.approx(first[0][key], rel=1e-5)
    start = _sr().state_dict()
    a, b = plain.model.state_dict(), nhwc.model.state_dict()
    moved = sum(float((a[k].float() - start[k].float()).norm()) for k in start)
    apart = sum(float((a[k].float() - b[k].float()).norm()) for k in start)
    assert apart < 0.01 * moved  # measured: 5e-5
    # The saved folder is plain safetensors that loads and runs.
    upscaled = ganzoo.load(str(tmp_path / "a")).translate(torch.rand(1, 3, 8, 8))
    assert upscaled.shape == (1, 3, 16, 16)

    half = Trainer(_sr(), data, quick(steps=4, batch_size=4, channels_last=True, checkpoint_every=4),
                   out_dir=tmp_path / "b")
    half.fit()
    rest = Trainer(_sr(seed=5), data, quick(steps=8, batch_size=4, channels_last=True),
                   out_dir=tmp_path / "b")
    rest.fit(resume=True)
    assert states_equal(nhwc.model.state_dict(), rest.model.state_dict())


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs CPU affinity (Linux)")
def test_recipe_threads_are_capped_at_the_usable_cpus():
    """A recipe asking for 2 threads gets 1 in a process pinned to one CPU."""
    code = (
        "import os, torch\n"
        "os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})\n"
        "from ganzoo.building import build_model\n"
        "from ganzoo.data.toy import ring8\n"
        "from ganzoo.train import TrainConfig, Trainer\n"
        "model = build_model('gan', {'hidden': 8, 'layers': 1})\n"
        "config = TrainConfig(steps=1, batch_size=8, device='cpu', sample_every=0,\n"
        "                     checkpoint_every=0, threads=2)\n"
        "Trainer(model, ring8(points=64), config).fit()\n"
        "print(torch.get_num_threads())\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "1"


@pytest.mark.parametrize("stop_at", [6, 8])
def test_resumed_run_logs_the_rows_of_a_straight_run_and_sums_its_times(tmp_path, stop_at):
    """A run stopped mid-window (6: its last row is a partial one) or on a window boundary (8)
    and resumed logs exactly the straight run's metrics.jsonl rows, and its summary counts the
    time of both segments."""
    dataset = ring8(points=3000)
    straight = Trainer(make(), dataset, quick(steps=14), out_dir=tmp_path / "a")
    straight.fit()
    first = Trainer(make(), dataset, quick(steps=stop_at), out_dir=tmp_path / "b")
    first_summary = first.fit()
    rest = Trainer(make(seed=99), dataset, quick(steps=14), out_dir=tmp_path / "b")
    summary = rest.fit(resume=True)
    rows = [(tmp_path / d / "metrics.jsonl").read_text().splitlines() for d in ("a", "b")]
    assert [json.loads(x)["step"] for x in rows[0]] == [4, 8, 12, 14]
    assert rows[1] == rows[0]  # same steps, bit-identical averages
    assert summary["segment_steps"] == 14 - stop_at
    assert summary["wall_seconds"] > first_summary["wall_seconds"]
    assert summary["wall_seconds"] == pytest.approx(
        first_summary["wall_seconds"] + summary["segment_wall_seconds"], abs=1.0)
