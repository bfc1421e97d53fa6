"""The core knows no variant: no module under ganzoo/ imports a first-party plugin or names a
first-party variant in its code. Docstrings and comments may mention papers and examples;
string literals (messages, help texts) only where the allow-list below says why."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import ganzoo

CORE = Path(ganzoo.__file__).parent
FIRST_PARTY_MODULES = re.compile(r"\bganzoo[_-](gan|cgan|infogan|pix2pix|cyclegan|srgan|r3gan)\b")
VARIANT_NAMES = re.compile(r"(?<![\w-])(dcgan|wgan-gp|cgan|infogan|pix2pix|cyclegan|srresnet|"
                           r"srgan|r3gan)(?![\w])", re.IGNORECASE)
#: (file relative to ganzoo/, name): why a string literal there may name a variant.
ALLOWED = {
    # --help examples a user copies: they name the zoo's models, as `ganzoo list` shows them.
    ("cli/sample.py", "cyclegan"): "help example",
    ("cli/sample.py", "cgan"): "help example",
    ("cli/publish.py", "dcgan"): "help example repo id (my-org/dcgan-digits)",
    ("cli/info.py", "dcgan"): "help: an alias hiding a variant of the same name",
    ("cli/info.py", "infogan"): "help example",
    ("cli/convert.py", "cyclegan"): "help: which official checkpoints the variants convert",
    ("cli/convert.py", "pix2pix"): "help: which official checkpoints the variants convert",
    ("cli/convert.py", "srresnet"): "help: which official checkpoints the variants convert",
    ("registry.py", "cyclegan"): "error message example of a variant name",
    # new-plugin scaffolds: the text says which published design each template follows, and
    # the image-to-image scaffold depends on the pix2pix plugin's U-Net (a plugin building on
    # another plugin, which third parties do the same way).
    ("cli/new_plugin.py", "pix2pix"): "scaffold summary and dependency",
    ("cli/new_plugin.py", "srgan"): "scaffold summary",
    # the registered loss is the WGAN-GP paper's penalty; it is generic (any critic uses it).
    ("builtins.py", "wgan-gp"): "loss summary names the paper",
    ("builtins.py", "r3gan"): "the r1+r2 summary names the paper that pairs them (R3GAN)",
    # plugin distribution names in messages
    ("cli/listing.py", "ganzoo-gan"): "an empty listing says how to install a first plugin",
    ("cli/new_plugin.py", "ganzoo-pix2pix"): "the image-to-image scaffold's dependency",
}


def code_strings(path: Path) -> list[tuple[int, str]]:
    """String literals that are not docstrings, with their line numbers."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                docstrings.add(body[0].value.lineno)
    strings = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING and token.start[0] not in docstrings:
            strings.append((token.start[0], token.string))
    return strings


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def violations(root: Path = CORE) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        for module in imported_modules(path):
            if FIRST_PARTY_MODULES.search(module.replace(".", " ")):
                found.append(f"{relative}: imports {module}")
        for line, text in code_strings(path):
            for match in VARIANT_NAMES.finditer(text):
                name = match.group(1).lower()
                if (relative, name) not in ALLOWED:
                    found.append(f"{relative}:{line}: string names variant '{name}': {text[:60]}")
            for match in FIRST_PARTY_MODULES.finditer(text):
                if (relative, match.group(0).replace("_", "-")) not in ALLOWED:
                    found.append(f"{relative}:{line}: string names the first-party plugin "
                                 f"{match.group(0)}: {text[:60]}")
    return found


def test_no_core_module_names_a_first_party_variant():
    assert violations() == []


def test_the_check_catches_a_variant_named_in_core_code(tmp_path):
    (tmp_path / "leak.py").write_text('"""Docstrings may say cyclegan."""\n'
                                      'from ganzoo_cgan.variant import CGAN\n'
                                      'FLAG = "--direction for cyclegan"\n')
    found = violations(tmp_path)
    assert any("imports ganzoo_cgan.variant" in v for v in found)
    assert any("names variant 'cyclegan'" in v and ":3:" in v for v in found)
    assert not any(":1:" in v for v in found)  # the docstring is allowed


def test_no_variant_family_module_is_left_in_core():
    moved = ["nets/resnet_generator.py", "nets/unet.py", "nets/reference_names.py",
             "nets/reference_checkpoint.py", "nets/translate_image.py", "nets/two_domain.py",
             "data/paired.py", "data/unpaired.py", "data/pair_transforms.py",
             "data/two_domain_images.py", "data/degrade.py", "losses/perceptual.py"]
    assert [m for m in moved if (CORE / m).exists()] == []
