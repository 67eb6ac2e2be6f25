"""Messages the service sends during a recognition session, as typed objects."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
import json
from typing import Any

from .error_mapping import from_service_message
from .errors import SisError, SisProtocolError


class Event(StrEnum):
    """Voice activity events (sentence mode)."""

    VOICE_START = "VOICE_START"
    VOICE_END = "VOICE_END"
    EXCEEDED_SILENCE = "EXCEEDED_SILENCE"
    EXCEEDED_AUDIO = "EXCEEDED_AUDIO"


ENDING_EVENTS = frozenset({Event.VOICE_END, Event.EXCEEDED_SILENCE, Event.EXCEEDED_AUDIO})
"""Events after which the service ignores further audio."""


@dataclass(frozen=True, slots=True)
class WordInfo:
    """Timing of one word (only with `need_word_info`); the service may leave out any field."""

    start_time: int | None
    end_time: int | None
    word: str | None


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of the transcript; `text` is None when the service could not recognise it."""

    start_time: int
    end_time: int
    is_final: bool
    text: str | None
    score: float | None = None
    words: tuple[WordInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class StartResponse:
    """The service accepted START and waits for audio."""

    trace_id: str | None


@dataclass(frozen=True, slots=True)
class EventResponse:
    """A voice activity event; `event` is kept as a string when it is not a known one."""

    trace_id: str | None
    event: Event | str
    timestamp: int | None


@dataclass(frozen=True, slots=True)
class ResultResponse:
    """Recognition results, interim or final."""

    trace_id: str | None
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class ErrorResponse:
    """ERROR (the session ends, the connection stays) or FATAL_ERROR (the connection closes)."""

    trace_id: str | None
    code: str
    message: str
    fatal: bool

    def error(self) -> SisError:
        """Return the exception this message stands for (`error_mapping.from_service_message`)."""
        return from_service_message(
            self.code, self.message, trace_id=self.trace_id, fatal=self.fatal
        )


@dataclass(frozen=True, slots=True)
class EndResponse:
    """The session is over; `reason` is NORMAL, CANCEL or ERROR."""

    trace_id: str | None
    reason: str


type ServerMessage = StartResponse | EventResponse | ResultResponse | ErrorResponse | EndResponse


def _opt_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise SisProtocolError(f"'{key}' must be a string")


def _int(data: dict[str, Any], key: str, *, default: int | None = None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SisProtocolError(f"'{key}' must be an integer")
    return value


def _opt_int(data: dict[str, Any], key: str) -> int | None:
    return None if data.get(key) is None else _int(data, key)


def _word(raw: Any) -> WordInfo:
    data = _object(raw, "A word")
    return WordInfo(
        start_time=_opt_int(data, "start_time"),
        end_time=_opt_int(data, "end_time"),
        word=_opt_str(data, "word"),
    )


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SisProtocolError(f"{what} must be a JSON object")
    return value


def _segment(raw: Any) -> Segment:
    data = _object(raw, "A segment")
    is_final = data.get("is_final")
    if not isinstance(is_final, bool):
        raise SisProtocolError("'is_final' must be a boolean")
    text: str | None = None
    score: float | None = None
    words: tuple[WordInfo, ...] = ()
    if data.get("result") is not None:
        result = _object(data["result"], "'result'")
        text = _opt_str(result, "text")
        raw_score = result.get("score")
        if isinstance(raw_score, int | float) and not isinstance(raw_score, bool):
            score = float(raw_score)
        raw_words = result.get("word_info")
        if raw_words is None:
            raw_words = []
        if not isinstance(raw_words, list):
            raise SisProtocolError("'word_info' must be a list")
        words = tuple(_word(item) for item in raw_words)
    return Segment(
        start_time=_int(data, "start_time", default=0),
        end_time=_int(data, "end_time", default=0),
        is_final=is_final,
        text=text,
        score=score,
        words=words,
    )


def parse_message(text: str) -> ServerMessage:
    """Parse one text frame from the service; raise SisProtocolError when it is not valid."""
    try:
        data = _object(json.loads(text), "A message")
    except ValueError as err:
        raise SisProtocolError("The service sent a message that is not JSON") from err
    trace_id = _opt_str(data, "trace_id")
    match data.get("resp_type"):
        case "START":
            return StartResponse(trace_id)
        case "EVENT":
            event = data.get("event")
            if not isinstance(event, str):
                raise SisProtocolError("EVENT without 'event'")
            timestamp = data.get("timestamp")
            known = event in Event.__members__
            return EventResponse(
                trace_id,
                Event(event) if known else event,
                timestamp if isinstance(timestamp, int) else None,
            )
        case "RESULT":
            segments = data.get("segments")
            if not isinstance(segments, list):
                raise SisProtocolError("RESULT without 'segments'")
            return ResultResponse(trace_id, tuple(_segment(item) for item in segments))
        case ("ERROR" | "FATAL_ERROR") as kind:
            return ErrorResponse(
                trace_id,
                code=_opt_str(data, "error_code") or "unknown",
                message=_opt_str(data, "error_msg") or "",
                fatal=kind == "FATAL_ERROR",
            )
        case "END":
            return EndResponse(trace_id, _opt_str(data, "reason") or "NORMAL")
        case other:
            raise SisProtocolError(f"Unknown message type {other!r}")
