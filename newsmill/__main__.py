"""`python -m newsmill`: the same as the `newsmill` command."""

import sys

from newsmill.pipeline.app.cli import main

sys.exit(main())
