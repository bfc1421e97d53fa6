"""Core registrations: the losses, datasets and metrics that ship with ganzoo itself.

Registered through the same hooks as any plugin, so there is one lookup path for everything.
"""

from .hookspecs import hookimpl


@hookimpl
def register_losses(register):
    pass


@hookimpl
def register_datasets(register):
    pass


@hookimpl
def register_metrics(register):
    pass
