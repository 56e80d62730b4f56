"""How long a text is, in words, in any script: the record's `word_count` and the length rules.

Splitting on spaces is right for scripts that put spaces between words (Latin, Cyrillic,
Greek, Arabic, Hebrew, Devanagari, Hangul: Korean spaces its words). It is wrong for the
scripts that do not:

- Chinese and Japanese (Han, Hiragana, Katakana): every character counts as one word, the
  convention of word processors and of CJK publishing, where length is given in characters.
  A Latin word or a number inside the text ("GDP", "2026") still counts once.
- Thai, Lao, Khmer and Myanmar write words together and put spaces between phrases. Without a
  dictionary the words cannot be found, so a run of letters counts one word per
  SEA_LETTERS_PER_WORD letters (rounded up): their words average four to five letters, and
  vowel signs and tone marks written above or below (combining marks) are not counted.

The counts agree with a space split on every text without these scripts.
"""

from __future__ import annotations

import re

import regex

# Characters that are each a word.
_EACH_A_WORD = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]")
# Letters of the scripts written without spaces between words; marks do not count.
_UNSPACED_LETTERS = regex.compile(r"[\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}&&\p{L}]", regex.V1)
SEA_LETTERS_PER_WORD = 4
# The Unicode blocks that hold every character of either kind (and some neighbours): a text
# with none is counted by a space split. A plain `re` range class, because a `regex` search for
# the script properties cost 90 microseconds a call, 3% of extraction (cProfile, 200 WCXB
# pages); a neighbour found by mistake only sends the text down the exact path below.
_ANY_UNSPACED = re.compile(
    "[\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f"  # Myanmar
    "\u1780-\u17ff\u19e0-\u19ff"  # Khmer
    "\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3038-\u303b"  # Han radicals, marks
    "\u3040-\u30ff\u31f0-\u31ff\u3200-\u33ff\uff66-\uff9f"  # Kana, enclosed, squared
    "\U000116d0-\U000116ef\U00016fe0-\U00016fff\U0001aff0-\U0001b16f\U0001f200"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]"  # Han
)


# Deleting every byte below 0xE0 from a text's UTF-8 leaves the lead bytes of its characters from
# U+0800 up, where all the characters above lie. The range search costs about 7 ns a character
# (0.62 ms for the 81 KB a page's body averages, which extraction counts for its recall test);
# the encoding and deletion, in C, 0.09 ms. Most pages then need no search: those whose
# characters beyond U+07FF are only punctuation, symbols and letterlike signs (U+2000-U+2E7F,
# lead byte 0xE2, as curly quotes and dashes are) are settled by one more bytes search.
_BELOW_U0800 = bytes(range(0xE0))
_FROM_U2E80 = re.compile(rb"\xe2[\xba-\xbf]")


def _may_hold_unspaced(text: str) -> bool:
    """False only when `text` holds no character of _ANY_UNSPACED."""
    utf8 = text.encode("utf-8", "surrogatepass")
    leads = utf8.translate(None, _BELOW_U0800)
    if not leads:
        return False
    if leads.count(b"\xe2") != len(leads):
        return True
    return _FROM_U2E80.search(utf8) is not None


def _token_words(token: str) -> int:
    each = len(_EACH_A_WORD.findall(token))
    letters = len(_UNSPACED_LETTERS.findall(token))
    if not each and not letters:
        return 1
    words = each + -(-letters // SEA_LETTERS_PER_WORD)
    # What is left of the token once those characters are gone ("GDP" in "GDP增长") is a word
    # of its own when it holds a letter or a digit.
    rest = _UNSPACED_LETTERS.sub(" ", _EACH_A_WORD.sub(" ", token))
    words += sum(1 for part in rest.split() if any(ch.isalnum() for ch in part))
    return words


def count_words(text: str) -> int:
    """The number of words in `text` (see the module docstring)."""
    tokens = text.split()
    if text.isascii():  # cheaper than the search below, which it spares
        return len(tokens)
    # Most texts hold none of those scripts: then every token is one word, and one search of
    # the whole text spares two regex passes per token (a third of extraction's time).
    if not _may_hold_unspaced(text) or not _ANY_UNSPACED.search(text):
        return len(tokens)
    return sum(_token_words(token) for token in tokens)


def count_paragraph_words(paragraphs: list[str]) -> int:
    # One text, so one search for unspaced scripts rather than one per paragraph; tokens never
    # span a line break, so the count is the sum of the paragraphs'.
    return count_words("\n".join(paragraphs))
