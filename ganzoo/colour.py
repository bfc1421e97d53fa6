"""ITU-R BT.601 colour weights: the one place the project defines luma and chroma.

Gray conversion (Pillow's ``convert("L")``), the SR literature's Y channel (``16 + 219·luma`` in
[16, 235], MATLAB ``rgb2ycbcr``) and luma-weighted losses all derive from these numbers. Plain
tuples, so modules that must not import torch or numpy can use them.
"""

from __future__ import annotations

#: Luma Y' from R'G'B' in [0, 1].
LUMA = (0.299, 0.587, 0.114)
#: Full-range (JPEG) chroma: Cb and Cr from R'G'B' in [0, 1], without the 0.5 offset.
CHROMA = ((-0.168736, -0.331264, 0.5), (0.5, -0.418688, -0.081312))
#: Studio-range scale of Y (``16 + 219·luma``), the SR literature's PSNR/SSIM channel.
STUDIO_LUMA_SCALE = 219.0
