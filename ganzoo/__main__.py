"""``python -m ganzoo`` is the ``ganzoo`` command."""

from .cli import main

main()
