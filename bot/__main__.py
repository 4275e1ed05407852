"""`python -m bot` is the same as the `newsbot` console script."""

import sys

from bot.cli import main

if __name__ == "__main__":  # not when a worker process imports it (usecases.parsing)
    sys.exit(main())
