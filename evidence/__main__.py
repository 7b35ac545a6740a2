"""Entry point of the `evidence` command: settings are built here, once, and passed down."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    # Models come from disk only; a locked-down council server has no route to a model hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from evidence.terminal import PrintableFormatter

    # Logs go to stderr in plain lines; pypdf's repairs of damaged files are noise to a librarian.
    handler = logging.StreamHandler()
    handler.setFormatter(PrintableFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    from evidence.cli import run

    return run(list(sys.argv[1:] if argv is None else argv), os.environ)


if __name__ == "__main__":
    sys.exit(main())
