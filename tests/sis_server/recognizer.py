"""The emulated engine: voice activity detection and the results of each mode.

Only the two PCM formats are listened to; u-law and a-law audio counts as silence.
A sample that is not zero is speech. A sentence is a stretch of speech ended by
`vad_tail` ms of silence or cut at `max_seconds`; its text is what the fake codec
decodes from it; other speech is handed to the transcriber when there is one
(pocketsphinx in the standalone emulator), else it is the fallback phrase.
Words a test declared misheard are then replaced, unless the session's hot-word
table holds them (`mishearing.py`).

Interim results are sent only when the START config asked for them
(`interim_results: "yes"`), in every mode, and never change what is final.
Speech made with the codec's `synthesize` says all its bytes at once, so
with every frame that holds speech the interim result is everything heard
so far. Spoken speech (`speech.synthesize_spoken`, words with their real
durations) is heard as a streaming recogniser hears it: a word is in the
interim result once it is over and the audio has gone on for the interim
lag (`SisServer.interim_lag_ms`, 250 ms unless a test sets it) past its end;
an interim result is sent, with any frame, silent ones too, only when its
text changed; and a revision a test declared (`SisServer.revise`) shows a
text differently for a while before the words as heard. Final results, VAD
events and the sentences of each mode are the same for both kinds of speech.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from .config_rules import MODELS, sample_rate, sample_width
from .speech import SPACE, SUSTAIN, Run, decode_runs, pcm_of, runs_of, samples_of

SHORT: Final = "short-stream"
CONTINUE: Final = "continue-stream"
SENTENCE: Final = "sentence-stream"
MODES: Final = (SHORT, CONTINUE, SENTENCE)

DEFAULT_VAD_HEAD_MS: Final = 10000
DEFAULT_VAD_TAIL_MS: Final = 500
DEFAULT_MAX_SECONDS: Final = 30
SHORT_STREAM_GAP_MS: Final = 500
"""Silence that separates sentences in short-stream mode, which ignores the VAD settings."""
FINAL_SCORE: Final = 0.9
INTERIM_SCORE: Final = 0.0


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
type Transcriber = Callable[[bytes, int], str]
"""Turns 16-bit PCM at a sample rate into text (blocking)."""
type Revisions = Mapping[str, tuple[str, int]]
"""Interim text heard → (the text shown instead, for how many ms of audio)."""
BOUNDARIES: Final = frozenset({0, SUSTAIN, SPACE})
"""Sample values that begin after a spoken word is over: a silence, the next word, a space."""


class Recognizer:
    """Follow one session's audio and tell what the service sends because of it."""

    def __init__(
        self,
        mode: str,
        config: dict[str, Any],
        fallback_text: str,
        transcriber: Transcriber | None = None,
        rewrite: Callable[[str], str] | None = None,
        *,
        interim_lag_ms: int = 250,
        revisions: Revisions | None = None,
    ) -> None:
        """Read the settings of a validated START config.

        `rewrite` changes every recognised text (the words the engine mishears).
        `interim_lag_ms` and `revisions` apply to the interim results of spoken speech.
        """
        audio_format: str = config["audio_format"]
        self.mode = mode
        self.rate = sample_rate(audio_format)
        self.width = sample_width(audio_format)
        self.pcm = audio_format.startswith("pcm")
        self.interim = config.get("interim_results") == "yes"
        self.word_info = config.get("need_word_info") == "yes"
        self.fallback = fallback_text
        self.transcriber = transcriber
        self.rewrite = rewrite
        if mode == SHORT:
            tail_ms, max_len = SHORT_STREAM_GAP_MS, 0
        else:
            tail_ms = config.get("vad_tail", DEFAULT_VAD_TAIL_MS)
            seconds = config.get("max_seconds", DEFAULT_MAX_SECONDS)
            max_len = self.rate * max(seconds, MODELS[config["property"]].min_sentence_seconds)
        self.tail = max(1, self.rate * tail_ms // 1000)
        """Silent samples that end a sentence."""
        self.max_len = max_len
        """Longest sentence in samples; 0 means no limit."""
        head_ms = config.get("vad_head", DEFAULT_VAD_HEAD_MS)
        self.head = self.rate * head_ms // 1000
        """Leading silent samples after which sentence-stream gives up; 0: never."""
        self.position = 0
        """Samples received since the session started."""
        self.runs: list[Run] = []
        """The current sentence, run-length encoded (empty when there is none)."""
        self.start = 0
        self.length = 0
        self.silence = 0
        """Silent samples since the current sentence's last speech."""
        self.pending: list[dict[str, Any]] = []
        """Short-stream sentences waiting for END."""
        self.voice_started = False
        self.finished = False
        """Nothing more is recognised (sentence-stream stopped, or END processed)."""
        self.listening = True
        """False once audio past the limit was refused: later audio is ignored, END still works."""
        self._carry = b""
        self.lag = self.rate * interim_lag_ms // 1000
        self.revisions: Revisions = revisions or {}
        self.spoken = False
        """The current sentence is spoken speech (it holds `SUSTAIN`)."""
        self.heard: str | None = None
        """The spoken sentence's words heard so far, and since when (a position)."""
        self.heard_at = 0
        self.shown = ""
        """The text of the spoken sentence's last interim result."""

    def _ms(self, samples: int) -> int:
        return samples * 1000 // self.rate

    def _segment(self, *, final: bool) -> dict[str, Any]:
        text = decode_runs(self.runs, self.rate, partial=not final)
        if text is None and self.transcriber is not None:
            # Real speech: recognised once, for the final result; interim results stay empty.
            text = self.transcriber(pcm_of(self.runs), self.rate) if final else ""
        if text is None:
            text = self.fallback
        if self.rewrite is not None:
            text = self.rewrite(text)
        return self._result(text, self.length, final=final)

    def _result(self, text: str, length: int, *, final: bool) -> dict[str, Any]:
        """A segment of the current sentence: its first `length` samples say `text`."""
        begin, end = self._ms(self.start), self._ms(self.start + length)
        result: dict[str, Any] = {"text": text, "score": FINAL_SCORE if final else INTERIM_SCORE}
        if self.word_info:
            words = text.split() or [text]
            step = (end - begin) / len(words)
            result["word_info"] = [
                {
                    "start_time": begin + round(i * step),
                    "end_time": begin + round((i + 1) * step),
                    "word": word,
                }
                for i, word in enumerate(words)
            ]
        return {"start_time": begin, "end_time": end, "is_final": final, "result": result}

    def _complete(self, outputs: list[Output], completed: list[dict[str, Any]]) -> None:
        """The current sentence is over: file its final segment as the mode wants."""
        segment = self._segment(final=True)
        self.runs, self.length, self.silence = [], 0, 0
        if self.mode == SHORT:
            self.pending.append(segment)
        elif self.mode == CONTINUE:
            completed.append(segment)
        else:
            outputs.append(Event("VOICE_END", segment["end_time"]))
            outputs.append(Result([segment], final=True))
            self.finished = True

    def _spoken_interim(self) -> dict[str, Any] | None:
        """The interim result of spoken speech due now; None when its text is unchanged.

        The words heard are those over before the interim lag: a word is over
        where a silence, a space or the next word begins, or, for the last one,
        once the silence after the sentence has begun.
        """
        heard_until = self.position - self.lag - self.start
        cut = cut_at = offset = 0
        for index, (value, count) in enumerate(self.runs):
            if offset >= heard_until:
                break
            if index and value in BOUNDARIES:
                cut, cut_at = index, offset
            offset += count
        else:
            if heard_until > self.length:
                cut, cut_at = len(self.runs), self.length
        text = decode_runs(self.runs[:cut], self.rate, partial=True) if cut else None
        if not text or not (text := text.strip()):
            return None
        if self.rewrite is not None:
            text = self.rewrite(text)
        if text != self.heard:
            self.heard, self.heard_at = text, self.position
        shown = text
        if (revision := self.revisions.get(text)) is not None:
            other, for_ms = revision
            if self.position - self.heard_at < self.rate * for_ms // 1000:
                shown = other
        if shown == self.shown:
            return None
        self.shown = shown
        return self._result(shown, cut_at, final=False)

    def _append(self, value: int, count: int) -> None:
        self.spoken = self.spoken or value == SUSTAIN
        if self.runs and self.runs[-1][0] == value:
            self.runs[-1] = (value, self.runs[-1][1] + count)
        else:
            self.runs.append((value, count))
        self.length += count

    def _on_silence(
        self, count: int, outputs: list[Output], completed: list[dict[str, Any]]
    ) -> None:
        if self.runs:
            needed = self.tail - self.silence
            if count < needed:
                self.silence += count
                self.position += count
                return
            self.position += needed
            count -= needed
            self._complete(outputs, completed)
            if self.finished:
                self.position += count
                return
        if (
            self.mode == SENTENCE
            and self.head
            and not self.voice_started
            and self.position + count >= self.head
        ):
            outputs.append(Event("EXCEEDED_SILENCE", self._ms(self.head)))
            self.finished = True
        self.position += count

    def _on_speech(
        self, value: int, count: int, outputs: list[Output], completed: list[dict[str, Any]]
    ) -> None:
        while count and not self.finished:
            if not self.runs:
                self.start, self.length, self.silence = self.position, 0, 0
                self.spoken, self.heard, self.shown = False, None, ""
                if self.mode == SENTENCE and not self.voice_started:
                    outputs.append(Event("VOICE_START", self._ms(self.position)))
                self.voice_started = True
            elif self.silence:
                if self.max_len and self.length + self.silence >= self.max_len:
                    self._complete(outputs, completed)
                    continue
                self._append(0, self.silence)
                self.silence = 0
            take = min(count, self.max_len - self.length) if self.max_len else count
            self._append(value, take)
            self.position += take
            count -= take
            if self.max_len and self.length >= self.max_len:
                self._complete(outputs, completed)
        self.position += count

    def feed(self, data: bytes) -> list[Output]:
        """Take one audio frame; return what the service sends because of it."""
        if self.finished or not self.listening or not data:
            return []
        if self.pcm:
            data, self._carry = self._carry + data, b""
            if len(data) % 2:
                data, self._carry = data[:-1], data[-1:]
            runs = runs_of(samples_of(data))
        else:
            runs = [(0, len(data) // self.width)]
        outputs: list[Output] = []
        completed: list[dict[str, Any]] = []
        heard = False
        for value, count in runs:
            if self.finished:
                break
            if value:
                heard = True
                self._on_speech(value, count, outputs, completed)
            else:
                self._on_silence(count, outputs, completed)
        if completed:
            outputs.append(Result(completed, final=True))
        if self.interim and self.runs and not self.finished:
            if self.spoken:
                if (spoken := self._spoken_interim()) is not None:
                    outputs.append(Result([spoken], final=False))
            elif heard:
                segment = self._segment(final=False)
                if segment["result"]["text"]:
                    outputs.append(Result([segment], final=False))
        return outputs

    def finish(self) -> list[Output]:
        """END without cancel: the final results of everything heard and not yet final."""
        if self.finished:
            return []
        outputs: list[Output] = []
        completed: list[dict[str, Any]] = []
        if self.runs:
            segment = self._segment(final=True)
            self.runs = []
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
