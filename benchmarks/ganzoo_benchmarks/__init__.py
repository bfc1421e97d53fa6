"""The code behind ganzoo's benchmarks, importable and tested.

Each command in ``benchmarks/`` (and ``tools/train_zoo.py``, which scores a retrained zoo model
exactly like a benchmark run) is a thin layer over these modules:

* `photos`: the bundled photos (no downloads) and the translation benchmark's photo splits.
* `colour_grades`: the hidden colour grades of the CycleGAN task (day for night, rotation).
* `colour_transport`: colour statistics of photo collections and a network-free colour matcher.
* `image_scores`: PSNR, SSIM and sharpness ratio of translated photos against the truth.
* `budget_training`: training through the one Trainer within a CPU-time budget.
* `translation_tasks`: the deblur (pix2pix) and colour-grade (CycleGAN) tasks.
* `grade_diagnostics`: the runs that locate what limits the colour-grade score.
* `super_resolution_eval`, `super_resolution_training`, `super_resolution_timing`: the ×4
  benchmark's photos and Y-channel scores, its training runs, its inference timing.
* `plain_resnet9`: CycleGAN's ResNet-9 in plain PyTorch, the speed benchmark's reference.
* `timing`: interleaved and alternating timers, process timing, the matmul peak.
* `recipe_runs`: training runs with exactly the settings ``ganzoo train`` resolves, and
  CPU-time budgets for them.
* `digits_training`: the digits benchmark's training split and recipe runs.
* `small_photo_set`: the small-data benchmark's photo crops (training sets and held-out
  reference).
* `mode_collapse_runs`: the mode-collapse benchmark's runs and table.
* `zoo_recipes`, `zoo_data`, `zoo_scoring`: the shipped models' recipes, their training data and
  their scoring.

Experiment logs and tables live in ``docs/experiments/`` and ``benchmarks/results/``.
"""
