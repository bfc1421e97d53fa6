"""Evaluation metrics, registered through the ``register_metrics`` hook.

Submodules are imported on use (``ganzoo.metrics.modes``, ...), never here, so importing this
package stays cheap.
"""
