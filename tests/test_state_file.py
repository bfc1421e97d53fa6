"""Training state files round-trip exactly, without pickle."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from ganzoo.train.state_file import load_state, save_state


def test_optimizer_model_and_rng_state_round_trip(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.5, 0.99))
    model(torch.randn(8, 3)).sum().backward()
    optimizer.step()
    random.seed(3)
    np.random.seed(4)
    state = {
        "step": 7, "loss": 0.1 + 0.2, "name": "run", "none": None,
        "model": model.state_dict(), "optimizer": optimizer.state_dict(),
        "torch_rng": torch.get_rng_state(), "python_rng": random.getstate(),
        "numpy_rng": np.random.get_state(), "history": [{"d": 1.5}, {"d": float("inf")}],
    }
    path = tmp_path / "state.safetensors"
    save_state(state, path)
    assert b"pickle" not in path.read_bytes()[:64]
    back = load_state(path)

    assert back["step"] == 7 and back["loss"] == 0.1 + 0.2 and back["none"] is None
    assert back["history"] == [{"d": 1.5}, {"d": float("inf")}]
    for key, value in state["model"].items():
        assert torch.equal(back["model"][key], value) and back["model"][key].dtype == value.dtype
    assert back["optimizer"]["param_groups"] == state["optimizer"]["param_groups"]
    assert set(back["optimizer"]["state"]) == {0, 1, 2, 3}  # int keys come back as ints
    fresh = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.5, 0.99))
    fresh.load_state_dict(back["optimizer"])  # loadable as is

    random.setstate(back["python_rng"])
    assert random.random() == (random.seed(3), random.random())[1]
    np.random.set_state(back["numpy_rng"])
    expected = np.random.RandomState()
    expected.set_state(state["numpy_rng"])
    assert np.random.rand() == expected.rand()
    assert torch.equal(back["torch_rng"], state["torch_rng"])


def test_refuses_unknown_objects_and_foreign_files(tmp_path):
    with pytest.raises(TypeError, match="cannot store object"):
        save_state({"x": object()}, tmp_path / "a.safetensors")
    from safetensors.torch import save_file

    save_file({"w": torch.zeros(2)}, str(tmp_path / "plain.safetensors"))
    with pytest.raises(ValueError, match="not a ganzoo training state file"):
        load_state(tmp_path / "plain.safetensors")
