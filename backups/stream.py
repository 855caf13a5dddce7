"""Reading an export as a stream: one value at a time, never the whole file in memory.

An export can be larger than the memory of the machine that imports it; ``json.load`` would hold
it all. This reader walks the top-level object and the arrays of rows value by value, and refuses
a file cut short, malformed, or nesting deeper than an export ever does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TextIO


class DataFileError(Exception):
    """The file cannot be imported, or the database cannot take it; nothing was written."""


#: The deepest a value of the file (a header field, a row, the counts) may nest arrays and
#: objects. An export's rows nest 4 deep at most (a row, its fields, a list of permissions each
#: named by a list); nothing that reads a row need then walk a deep structure.
MAX_DEPTH = 32


_WHITESPACE = re.compile(r"[ \t\n\r]*")


class JSONStream:
    """Reads the export's JSON one value at a time: the envelope by hand, each row whole."""

    chunk = 1 << 16

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.buffer = ""
        self.pos = 0
        self.dropped = 0  # characters read and dropped from the buffer
        self.eof = False
        self.decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = self.stream.read(self.chunk)
        except UnicodeDecodeError as error:
            raise DataFileError(f"The file is not UTF-8 text: {error}.") from None
        if not chunk:
            self.eof = True
            return False
        if self.pos:
            self.dropped += self.pos
            self.buffer = self.buffer[self.pos :]
            self.pos = 0
        self.buffer += chunk
        return True

    @staticmethod
    def truncated() -> DataFileError:
        return DataFileError(
            "The file ends too early: it is truncated (an interrupted export or copy?)."
        )

    def error(self, what: str) -> DataFileError:
        if self.eof and self.pos >= len(self.buffer):
            return self.truncated()
        return DataFileError(f"The file is not a valid export: {what} at character {self.where}.")

    @property
    def where(self) -> int:
        return self.dropped + self.pos

    def peek(self) -> str:
        """The next character that is not white space; "" at the end of the file."""
        while True:
            self.pos = _WHITESPACE.match(self.buffer, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._fill():
                return ""

    def expect(self, char: str, what: str) -> None:
        if self.peek() != char:
            raise self.error(f"{what} expected")
        self.pos += 1

    def next_is(self, char: str) -> bool:
        if self.peek() == char:
            self.pos += 1
            return True
        return False

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except RecursionError:
                # The decoder recurses once per level: this value nests some thousand deep.
                raise self.too_deep() from None
            except json.JSONDecodeError as error:
                if self._fill():
                    continue
                if error.msg.startswith("Unterminated") or error.pos >= len(self.buffer.rstrip()):
                    raise self.truncated() from None
                raise DataFileError(
                    f"The file is not valid JSON: {error.msg} at character "
                    f"{self.dropped + error.pos}."
                ) from None
            # A number at the end of the buffer may go on in the next chunk.
            if end == len(self.buffer) and self._fill():
                continue
            if _nests_deeper(value, MAX_DEPTH):
                raise self.too_deep()
            self.pos = end
            return value

    def too_deep(self) -> DataFileError:
        return DataFileError(
            f"The file is not a valid export: the value at character {self.where} has arrays "
            f"and objects nested more than {MAX_DEPTH} deep."
        )

    def string(self, what: str) -> str:
        if self.peek() != '"':
            raise self.error(f"{what} expected")
        return self.value()

    def items(self, what: str) -> Iterator[str]:
        """The keys of an object, leaving the reader before each value."""
        self.expect("{", f"an object of {what}")
        if self.next_is("}"):
            return
        while True:
            key = self.string(f"a key of {what}")
            self.expect(":", "':'")
            yield key
            if self.next_is(","):
                continue
            self.expect("}", f"',' or '}}' after a value of {what}")
            return

    def elements(self, what: str) -> Iterator[Any]:
        self.expect("[", f"a list of {what}")
        if self.next_is("]"):
            return
        while True:
            yield self.value()
            if self.next_is(","):
                continue
            self.expect("]", f"',' or ']' after {what}")
            return

    def end(self) -> None:
        if self.peek() != "":
            raise self.error("more data after the end of the export")


def _nests_deeper(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists and dicts more than ``limit`` deep (level by level, without
    recursing: a row has few containers, so this costs little beside decoding it)."""
    level = [value] if isinstance(value, (dict, list)) else []
    for _depth in range(limit):
        inner = []
        for item in level:
            children = item.values() if isinstance(item, dict) else item
            inner += [child for child in children if isinstance(child, (dict, list))]
        if not inner:
            return False
        level = inner
    return True
