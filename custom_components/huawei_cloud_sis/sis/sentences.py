"""Cutting text that arrives in pieces into texts to synthesise, at sentence ends.

A reply is spoken sentence by sentence so that its first words need not wait
for its last. The cuts are made after sentence punctuation, Chinese or Latin,
with any closing quotes and the spaces that follow. A Latin full stop counts
only before a space (not in "3.14"), and every end is only taken once the next
character has arrived, so a closing quote is never split from its sentence.
A sentence longer than the voice takes is cut at its last comma, else at its
last space, else at the limit. Joined in order, the pieces are exactly the
text that was fed: nothing is lost or repeated.
"""

from __future__ import annotations

from typing import Final

from .voices import text_length

SENTENCE_ENDS: Final = frozenset("。！？!?…\n")  # noqa: RUF001
"""Characters that end a sentence wherever they stand."""
FULL_STOP: Final = "."
"""Ends a sentence only before a space (not in numbers, addresses or abbreviations)."""
CLAUSE_BREAKS: Final = frozenset("，、；：")  # noqa: RUF001
"""Chinese punctuation between clauses: a place to cut a long sentence."""
LATIN_CLAUSE_BREAKS: Final = frozenset(",;:")
"""Latin punctuation between clauses, when a space follows (not in "1,000")."""
CLOSING: Final = frozenset("\"'”’）)」』】》]}")  # noqa: RUF001
"""Closing quotes and brackets stay with the sentence they close."""
EAGER_CHARS: Final = 20
"""When nothing is being spoken, a clause of at least this many characters goes at once."""


def speakable(text: str) -> bool:
    """Whether a text has anything to say (a letter or a digit), not only punctuation."""
    return any(char.isalnum() for char in text)


class SentenceSplitter:
    """Collect text as it arrives and hand it out in pieces the voice can take.

    `feed` text, `take` the next piece (None while no piece is ready), and
    `finish` when the text is complete: `take` then also hands out the rest.
    """

    def __init__(self, max_chars: int, *, eager_chars: int = EAGER_CHARS) -> None:
        """Make pieces of at most `max_chars` characters (as `text_length` counts)."""
        if max_chars < 2:
            raise ValueError("A piece must be able to hold two characters")
        self.max_chars = max_chars
        self.eager_chars = eager_chars
        self._text = ""
        self._finished = False

    @property
    def pending(self) -> str:
        """The text received and not yet handed out."""
        return self._text

    @property
    def finished(self) -> bool:
        """True once the whole text was fed."""
        return self._finished

    def feed(self, text: str) -> None:
        """Add text that arrived."""
        if self._finished:
            raise RuntimeError("Text after the end")
        self._text += text

    def finish(self) -> None:
        """Mark the text complete."""
        self._finished = True

    def take(self, *, eager: bool = False) -> str | None:
        """Return the next piece, or None while no piece is ready.

        A piece is every complete sentence that fits; with `eager` (nothing is
        being spoken) a long enough clause is taken too, rather than waiting
        for the end of its sentence.
        """
        text = self._text
        if not text:
            return None
        stop = self._fit(text)
        cut = self._sentence_end(text, stop)
        if not cut and stop < len(text):
            cut = self._clause_end(text, stop, 1) or self._space_end(text, stop) or stop
        elif not cut and eager:
            cut = self._clause_end(text, stop, self.eager_chars)
        if not cut:
            return None
        self._text = text[cut:]
        return text[:cut]

    def _fit(self, text: str) -> int:
        """Return the length of the longest start of `text` within `max_chars`."""
        if text_length(text) <= self.max_chars:
            return len(text)
        used = 0
        for index, char in enumerate(text):
            used += text_length(char)
            if used > self.max_chars:
                return index
        raise AssertionError("unreachable")  # pragma: no cover

    def _after(self, text: str, index: int, stop: int) -> int:
        """Move past closing marks and spaces from `index`, but not beyond `stop`."""
        while index < stop and text[index] in CLOSING:
            index += 1
        while index < stop and text[index].isspace():
            index += 1
        return index

    def _sentence_end(self, text: str, stop: int) -> int:
        """Return the last sentence end within `stop` characters (0: none yet)."""
        found = 0
        index = 0
        size = len(text)
        while index < size:
            if text[index] not in SENTENCE_ENDS and text[index] != FULL_STOP:
                index += 1
                continue
            end = index
            while end < size and (text[end] in SENTENCE_ENDS or text[end] == FULL_STOP):
                end += 1
            only_stops = all(char == FULL_STOP for char in text[index:end])
            while end < size and text[end] in CLOSING:
                end += 1
            if end > stop:
                break
            if end == size:
                if self._finished:
                    found = end
                break
            if not only_stops or text[end].isspace():
                found = self._after(text, end, stop)
            index = end
        if self._finished and stop == size:
            return size
        return found

    def _clause_end(self, text: str, stop: int, least: int) -> int:
        """Return the end of the last clause within `stop`, if at least `least` long (else 0)."""
        for index in range(min(stop, len(text) - 1) - 1, -1, -1):
            char = text[index]
            if char in CLAUSE_BREAKS or (char in LATIN_CLAUSE_BREAKS and text[index + 1].isspace()):
                cut = self._after(text, index + 1, stop)
                return cut if text_length(text[:cut]) >= least else 0
        return 0

    def _space_end(self, text: str, stop: int) -> int:
        """Return the place after the last space within `stop` (0: none)."""
        for index in range(stop - 1, 0, -1):
            if text[index].isspace():
                return index + 1
        return 0
