"""User-facing errors.

Every error a user can cause (bad input, missing plugin, tampered weights) is a `GanzooError`:
the CLI prints its message as one line and exits non-zero, without a traceback unless
`--debug`. Messages say what went wrong *and* what to do about it.
"""


class GanzooError(Exception):
    """An error caused by input the user can fix; the message names the fix."""


class PluginError(GanzooError):
    """A plugin could not be loaded, or two plugins claim one name."""


class RegistryError(GanzooError):
    """A registry file is not valid YAML or does not follow the schema."""


class UnknownNameError(GanzooError):
    """A variant, model, loss, dataset or metric name that nothing registered."""
