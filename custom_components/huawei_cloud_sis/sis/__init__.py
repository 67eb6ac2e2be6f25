"""Client for Huawei Cloud SIS real-time speech recognition (RASR) over WebSocket.

Independent of Home Assistant: it needs only aiohttp and a caller-provided
`aiohttp.ClientSession`.
"""

from .auth import AkSkAuth, Auth, TokenAuth
from .client import SisClient
from .config import (
    MAX_SECONDS,
    VAD_HEAD_MS,
    VAD_TAIL_MS,
    AudioFormat,
    IntRange,
    RecognitionConfig,
    RecognitionMode,
    is_vocabulary_id,
)
from .endpoints import REGIONS, Endpoints, is_loopback_host
from .errors import (
    SisAuthError,
    SisCertificateError,
    SisConfigError,
    SisConnectionError,
    SisError,
    SisProjectError,
    SisProtocolError,
    SisServerError,
    SisTimeoutError,
)
from .framing import DEFAULT_FRAME_MS, AudioFramer
from .messages import (
    EndResponse,
    ErrorResponse,
    Event,
    EventResponse,
    ResultResponse,
    Segment,
    ServerMessage,
    StartResponse,
    WordInfo,
    parse_message,
)
from .recognition import Recognition
from .session import RecognitionSession, SessionState, SessionStats
from .timeouts import Timeouts
from .transcript import Transcript, join_texts

__all__ = [
    "DEFAULT_FRAME_MS",
    "MAX_SECONDS",
    "REGIONS",
    "VAD_HEAD_MS",
    "VAD_TAIL_MS",
    "AkSkAuth",
    "AudioFormat",
    "AudioFramer",
    "Auth",
    "EndResponse",
    "Endpoints",
    "ErrorResponse",
    "Event",
    "EventResponse",
    "IntRange",
    "Recognition",
    "RecognitionConfig",
    "RecognitionMode",
    "RecognitionSession",
    "ResultResponse",
    "Segment",
    "ServerMessage",
    "SessionState",
    "SessionStats",
    "SisAuthError",
    "SisCertificateError",
    "SisClient",
    "SisConfigError",
    "SisConnectionError",
    "SisError",
    "SisProjectError",
    "SisProtocolError",
    "SisServerError",
    "SisTimeoutError",
    "StartResponse",
    "Timeouts",
    "TokenAuth",
    "Transcript",
    "WordInfo",
    "is_loopback_host",
    "is_vocabulary_id",
    "join_texts",
    "parse_message",
]
