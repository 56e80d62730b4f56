"""How large a body gets once its Content-Encoding layers are undone, counted without keeping it.

The archive asks this before writing a response: a gzip bomb that was archived would be inflated
in full by whoever reads the WARC later. Each layer is decoded with the settings its own bytes
call for (a gzip or zlib header, or raw deflate), never the outer body's: a deflate layer inside
a gzip layer starts where the gzip layer's output starts.
"""

from __future__ import annotations

import zlib

_CHUNK = 64 * 1024
_GZIP = 16 + zlib.MAX_WBITS
# Deflate cannot make its output more than 1032 times its input (zlib's FAQ: the format's
# limit, reached by long runs of one byte; gzip members back to back each keep to it). So one
# layer whose compressed size times this stays within the limit cannot pass it, and is not
# inflated to find out: Scrapy inflates every such page once more right after, and this count
# was about 7% of the crawl's CPU on the 1,656 dev pages (py-spy), most pages being under the
# bound at the default 20 MB limit.
MAX_DEFLATE_RATIO = 1032


def _deflate_wbits(head: bytes) -> list[int]:
    """The decoder settings to try on a `deflate` layer, from its first two bytes: servers send
    zlib-wrapped and raw deflate under that name. A zlib header (CM=8, header checksum divisible
    by 31) can also open a raw stream by chance, so raw deflate is the fallback, as in Scrapy."""
    if len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0:
        return [zlib.MAX_WBITS, -zlib.MAX_WBITS]
    return [-zlib.MAX_WBITS]


class _TooLarge(Exception):
    def __init__(self, total: int):
        self.total = total


def _inflate(data: bytes, wbits: int, limit: int, keep: bool) -> bytes:
    """The layer's output (b'' unless `keep`); raises _TooLarge past `limit` and zlib.error
    on corrupt data. A gzip layer may be several members back to back, as Scrapy reads it."""
    total = 0
    out: list[bytes] = []
    buf = data
    while buf:
        d = zlib.decompressobj(wbits)
        while buf:
            piece = d.decompress(buf, _CHUNK)
            total += len(piece)
            if total > limit:
                raise _TooLarge(total)
            if keep:
                out.append(piece)
            buf = d.unconsumed_tail
            if d.eof:
                break
        if wbits != _GZIP or not d.eof:
            break
        buf = d.unused_data.lstrip(b"\0")  # gzip members may be padded with zeros
    return b"".join(out)


def decoded_size_exceeds(body: bytes, encodings: list[str], limit: int) -> int | None:
    """The decoded size reached if it goes over `limit` (counting stops there), else None.

    `encodings` are the Content-Encoding values in the order they were applied. Inflates in
    bounded steps, so a bomb costs CPU up to the limit and memory up to the limit for the inner
    layers of a layered encoding. Encodings not decoded here (br, zstd) are left to Scrapy's
    HttpCompressionMiddleware, which enforces DOWNLOAD_MAXSIZE while decoding too; so is a
    corrupt body, which that middleware reports.
    """
    if not limit:
        return None
    layers = [e.strip().lower() for e in encodings if e.strip()]
    layers = [e for e in layers if e != "identity"]
    if (len(layers) == 1 and layers[0] in ("gzip", "x-gzip", "deflate")
            and len(body) * MAX_DEFLATE_RATIO <= limit):
        return None
    data = body
    for i, enc in enumerate(reversed(layers)):
        if enc in ("gzip", "x-gzip"):
            tries = [_GZIP]
        elif enc == "deflate":
            tries = _deflate_wbits(data[:2])
        else:
            return None
        keep = i < len(layers) - 1  # the innermost layer's output is only counted
        for wbits in tries:
            try:
                data = _inflate(data, wbits, limit, keep)
                break
            except _TooLarge as big:
                return big.total
            except zlib.error:
                continue
        else:
            return None
    return None
