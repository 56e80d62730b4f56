"""Stage 1 after the fetch: one raw capture in, one article record (or a reason) out."""
