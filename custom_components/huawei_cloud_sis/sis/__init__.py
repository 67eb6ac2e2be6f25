"""Client for Huawei Cloud SIS: real-time speech recognition and synthesis, and hot-word tables.

Recognition (RASR) and synthesis (RTTS) run over WebSocket; the hot-word
tables that bias recognition are managed over REST.

Independent of Home Assistant: it needs only aiohttp and a caller-provided
`aiohttp.ClientSession`.
"""

from .auth import AkSkAuth, Auth, TokenAuth
from .client import SisClient
from .endpoints import Endpoints, is_loopback_host, normalize_base_url
from .error_mapping import may_concern_vocabulary, worth_retrying
from .errors import (
    AccountProblem,
    SisAccountError,
    SisAuthError,
    SisCertificateError,
    SisConfigError,
    SisConnectionError,
    SisError,
    SisMarkupError,
    SisPermissionError,
    SisProjectError,
    SisProtocolError,
    SisServerError,
    SisSourceError,
    SisThrottledError,
    SisTimeoutError,
    SisVocabularyError,
    SisVocabularyLanguageError,
    SisVocabularyLimitError,
    SisVocabularyNameTakenError,
    SisVocabularyNotFoundError,
    SisVocabularyWordError,
    SisVoiceRefusedError,
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
from .outcome import RecognitionOutcome, SynthesisOutcome
from .ranges import IntRange
from .recognition import Recognition
from .recognition_config import (
    MAX_SECONDS,
    VAD_HEAD_MS,
    VAD_TAIL_MS,
    AudioFormat,
    RecognitionConfig,
    RecognitionMode,
    is_vocabulary_id,
)
from .regions import ANY_REGION, REGIONS, Region, Site, region
from .sentences import SentenceSplitter, speakable
from .session import RecognitionSession, SessionState, SessionStats, VocabularyRefusal
from .streaming import MARKUP, StreamingSynthesis, without_markup
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
    refuses_language,
)
from .voices import (
    PROBE_TEXTS,
    SYNTHESIS_REGIONS,
    VOICES,
    Voice,
    VoiceTier,
    default_voice,
    text_length,
    voices_for_region,
)

__all__ = [
    "ANY_REGION",
    "DEFAULT_FRAME_MS",
    "MARKUP",
    "MAX_SECONDS",
    "MAX_TABLES",
    "MAX_WORDS_PER_TABLE",
    "MAX_WORD_BYTES",
    "PITCH",
    "PROBE_TEXTS",
    "REGIONS",
    "SPEED",
    "SYNTHESIS_REGIONS",
    "VAD_HEAD_MS",
    "VAD_TAIL_MS",
    "VOICES",
    "VOLUME",
    "AccountProblem",
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
    "RecognitionOutcome",
    "RecognitionSession",
    "Region",
    "ResultResponse",
    "Segment",
    "SentenceSplitter",
    "ServerMessage",
    "SessionState",
    "SessionStats",
    "SisAccountError",
    "SisAuthError",
    "SisCertificateError",
    "SisClient",
    "SisConfigError",
    "SisConnectionError",
    "SisError",
    "SisMarkupError",
    "SisPermissionError",
    "SisProjectError",
    "SisProtocolError",
    "SisServerError",
    "SisSourceError",
    "SisThrottledError",
    "SisTimeoutError",
    "SisVocabularyError",
    "SisVocabularyLanguageError",
    "SisVocabularyLimitError",
    "SisVocabularyNameTakenError",
    "SisVocabularyNotFoundError",
    "SisVocabularyWordError",
    "SisVoiceRefusedError",
    "Site",
    "StartResponse",
    "StreamingSynthesis",
    "Synthesis",
    "SynthesisConfig",
    "SynthesisOutcome",
    "SynthesisStats",
    "TableLanguage",
    "Timeouts",
    "TokenAuth",
    "Transcript",
    "Vocabulary",
    "VocabularyClient",
    "VocabularyInfo",
    "VocabularyPage",
    "VocabularyRefusal",
    "Voice",
    "VoiceTier",
    "WordInfo",
    "WordList",
    "build_word_list",
    "default_voice",
    "is_loopback_host",
    "is_vocabulary_id",
    "join_texts",
    "may_concern_vocabulary",
    "name_to_words",
    "normalize_base_url",
    "parse_message",
    "refuses_language",
    "region",
    "speakable",
    "table_language_for_model",
    "text_length",
    "voices_for_region",
    "without_markup",
    "word_problem",
    "worth_retrying",
]
