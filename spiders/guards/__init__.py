"""Guards every request passes: SSRF/domain checks, per-run bounds, limits, size caps."""
