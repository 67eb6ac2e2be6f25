"""Turn a session's messages into the text that was said."""

from __future__ import annotations

from .messages import ENDING_EVENTS, Event, EventResponse, ResultResponse, ServerMessage


def _is_cjk(char: str) -> bool:
    """Return True for characters of scripts written without spaces between words."""
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF  # CJK radicals, punctuation, kana, ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x3FFFF  # ideograph extensions
    )


def join_texts(texts: list[str]) -> str:
    """Join sentences: nothing between CJK text, one space between other words."""
    joined = ""
    for raw in texts:
        text = raw.strip()
        if not text:
            continue
        if joined and not (_is_cjk(joined[-1]) and _is_cjk(text[0])):
            joined += " "
        joined += text
    return joined


class Transcript:
    """Collect final segments in order and follow the interim ones.

    Interim results are kept per segment (by start time) until a final result
    covers them, so that the partial text never forgets an earlier sentence
    that is still waiting for its final result.
    """

    def __init__(self) -> None:
        """Start empty."""
        self.finals: list[str] = []
        self._interims: dict[int, str] = {}
        self.voice_ended = False
        self.silence_exceeded = False
        self.final_after_voice_end = False

    @property
    def text(self) -> str:
        """The final text so far."""
        return join_texts(self.finals)

    @property
    def interim(self) -> str:
        """The interim text not yet covered by a final result."""
        return join_texts([self._interims[start] for start in sorted(self._interims)])

    @property
    def partial_text(self) -> str:
        """Final text plus the interim results after it."""
        return join_texts([*self.finals, self.interim])

    @property
    def sentence_complete(self) -> bool:
        """True when the service has ended the sentence and delivered its result."""
        if self.silence_exceeded:
            return True
        return self.voice_ended and (self.final_after_voice_end or bool(self.finals))

    def add(self, message: ServerMessage) -> None:
        """Take one message into account."""
        if isinstance(message, ResultResponse):
            for segment in message.segments:
                if segment.is_final:
                    self.finals.append(segment.text or "")
                    self._interims = {
                        start: text
                        for start, text in self._interims.items()
                        if start >= max(segment.end_time, segment.start_time + 1)
                    }
                    if self.voice_ended:
                        self.final_after_voice_end = True
                else:
                    self._interims[segment.start_time] = segment.text or ""
        elif isinstance(message, EventResponse):
            if message.event == Event.EXCEEDED_SILENCE:
                self.silence_exceeded = True
            elif message.event in ENDING_EVENTS:
                self.voice_ended = True
