"""The record's `language`: declared codes normalised to ISO 639-1, checked by detection."""

from __future__ import annotations

from typing import Any

from newsmill.pipeline.extract.candidates import PageMetadata
from newsmill.pipeline.extract.whitespace import wordset

_ISO639_1 = wordset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da
    de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy
    hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg
    li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or
    os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta
    te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
    """
)
# Three-letter codes and names that pages put in lang attributes and feeds instead of 639-1.
_LANG_ALIASES = {
    "eng": "en", "english": "en", "fra": "fr", "fre": "fr", "french": "fr", "francais": "fr",
    "français": "fr", "deu": "de", "ger": "de", "german": "de", "deutsch": "de", "spa": "es",
    "spanish": "es", "español": "es", "ita": "it", "italian": "it", "por": "pt",
    "portuguese": "pt", "nld": "nl", "dut": "nl", "dutch": "nl", "rus": "ru", "russian": "ru",
    "zho": "zh", "chi": "zh", "chinese": "zh", "jpn": "ja", "japanese": "ja", "kor": "ko",
    "korean": "ko", "ara": "ar", "arabic": "ar", "pol": "pl", "polish": "pl", "swe": "sv",
    "swedish": "sv", "nor": "no", "nob": "nb", "nno": "nn", "norwegian": "no", "dan": "da",
    "danish": "da", "fin": "fi", "finnish": "fi", "tur": "tr", "turkish": "tr", "ces": "cs",
    "cze": "cs", "czech": "cs", "ell": "el", "gre": "el", "greek": "el", "heb": "he",
    "hebrew": "he", "hin": "hi", "hindi": "hi", "ukr": "uk", "ukrainian": "uk", "hun": "hu",
    "hungarian": "hu", "ron": "ro", "rum": "ro", "romanian": "ro", "cat": "ca", "catalan": "ca",
    "ind": "id", "indonesian": "id", "vie": "vi", "vietnamese": "vi", "tha": "th", "thai": "th",
    "fas": "fa", "per": "fa", "persian": "fa", "urd": "ur", "urdu": "ur", "ben": "bn",
    "bengali": "bn", "msa": "ms", "may": "ms", "malay": "ms",
    # withdrawn ISO 639-1 codes still seen in the wild
    "iw": "he", "in": "id", "ji": "yi",
}  # fmt: skip


def normalise_language(value: str | None) -> str | None:
    """`en-GB`, `en_US`, `eng`, `English` -> `en`; None for unknown, `und`, `mul`, `x-default`."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-")
    if not code:
        return None
    first = code.split("-")[0].split(",")[0].strip()
    if first in _ISO639_1:
        return first
    return _LANG_ALIASES.get(first) or _LANG_ALIASES.get(code)


_identifier: Any = None


def unload_model() -> None:
    """Drop this process's copy of the identifier's model (74 MB; loaded again when needed)."""
    global _identifier
    _identifier = None


def detect_language(text: str) -> tuple[str | None, float]:
    """(ISO 639-1 code, probability) from py3langid; (None, 0.0) when it cannot tell."""
    global _identifier
    if _identifier is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    # The first 1,500 characters (some 250 words) decide as well as the whole text: py3langid's
    # cost grows with the text, and at 4,000 characters it was 4% of extraction's CPU.
    lang, prob = _identifier.classify(text[:1500])
    return normalise_language(lang), float(prob)


def choose_language(
    meta: PageMetadata,
    hints: dict[str, Any],
    text: str,
    words: int,
    language_hint: str | None,
) -> str | None:
    """The page's declared language (markup, then feed entry), unless a confident detector
    disagrees on a long text; with none declared, the detected one, then the site's hint."""
    declared = next(
        (code for c in meta.languages if (code := normalise_language(c.value))), None
    ) or normalise_language(str(hints.get("language") or "") or None)
    if declared:
        # Templates keep lang="en" on pages in other languages; on a long text a confident
        # detector is the better witness. A short one keeps its declaration unasked.
        detected, prob = detect_language(text) if words >= 50 else (None, 0.0)
        if detected and detected != declared and prob >= 0.98:
            return detected
        return declared
    detected, prob = detect_language(text) if words >= 10 else (None, 0.0)
    if detected and (prob >= 0.6 or words >= 80):
        return detected
    return normalise_language(language_hint)
