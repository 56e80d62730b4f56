"""Stage 2: URL identity, exact and near-duplicate detection, revisions (one index per store)."""
