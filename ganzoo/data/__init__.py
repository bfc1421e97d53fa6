"""Datasets, registered through the ``register_datasets`` hook and named on the command line as
``--data KIND[:ARG]`` (see `ganzoo.data.spec`). Importing this package does not import torch.

What the training engine may ask of a dataset (a batch at once, Config values the data implies,
reference points for previews, its own metrics) is declared by
`ganzoo.data.training_data.TrainingData`.
"""
