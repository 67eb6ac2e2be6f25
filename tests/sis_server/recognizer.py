"""The emulated engine: voice activity detection and results for each mode."""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

from .config_rules import AUDIO_FORMATS
from .speech import decode_samples, samples_of

SHORT, CONTINUE, SENTENCE = "short-stream", "continue-stream", "sentence-stream"
SHORT_STREAM_GAP_MS = 500
"""Silence that separates sentences in short-stream mode (its VAD settings are ignored)."""


@dataclass(frozen=True, slots=True)
class Event:
    """An EVENT message to send."""

    event: str
    timestamp: int


@dataclass(frozen=True, slots=True)
class Result:
    """A RESULT message to send."""

    segments: list[dict[str, Any]]
    final: bool


type Output = Event | Result


class Recognizer:
    """Follow one session's audio and say what the service would send."""

    def __init__(self, mode: str, config: dict[str, Any], fallback_text: str) -> None:
        """Read the VAD settings of the START config."""
        self.mode = mode
        self.rate = AUDIO_FORMATS[config["audio_format"]]
        self.width = 2 if config["audio_format"].endswith("16bit") else 1
        self.pcm = config["audio_format"].startswith("pcm")
        self.interim = config.get("interim_results") == "yes"
        self.word_info = config.get("need_word_info") == "yes"
        self.fallback = fallback_text
        tail_ms = SHORT_STREAM_GAP_MS if mode == SHORT else config.get("vad_tail", 500)
        self.tail = self.rate * tail_ms // 1000
        self.head = self.rate * (config.get("vad_head", 10000) or 60000) // 1000
        self.max_len = self.rate * config.get("max_seconds", 30)
        self.position = 0
        self.current: array[int] | None = None
        self.current_start = 0
        self.silence = 0
        self.pending: list[dict[str, Any]] = []
        self.finished = False
        self.voice_started = False
        self._carry = b""

    def _ms(self, samples: int) -> int:
        return samples * 1000 // self.rate

    def _text(self, samples: array[int], *, final: bool) -> str:
        text = decode_samples(samples, self.rate, partial=not final)
        return self.fallback if text is None else text

    def _segment(self, samples: array[int], start: int, *, final: bool) -> dict[str, Any]:
        text = self._text(samples, final=final)
        begin, end = self._ms(start), self._ms(start + len(samples))
        result: dict[str, Any] = {"text": text, "score": 0.9 if final else 0.0}
        if self.word_info:
            words = text.split() or [text]
            step = (end - begin) // len(words)
            result["word_info"] = [
                {"start_time": begin + i * step, "end_time": begin + (i + 1) * step, "word": w}
                for i, w in enumerate(words)
            ]
        return {"start_time": begin, "end_time": end, "is_final": final, "result": result}

    def _complete(self, outputs: list[Output], completed: list[dict[str, Any]]) -> None:
        """The current sentence ended."""
        assert self.current is not None
        segment = self._segment(self.current, self.current_start, final=True)
        self.current = None
        self.silence = 0
        if self.mode == SHORT:
            self.pending.append(segment)
        elif self.mode == CONTINUE:
            completed.append(segment)
        else:
            outputs.append(Event("VOICE_END", segment["end_time"]))
            outputs.append(Result([segment], final=True))
            self.finished = True

    def feed(self, data: bytes) -> list[Output]:
        """Take one audio frame; return what the service sends because of it."""
        outputs: list[Output] = []
        if self.finished:
            return outputs
        if not self.pcm:
            self.position += len(data) // self.width
            if self.mode == SENTENCE and self.position >= self.head:
                outputs.append(Event("EXCEEDED_SILENCE", self._ms(self.position)))
                self.finished = True
            return outputs
        data, self._carry = self._carry + data, b""
        if len(data) % 2:
            data, self._carry = data[:-1], data[-1:]
        completed: list[dict[str, Any]] = []
        heard = False
        for sample in samples_of(data):
            if sample:
                heard = True
                if self.current is None:
                    self.current = array("h")
                    self.current_start = self.position
                    if self.mode == SENTENCE and not self.voice_started:
                        outputs.append(Event("VOICE_START", self._ms(self.position)))
                    self.voice_started = True
                elif self.silence:
                    self.current.extend([0] * self.silence)
                self.silence = 0
                self.current.append(sample)
                if len(self.current) >= self.max_len:
                    self._complete(outputs, completed)
            elif self.current is not None:
                self.silence += 1
                if self.silence >= self.tail:
                    self._complete(outputs, completed)
            elif (
                self.mode == SENTENCE and not self.voice_started and self.position + 1 >= self.head
            ):
                outputs.append(Event("EXCEEDED_SILENCE", self._ms(self.position + 1)))
                self.finished = True
            self.position += 1
            if self.finished:
                break
        if completed:
            outputs.append(Result(completed, final=True))
        if self.interim and heard and self.current is not None and not self.finished:
            segment = self._segment(self.current, self.current_start, final=False)
            if segment["result"]["text"]:
                outputs.append(Result([segment], final=False))
        return outputs

    def finish(self) -> list[Output]:
        """END without cancel: the final results of everything heard."""
        outputs: list[Output] = []
        if self.finished:
            return outputs
        completed: list[dict[str, Any]] = []
        if self.current is not None:
            segment = self._segment(self.current, self.current_start, final=True)
            self.current = None
            if self.mode == SHORT:
                self.pending.append(segment)
            else:
                completed.append(segment)
        outputs.extend(Result([segment], final=True) for segment in self.pending)
        self.pending = []
        if completed:
            outputs.append(Result(completed, final=True))
        self.finished = True
        return outputs
