"""What reaches the terminal: never a raw control sequence from a file name or a document.

A file named `\x1b]0;owned\x07report.pdf`, or a PDF whose title holds `\x1b[2J`, would otherwise
retitle or clear the librarian's terminal when its name or title is printed. Every line the
command writes goes through `printable`: control characters (C0 and C1, so ESC and the 8-bit CSI)
and the Unicode bidirectional overrides, which can make a name read backwards, are shown as
`\\uXXXX` (also a valid JSON escape, so `--json` output stays JSON).
"""

from __future__ import annotations

import logging
import re
from typing import Any, TextIO

# C0 but tab, newline and carriage return; DEL and C1; the bidirectional marks and overrides
_UNSAFE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_WITH_RETURN = re.compile(f"[{_UNSAFE}\r]")
_KEEPING_RETURN = re.compile(f"[{_UNSAFE}]")


def printable(text: str, *, keep_return: bool = False) -> str:
    r"""`text` with every control character written out as `\uXXXX`; tabs and newlines kept
    (and carriage returns when `keep_return`: progress bars redraw with them).

    >>> printable("report\x1b[31m.pdf")
    'report\\u001b[31m.pdf'
    """
    pattern = _KEEPING_RETURN if keep_return else _WITH_RETURN
    return pattern.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def one_line(text: str) -> str:
    r"""`text` for one cell of a table: `printable`, and newlines and tabs written out too, so a
    file name cannot forge a line of its own.

    >>> one_line("a\n  added  fake.pdf")
    'a\\u000a  added  fake.pdf'
    """
    return printable(text).replace("\n", "\\u000a").replace("\t", "\\u0009")


class PrintableStream:
    """A text stream that passes everything written through `printable`."""

    def __init__(self, stream: TextIO, *, keep_return: bool = False) -> None:
        self.stream = stream
        self.keep_return = keep_return

    def write(self, text: str) -> int:
        self.stream.write(printable(text, keep_return=self.keep_return))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, encoding...
        return getattr(self.stream, name)


class PrintableFormatter(logging.Formatter):
    """Log lines name files too: the same rule for them."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))
