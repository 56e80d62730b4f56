"""`python -m newsmill.spiders`: the same as `python -m newsmill.spiders.crawl`."""

import sys

from newsmill.spiders.crawl import main

sys.exit(main())
