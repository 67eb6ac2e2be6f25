"""Client for Huawei Cloud SIS: real-time speech recognition and synthesis, and hot-word tables.

Recognition (RASR) and synthesis (RTTS) run over WebSocket; the hot-word
tables that bias recognition are managed over REST.

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
    SisPermissionError,
    SisProjectError,
    SisProtocolError,
    SisServerError,
    SisTimeoutError,
    SisVocabularyError,
    SisVocabularyLanguageError,
    SisVocabularyLimitError,
    SisVocabularyNameTakenError,
    SisVocabularyNotFoundError,
    SisVocabularyWordError,
)
from .framing import DEFAULT_FRAME_MS, AudioFramer
from .hot_words import (
    MAX_WORD_BYTES,
    MAX_WORDS_PER_TABLE,
    DroppedName,
    DropReason,
    TableLanguage,
    WordList,
    build_word_list,
    name_to_words,
    table_language_for_model,
    table_languages,
    word_problem,
)
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
from .sentences import SentenceSplitter, speakable
from .session import RecognitionSession, SessionState, SessionStats
from .streaming import StreamingSynthesis
from .synthesis import Synthesis, SynthesisStats
from .synthesis_config import PITCH, SPEED, VOLUME, SynthesisConfig
from .timeouts import Timeouts
from .transcript import Transcript, join_texts
from .vocabulary import (
    MAX_TABLES,
    Vocabulary,
    VocabularyClient,
    VocabularyInfo,
    VocabularyPage,
)
from .voices import (
    SYNTHESIS_REGIONS,
    VOICES,
    Voice,
    VoiceTier,
    text_length,
    voices_for_region,
)

__all__ = [
    "DEFAULT_FRAME_MS",
    "MAX_SECONDS",
    "MAX_TABLES",
    "MAX_WORDS_PER_TABLE",
    "MAX_WORD_BYTES",
    "PITCH",
    "REGIONS",
    "SPEED",
    "SYNTHESIS_REGIONS",
    "VAD_HEAD_MS",
    "VAD_TAIL_MS",
    "VOICES",
    "VOLUME",
    "AkSkAuth",
    "AudioFormat",
    "AudioFramer",
    "Auth",
    "DropReason",
    "DroppedName",
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
    "SentenceSplitter",
    "ServerMessage",
    "SessionState",
    "SessionStats",
    "SisAuthError",
    "SisCertificateError",
    "SisClient",
    "SisConfigError",
    "SisConnectionError",
    "SisError",
    "SisPermissionError",
    "SisProjectError",
    "SisProtocolError",
    "SisServerError",
    "SisTimeoutError",
    "SisVocabularyError",
    "SisVocabularyLanguageError",
    "SisVocabularyLimitError",
    "SisVocabularyNameTakenError",
    "SisVocabularyNotFoundError",
    "SisVocabularyWordError",
    "StartResponse",
    "StreamingSynthesis",
    "Synthesis",
    "SynthesisConfig",
    "SynthesisStats",
    "TableLanguage",
    "Timeouts",
    "TokenAuth",
    "Transcript",
    "Vocabulary",
    "VocabularyClient",
    "VocabularyInfo",
    "VocabularyPage",
    "Voice",
    "VoiceTier",
    "WordInfo",
    "WordList",
    "build_word_list",
    "is_loopback_host",
    "is_vocabulary_id",
    "join_texts",
    "name_to_words",
    "parse_message",
    "speakable",
    "table_language_for_model",
    "table_languages",
    "text_length",
    "voices_for_region",
    "word_problem",
]
