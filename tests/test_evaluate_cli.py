"""``ganzoo evaluate``: folders, models of every image task, the cache, errors, extractors.

Uses the test plugin's ``tiny-pool`` extractor (tests/tiny_extractor.py), a real 48-d network,
so these tests exercise everything but the Inception (test_fid_inception.py) in milliseconds.
"""

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image
from safetensors.numpy import load_file, save_file

from ganzoo.building import build_model
from ganzoo.cli import _add_core_commands, cli
from ganzoo.layout import save_pretrained
from ganzoo.metrics import reference_cache
from ganzoo.metrics.evaluation import evaluate
from ganzoo.metrics.extractors import extractor_names, load_extractor

_add_core_commands()


def run(*args):
    return CliRunner().invoke(cli, ["evaluate", *map(str, args), "--device", "cpu"])


def assert_same_report(report, expected):
    """Equal metrics (to float round-off; the CLI may pick other thread counts) and the same
    counts and extractor."""
    assert list(report) == list(expected)
    for key, value in expected.items():
        if key == "kid":
            assert report[key] == pytest.approx(value, rel=1e-6, abs=1e-12)
        elif isinstance(value, float):
            assert report[key] == pytest.approx(value, rel=1e-6, abs=1e-12), key
        else:
            assert report[key] == value, key


def write_images(folder, count, seed, size=(20, 16), mode="RGB"):
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        pixels = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
        Image.fromarray(pixels).convert(mode).save(folder / f"{i:03d}.png")
    return folder


@pytest.fixture
def folders(tmp_path):
    return write_images(tmp_path / "real", 12, 0), write_images(tmp_path / "fake", 10, 1,
                                                                  size=(9, 30), mode="L")


def test_json_holds_exactly_the_metrics_asked_for(tiny_extractor, folders):
    real, fake = folders
    everything = run("--real", real, "--fake", fake, "--metrics", "fid,kid,prdc", "--json",
                     "--extractor", "tiny-pool")
    assert everything.exit_code == 0, everything.output
    report = json.loads(everything.output)
    assert list(report) == ["fid", "kid", "precision", "recall", "density", "coverage",
                            "n_real", "n_fake", "extractor"]
    assert set(report["kid"]) == {"mean", "std"}
    assert report["n_real"] == 12 and report["n_fake"] == 10
    assert report["extractor"]["name"] == "tiny-pool" and len(report["extractor"]["sha256"]) == 64
    only_kid = json.loads(run("--real", real, "--fake", fake, "--metrics", "kid", "--json",
                              "--extractor", "tiny-pool").output)
    assert set(only_kid) == {"kid", "n_real", "n_fake", "extractor"}
    assert only_kid["kid"] == report["kid"]
    text = run("--real", real, "--fake", fake, "--extractor", "tiny-pool")
    assert text.exit_code == 0 and "FID" in text.output and "KID" in text.output


def test_the_cli_reports_what_the_python_api_computes(tiny_extractor, folders):
    real, fake = folders
    report = json.loads(run("--real", real, "--fake", fake, "--metrics", "fid,prdc", "--json",
                            "--extractor", "tiny-pool", "--no-cache").output)
    api = evaluate(str(real), str(fake), ["fid", "prdc"], extractor="tiny-pool", cache=False)
    assert_same_report(report, api)


def test_user_errors_are_one_line(tiny_extractor, folders, tmp_path):
    real, fake = folders
    cases = {
        ("--real", real): "--fake",
        ("--real", real, "--fake", fake, "--metrics", "fid,is"): "unknown metric 'is'",
        ("--real", real, "--fake", tmp_path / "nowhere"): "not a folder",
        ("--real", real, "--fake", write_images(tmp_path / "three", 3, 2), "--metrics", "prdc"):
            "needs at least 6 generated images",
        ("--real", real, "--fake", write_images(tmp_path / "one", 1, 2), "--metrics", "kid"):
            "KID needs at least 2 generated images",
        ("--real", real, "--fake", fake, "--extractor", "psnr"): "not a feature extractor",
        ("--real", real, "--fake", fake, "--extractor", "nope"): "unknown metric 'nope'",
        ("mymodel",): "--data",
        ("mymodel", "--data", "digits", "--real", real): "not both",
    }
    for args, message in cases.items():
        result = run(*args)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_an_unreadable_image_is_named(tiny_extractor, folders):
    real, fake = folders
    (fake / "broken.png").write_bytes(b"not a png")
    result = run("--real", real, "--fake", fake, "--extractor", "tiny-pool")
    assert result.exit_code != 0 and "broken.png" in result.output
    assert "Traceback" not in result.output


def test_reference_features_are_cached_by_content_and_extractor(tiny_extractor, folders,
                                                                 tmp_path, monkeypatch):
    monkeypatch.setenv("GANZOO_CACHE", str(tmp_path / "cache"))
    real, fake = folders
    args = ("--real", real, "--fake", fake, "--metrics", "fid", "--json", "--extractor",
            "tiny-pool")
    first = json.loads(run(*args).output)
    entries = list((tmp_path / "cache" / "reference-features").glob("*.safetensors"))
    assert len(entries) == 1
    # The next run reads the entry: doctor it, and the result follows the doctored statistics.
    tensors = load_file(str(entries[0]))
    assert tensors["count"][0] == 12 and tensors["features"].shape == (12, 48)
    tensors["features"] = tensors["features"] + 1.0  # the small-N FID path reads these
    save_file(tensors, str(entries[0]))
    assert json.loads(run(*args).output)["fid"] != pytest.approx(first["fid"])
    entries[0].write_bytes(b"damaged")  # a damaged entry is recomputed, never trusted
    assert json.loads(run(*args).output)["fid"] == pytest.approx(first["fid"])
    # New content, new key: computed afresh (and cached beside the old entry).
    write_images(real, 1, 9)  # overwrites 000.png with other pixels
    fresh = json.loads(run(*args).output)
    assert len(list((tmp_path / "cache" / "reference-features").glob("*.safetensors"))) == 2
    assert fresh["fid"] != pytest.approx(first["fid"])
    uncached = evaluate(str(real), str(fake), "fid", extractor="tiny-pool", cache=False)
    assert fresh["fid"] == pytest.approx(uncached["fid"])
    extractor = load_extractor("tiny-pool")
    assert reference_cache.cache_key("abc", extractor) != reference_cache.cache_key("abd",
                                                                                    extractor)


def test_plugins_can_add_extractors(tiny_extractor):
    assert {"inception-v3-fid", "tiny-pool"} <= set(extractor_names())
    result = CliRunner().invoke(cli, ["plugins"])
    assert "metric:tiny-pool" in result.output and "metric:inception-v3-fid" in result.output
    assert "metric:fid" in result.output and "metric:kid" in result.output


# ----- MODEL --data SPEC ------------------------------------------------------------------------

def test_noise_model_samples_are_scored_against_the_dataset(tiny_extractor, tmp_path):
    from ganzoo.data.digits import Digits

    torch.manual_seed(0)
    folder = save_pretrained(build_model("dcgan", {"ngf": 8, "ndf": 8, "latent_dim": 8}),
                             tmp_path / "dc")
    result = run(folder, "--data", "digits", "--n", 20, "--batch-size", 8, "--seed", 3,
                 "--metrics", "fid,kid,prdc", "--json", "--extractor", "tiny-pool")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["n_real"] == report["n_fake"] == 20
    # The same sets built by hand: the first 20 digits; samples in chunks of 8, seed 3 + chunk.
    from ganzoo import load

    model = load(str(folder))
    fake = torch.cat([model.sample(k, seed=3 + i) for i, k in enumerate((8, 8, 4))])
    real = torch.stack([Digits()[i][0] for i in range(20)])
    expected = evaluate(real, fake, ["fid", "kid", "prdc"], extractor="tiny-pool", seed=3)
    assert_same_report(report, expected)
    too_many = run(folder, "--data", "digits", "--n", 5000, "--extractor", "tiny-pool")
    assert too_many.exit_code != 0 and "holds only 1797" in too_many.output


def test_toy_models_are_refused(tiny_extractor, tmp_path):
    folder = save_pretrained(build_model("gan", {"hidden": 8, "layers": 1}), tmp_path / "toy")
    result = run(folder, "--data", "ring8", "--extractor", "tiny-pool")
    assert result.exit_code != 0 and "toy" in result.output


def _paired_folder(root, count=6):
    write_images(root / "A", count, 3, size=(32, 32))
    write_images(root / "B", count, 4, size=(32, 32))
    return root


@pytest.mark.parametrize("variant,values,spec", [
    ("pix2pix", {"netG": "resnet_6blocks", "ngf": 4, "ndf": 4, "image_size": 32}, "paired"),
    ("cyclegan", {"netG": "resnet_6blocks", "ngf": 4, "ndf": 4, "image_size": 32}, "unpaired"),
])
def test_image_to_image_models_translate_inputs_and_compare_with_targets(
        tiny_extractor, tmp_path, variant, values, spec):
    data = tmp_path / "data"
    if spec == "paired":
        _paired_folder(data)
    else:
        write_images(data / "trainA", 6, 3, size=(32, 32))
        write_images(data / "trainB", 6, 4, size=(32, 32))
    torch.manual_seed(0)
    model = build_model(variant, values)
    folder = save_pretrained(model, tmp_path / variant)
    result = run(folder, "--data", f"{spec}:{data}", "--metrics", "fid,kid", "--json",
                 "--extractor", "tiny-pool")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["n_real"] == report["n_fake"] == 6
    # By hand: targets are the B images; generated are translate(A).
    from ganzoo import load
    from ganzoo.metrics.model_sources import evaluation_dataset

    loaded = load(str(folder))
    dataset = evaluation_dataset(loaded, f"{spec}:{data}")
    items = [dataset[i] for i in range(6)]
    targets = torch.stack([item["B"] for item in items])
    outputs = loaded.translate(torch.stack([item["A"] for item in items]))
    assert_same_report(report, evaluate(targets, outputs, ["fid", "kid"], extractor="tiny-pool"))


def test_super_resolution_models_upscale_inputs_and_compare_with_targets(tiny_extractor,
                                                                         tmp_path):
    photos = write_images(tmp_path / "photos", 2, 5, size=(40, 40))
    torch.manual_seed(0)
    folder = save_pretrained(build_model("srresnet", {"blocks": 1, "features": 8,
                                                     "image_size": 16, "scale": 2}),
                             tmp_path / "sr")
    result = run(folder, "--data", f"sr:{photos}", "--n", 8, "--metrics", "kid", "--json",
                 "--extractor", "tiny-pool")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["n_real"] == report["n_fake"] == 8 and report["kid"]["std"] >= 0
