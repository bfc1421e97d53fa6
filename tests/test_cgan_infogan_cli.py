"""``ganzoo train cgan|infogan --data digits`` then ``ganzoo sample`` from the trained folder,
with no flags that must match training, and one-line errors for bad conditioning."""

import json

import pytest
from click.testing import CliRunner
from PIL import Image

from ganzoo.cli import _add_core_commands, cli

_add_core_commands()


def run(*args):
    return CliRunner().invoke(cli, [*map(str, args)])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Both variants trained for a few real iterations through the CLI."""
    root = tmp_path_factory.mktemp("runs")
    folders = {}
    for variant in ("cgan", "infogan"):
        out = root / variant
        result = run("train", variant, "--data", "digits", "--steps", 4, "--batch-size", 16,
                     "--set", "threads=1", "--set", "checkpoint_every=0", "--out", out)
        assert result.exit_code == 0, result.output
        folders[variant] = out
    return folders


def grid_shape(path):
    return Image.open(path).size


def test_trained_folders_describe_their_conditioning(trained):
    cgan = json.loads((trained["cgan"] / "config.json").read_text())
    assert cgan["variant"] == "cgan" and cgan["config"]["num_classes"] == 10
    infogan = json.loads((trained["infogan"] / "config.json").read_text())
    assert infogan["config"]["num_categories"] == 10 and infogan["config"]["num_continuous"] == 2
    assert (trained["infogan"] / "traversal.png").is_file()


def test_cgan_sample_label_and_class_by_row_grid(trained, tmp_path):
    result = run("sample", trained["cgan"], "--cond", "label=3", "--n", 16, "--out", tmp_path / "3.png")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "3.png").is_file()
    result = run("sample", trained["cgan"], "--out", tmp_path / "grid.png")
    assert result.exit_code == 0, result.output
    width, height = grid_shape(tmp_path / "grid.png")
    assert height > width * 0.8  # ten class rows: about as tall as wide


def test_infogan_sample_codes_and_traversal(trained, tmp_path):
    result = run("sample", trained["infogan"], "--cond", "category=2", "--cond", "continuous=0.5,-1",
                 "--n", 8, "--out", tmp_path / "c2.png")
    assert result.exit_code == 0, result.output
    result = run("sample", trained["infogan"], "--out", tmp_path / "traversal.png")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("variant,args,message", [
    ("cgan", ["--cond", "label=12"], "label 12 is outside the trained classes 0-9"),
    ("infogan", ["--cond", "category=11"], "category 11 is out of range"),
    ("infogan", ["--cond", "continuous=1"], "2 continuous code(s), got a vector of length 1"),
])
def test_bad_conditioning_is_a_one_line_error(trained, tmp_path, variant, args, message):
    result = run("sample", trained[variant], *args, "--out", tmp_path / "x.png")
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "x.png").exists()


def labelled_folder(root, classes=("ones", "sevens"), per_class=20):
    """Real digits written as PNG files, one sub-folder per class."""
    from sklearn.datasets import load_digits

    data = load_digits()
    for name, digit in zip(classes, (1, 7)):
        (root / name).mkdir(parents=True)
        images = data.images[data.target == digit][:per_class]
        for i, image in enumerate(images):
            Image.fromarray((image / 16 * 255).astype("uint8")).save(root / name / f"{i}.png")
    return root


def test_labelled_folder_dataset_gives_classes_by_sorted_folder_name(tmp_path):
    from ganzoo_cgan.labelled_folder import labelled_folder as factory

    root = labelled_folder(tmp_path / "data")
    dataset = factory(str(root), image_size=8, channels=1)
    assert len(dataset) == 40 and dataset.class_names == ["ones", "sevens"]
    image, label = dataset[25]
    assert image.shape == (1, 8, 8) and int(label) == 1
    assert dataset.config_hints["num_classes"] == 2
    (tmp_path / "flat").mkdir()
    Image.new("L", (8, 8)).save(tmp_path / "flat" / "a.png")
    with pytest.raises(Exception, match="at least two"):
        factory(str(tmp_path / "flat"))


def test_cgan_on_a_labelled_folder_samples_by_class_name(tmp_path):
    root = labelled_folder(tmp_path / "data")
    out = tmp_path / "run"
    result = run("train", "cgan", "--data", f"labelled:{root}", "--steps", 3, "--batch-size", 8,
                 "--set", "threads=1", "--set", "checkpoint_every=0", "--out", out)
    assert result.exit_code == 0, result.output
    config = json.loads((out / "config.json").read_text())["config"]
    assert config["num_classes"] == 2 and config["class_names"] == ["ones", "sevens"]
    result = run("sample", out, "--cond", "label=sevens", "--n", 4, "--out", tmp_path / "7.png")
    assert result.exit_code == 0, result.output
    result = run("sample", out, "--cond", "label=2", "--out", tmp_path / "x.png")
    assert result.exit_code != 0 and "outside the trained classes 0-1" in result.output
