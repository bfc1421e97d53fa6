"""Content losses: pixel L1/MSE and the feature loss with extractor weights from safetensors."""

import pytest
import torch
from safetensors.torch import save_file

from ganzoo.errors import GanzooError
from ganzoo_srgan.perceptual import (FeatureLoss, build_vgg_features, load_feature_extractor,
                                      pixel_loss, vgg_layer_names)


@pytest.fixture(scope="module")
def vgg_file(tmp_path_factory):
    """A torchvision-layout VGG19 ``features`` file (random weights, plus a classifier key as a
    full torchvision state dict would have)."""
    torch.manual_seed(0)
    network = build_vgg_features("vgg19", "relu5_4")
    tensors = {f"features.{k}": v.contiguous() for k, v in network.state_dict().items()}
    tensors["classifier.0.weight"] = torch.zeros(4, 4)
    path = tmp_path_factory.mktemp("vgg") / "vgg19.safetensors"
    save_file(tensors, str(path))
    return path, network


def test_pixel_losses():
    a, b = torch.zeros(1, 3, 4, 4), torch.full((1, 3, 4, 4), 0.5)
    assert float(pixel_loss(a, b, "l1")) == pytest.approx(0.5)
    assert float(pixel_loss(a, b, "mse")) == pytest.approx(0.25)
    with pytest.raises(GanzooError, match="l1 or mse"):
        pixel_loss(a, b, "l3")


def test_pixel_losses_weighted_by_luma_and_chroma():
    gray, black = torch.full((1, 3, 2, 2), 0.5), torch.zeros(1, 3, 2, 2)
    # A gray error is all luma: the same as in RGB, whatever the chroma weight.
    assert float(pixel_loss(gray, black, "l1", chroma_weight=0.0)) == pytest.approx(0.5)
    red = torch.zeros(1, 3, 2, 2)
    red[:, 0] = 0.2
    # Y = 0.299 * 0.2, Cb = -0.168736 * 0.2, Cr = 0.5 * 0.2 (BT.601, full range).
    y, cb, cr = 0.0598, 0.0337472, 0.1
    assert float(pixel_loss(red, black, "l1", 0.25)) == pytest.approx(y + 0.25 * (cb + cr) / 2)
    assert float(pixel_loss(red, black, "mse", 0.25)) == pytest.approx(
        y ** 2 + 0.25 * (cb ** 2 + cr ** 2) / 2)
    # Gray images have no chroma: the weight is ignored.
    assert float(pixel_loss(red[:, :1], black[:, :1], "l1", 0.25)) == pytest.approx(0.2)


def test_vgg_layout_matches_torchvision_indices():
    names = vgg_layer_names("vgg19")
    # torchvision's vgg19().features: index 34 is conv5_4, 35 its ReLU, 36 the last pool.
    assert names[34] == "conv5_4" and names[35] == "relu5_4" and names[36] == "pool5"
    assert vgg_layer_names("vgg16")[29] == "relu5_3"
    assert len(build_vgg_features("vgg19", "relu2_2")) == 9


def test_extractor_loads_weights_and_is_frozen(vgg_file):
    path, reference = vgg_file
    extractor = load_feature_extractor(str(path), "vgg19", "relu5_4")
    assert not extractor.training
    assert all(not p.requires_grad for p in extractor.parameters())
    x = torch.rand(1, 3, 32, 32)
    torch.testing.assert_close(extractor(x), reference(x))
    # A folder holding model.safetensors works too; a shallower layer needs fewer weights.
    folder = path.parent / "folder"
    folder.mkdir(exist_ok=True)
    (folder / "model.safetensors").write_bytes(path.read_bytes())
    shallow = load_feature_extractor(str(folder), "vgg19", "relu2_2")
    assert shallow(x).shape == (1, 128, 16, 16)


def test_feature_loss_is_zero_for_equal_images_and_gives_gradients(vgg_file):
    path, _ = vgg_file
    loss = FeatureLoss(load_feature_extractor(str(path), layer="relu3_4"), "mse", weight=2.0)
    target = torch.rand(2, 3, 24, 24)
    assert float(loss(target.clone(), target)) == 0.0
    prediction = (target + 0.1 * torch.randn_like(target)).requires_grad_(True)
    value = loss(prediction, target)
    assert float(value.detach()) > 0
    value.backward()
    assert prediction.grad is not None and prediction.grad.abs().sum() > 0
    gray = torch.rand(1, 1, 24, 24)
    assert float(loss(gray, gray)) == 0.0


def test_missing_or_wrong_weights_fail_clearly(vgg_file, tmp_path):
    path, _ = vgg_file
    with pytest.raises(GanzooError, match="not found"):
        load_feature_extractor(str(tmp_path / "absent.safetensors"))
    pickle = tmp_path / "vgg.pth"
    pickle.write_bytes(b"not really")
    with pytest.raises(GanzooError, match="must be .safetensors"):
        load_feature_extractor(str(pickle))
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(GanzooError, match="cannot read"):
        load_feature_extractor(str(broken))
    other = tmp_path / "other.safetensors"
    save_file({"features.0.weight": torch.zeros(8, 3, 3, 3)}, str(other))
    with pytest.raises(GanzooError, match="lacks"):
        load_feature_extractor(str(other))
    with pytest.raises(GanzooError, match="has no layer"):
        load_feature_extractor(str(path), layer="relu9_9")


def test_hub_weights_are_never_downloaded(tmp_path, monkeypatch):
    # An empty cache: the loader must not go to the network, and must say how to fetch.
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens: a download fails
    with pytest.raises(GanzooError, match="huggingface-cli download org/vgg19 model.safetensors"):
        load_feature_extractor("hf://org/vgg19@" + "a" * 40)


def test_srresnet_perceptual_content_loss_needs_weights(vgg_file):
    from ganzoo.building import build_model

    model = build_model("srresnet", {"blocks": 1, "features": 8, "content_loss": "perceptual"})
    hr = torch.rand(2, 3, 32, 32)
    with pytest.raises(GanzooError, match="perceptual_weights"):
        model.generator_step(hr)
    path, _ = vgg_file
    model = build_model("srresnet", {"blocks": 1, "features": 8, "content_loss": "perceptual",
                                     "perceptual_weights": str(path),
                                     "perceptual_layer": "relu2_2", "pixel_weight": 1.0})
    out = model.generator_step(hr)
    assert set(out.logs) == {"perceptual", "mse"} and out.loss.requires_grad
