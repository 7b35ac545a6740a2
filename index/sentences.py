"""Sentence boundaries in English report prose, tuned for UK social care and government text."""

from __future__ import annotations

import re

# Abbreviations that precede a name or phrase: a full stop after them never ends a sentence
# ("Dr. Khan", "e.g. kinship care", "R v. Smith", "(ed.) Social Work").
_TITLES = ("dr", "mr", "mrs", "ms", "prof", "st")
_LATIN = ("e.g", "i.e", "cf", "viz", "approx", "v", "vs", "ed", "eds")
_NEVER_FINAL = frozenset((*_TITLES, *_LATIN))
# Abbreviations that precede a number ("s. 47", "No. 3", "pp. 12-14") or may close a sentence
# ("etc.", "et al."): they end one only before a capitalised word ("the answer was no. The").
_REFERENCES = ("no", "nos", "para", "paras", "vol", "vols", "p", "pp", "fig", "figs")
_LEGAL = ("s", "ss", "art", "arts", "ch", "sch", "reg", "regs", "cl", "sec")
_MAYBE_FINAL = frozenset((*_REFERENCES, *_LEGAL, "etc", "al", "ltd", "co", "inc"))

# A run of terminal punctuation with any closing quotes or brackets, then whitespace or the end.
_TERMINAL = re.compile(r"(?<![.?!…])(?P<punct>[.?!…]++)[\"'”’)\]]*(?=\s|$)")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
_BULLET_LINE = re.compile(r"(?<=\n)[ \t]*(?P<bullet>[-•*–▪◦●]|\d{1,2}[.)]|\([a-z0-9]{1,4}\))[ \t]")
_NEXT_VISIBLE = re.compile(r"\s*(\S)")
_LIST_NUMBER = re.compile(r"\(?(\d+(\.\d+)*|[a-z]|[ivx]+)\)?")
_UPPERCASE_INITIAL = re.compile(r"[A-Z]")
_DOTTED_ABBREVIATION = re.compile(r"([A-Za-z]\.)+[A-Za-z]")


def _next_char(text: str, position: int) -> str:
    """The first non-whitespace character at or after `position`, or "" at the end."""
    match = _NEXT_VISIBLE.match(text, position)
    return match.group(1) if match else ""


def _word_start(text: str, position: int) -> int:
    """Where the run of non-whitespace ending at `position` begins."""
    while position > 0 and not text[position - 1].isspace():
        position -= 1
    return position


def _starts_line(text: str, position: int) -> bool:
    """Whether only spaces or tabs lie between the previous line break (or the start) and here."""
    while position > 0 and text[position - 1] in " \t":
        position -= 1
    return position == 0 or text[position - 1] == "\n"


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    """Whether the terminal punctuation in `match` closes a sentence."""
    punct = match.group("punct")
    following = _next_char(text, match.end())
    if not following:
        return True
    if following.islower():
        return False  # "approx. half", '"Why?" she asked': sentences do not start in lower case
    if "?" in punct or "!" in punct:
        return True
    word_start = _word_start(text, match.start())
    token = text[word_start : match.start()].lstrip("\"'“‘([")
    lowered = token.lower()
    if lowered in _NEVER_FINAL and punct == ".":
        return False
    if lowered in _MAYBE_FINAL and punct == ".":
        return following.isupper()
    if match.end("punct") < match.end():
        return True  # 'she said "no." Then': a closing quote or bracket follows the stop
    if punct != ".":
        return following.isupper() or following in "\"'“‘(["  # an ellipsis mid-sentence
    if _UPPERCASE_INITIAL.fullmatch(token) or _DOTTED_ABBREVIATION.fullmatch(token):
        return following.isupper() and len(token) > 1  # "J. Smith" no, "U.K. The" yes
    # "1. Introduction" or "2.3. Local authorities" at the start of a line is a list number.
    return not (_LIST_NUMBER.fullmatch(token) and _starts_line(text, word_start))


def _cut_points(text: str) -> list[int]:
    """Offsets where one sentence may end and the next begin, sorted."""
    cuts = {m.end() for m in _TERMINAL.finditer(text) if _ends_sentence(text, m)}
    cuts.update(m.start() for m in _PARAGRAPH_BREAK.finditer(text))
    cuts.update(m.start("bullet") for m in _BULLET_LINE.finditer(text))
    cuts.add(len(text))
    return sorted(cuts)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split text into sentences, returned as (start, end) offsets without surrounding whitespace.

    Every non-whitespace character lies in exactly one sentence. A blank line always ends a
    sentence and a bulleted or numbered line ("- ", "• ", "2. ", "(a) ") always starts one.

    Example:
        >>> text = "See s. 17 of the Act, e.g. para. 2.3. It applies."
        >>> [text[s:e] for s, e in split_sentences(text)]
        ['See s. 17 of the Act, e.g. para. 2.3.', 'It applies.']
    """
    sentences: list[tuple[int, int]] = []
    start = 0
    for cut in _cut_points(text):
        piece = text[start:cut]
        stripped = piece.strip()
        if stripped:
            offset = start + len(piece) - len(piece.lstrip())
            sentences.append((offset, offset + len(stripped)))
        start = cut
    return sentences
