"""Client for Huawei Cloud SIS real-time speech recognition (RASR) over WebSocket.

Independent of Home Assistant: it needs only aiohttp and a caller-provided
`aiohttp.ClientSession`.
"""

from .auth import AkSkAuth, Auth, TokenAuth
from .client import SisClient
from .config import AudioFormat, RecognitionConfig, RecognitionMode
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
from .session import RecognitionSession, SessionStats
from .timeouts import Timeouts
from .transcript import Transcript, join_texts

__all__ = [
    "DEFAULT_FRAME_MS",
    "REGIONS",
    "AkSkAuth",
    "AudioFormat",
    "AudioFramer",
    "Auth",
    "EndResponse",
    "Endpoints",
    "ErrorResponse",
    "Event",
    "EventResponse",
    "RecognitionConfig",
    "RecognitionMode",
    "RecognitionSession",
    "ResultResponse",
    "Segment",
    "ServerMessage",
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
    "join_texts",
    "parse_message",
]
