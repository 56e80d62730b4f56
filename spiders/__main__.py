"""`python -m newsmill.spiders`: the same as `python -m newsmill.spiders.runner.process`."""

import sys

from newsmill.spiders.runner.process import main

sys.exit(main())
