"""Datasets, registered through the ``register_datasets`` hook and named on the command line as
``--data KIND[:ARG]`` (see `ganzoo.data.spec`). Importing this package does not import torch.

A dataset may offer two optional extras the training engine uses:

* ``get_batch(indices)``: a whole batch at once (fast path for in-memory tensors);
* ``config_hints``: a dict of variant Config values implied by the data (``data_shape``,
  ``channels``, ``image_size``, ``num_classes``); ``ganzoo train`` applies those the variant's
  Config declares and the user did not set.
"""
