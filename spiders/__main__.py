"""`python -m spiders`: the same as `python -m spiders.crawl`."""

import sys

from spiders.crawl import main

sys.exit(main())
