"""Entry point of the library: credentials and endpoints, and what is made from them.

Recognition and synthesis sessions, and the client of the hot-word tables.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Mapping

import aiohttp

from .auth import Auth
from .endpoints import Endpoints
from .framing import DEFAULT_FRAME_MS
from .recognition import Recognition
from .recognition_config import RecognitionConfig, RecognitionMode
from .session import RecognitionSession
from .streaming import StreamingSynthesis
from .synthesis import Synthesis, SynthesisStats
from .synthesis_config import SynthesisConfig
from .timeouts import DEFAULT_TIMEOUTS, Timeouts
from .vocabulary import VocabularyClient
from .voices import PROBE_TEXTS


class SisClient:
    """Open recognition and synthesis sessions; safe to share between concurrent callers.

    The client keeps no per-request state: every session has its own socket,
    buffers and figures. `http` is the caller's aiohttp session.
    """

    def __init__(
        self,
        http: aiohttp.ClientSession,
        auth: Auth,
        endpoints: Endpoints,
        *,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        frame_ms: int = DEFAULT_FRAME_MS,
        enterprise_project_id: str | None = None,
    ) -> None:
        """Keep what every session needs."""
        self.http = http
        self.auth = auth
        self.endpoints = endpoints
        self.timeouts = timeouts
        self.frame_ms = frame_ms
        self._headers: Mapping[str, str] = (
            {"Enterprise-Project-Id": enterprise_project_id} if enterprise_project_id else {}
        )

    def __repr__(self) -> str:
        """Name the endpoint and the kind of credentials only."""
        return f"SisClient(sis_url={self.endpoints.sis_url!r}, auth={self.auth.kind})"

    def session(self, mode: RecognitionMode, config: RecognitionConfig) -> RecognitionSession:
        """Return a new session (not yet connected)."""
        return RecognitionSession(
            http=self.http,
            auth=self.auth,
            endpoints=self.endpoints,
            mode=mode,
            config=config,
            timeouts=self.timeouts,
            frame_ms=self.frame_ms,
            extra_headers=self._headers,
        )

    def recognize(
        self, mode: RecognitionMode, config: RecognitionConfig, audio: AsyncIterable[bytes]
    ) -> Recognition:
        """Return a recognition of `audio` (not started: iterate it to run it)."""
        return Recognition(self.session(mode, config), audio)

    @property
    def vocabularies(self) -> VocabularyClient:
        """The client of the project's hot-word tables (same session, credentials, bounds)."""
        return VocabularyClient(self.http, self.auth, self.endpoints, timeouts=self.timeouts)

    def synthesize(self, text: str, config: SynthesisConfig) -> Synthesis:
        """Return the synthesis of one text (not started: iterate it for the audio).

        Raises `SisConfigError` when the voice cannot take the text.
        """
        return Synthesis(
            http=self.http,
            auth=self.auth,
            endpoints=self.endpoints,
            text=text,
            config=config,
            timeouts=self.timeouts,
            extra_headers=self._headers,
        )

    def speak(
        self,
        texts: AsyncIterable[str],
        config: SynthesisConfig,
        *,
        fallback: SynthesisConfig | None = None,
        strip_markup: bool = False,
    ) -> StreamingSynthesis:
        """Return the synthesis of text arriving in pieces (iterate it for the audio).

        When the service refuses the voice of `config`, the reply goes on in
        the voice of `fallback`; `strip_markup` leaves `<`, `>` and `&` out
        from the start (see `StreamingSynthesis`).
        """
        return StreamingSynthesis(
            self.synthesize, texts, config=config, fallback=fallback, strip_markup=strip_markup
        )

    async def probe_voice(self, config: SynthesisConfig) -> SynthesisStats:
        """Synthesise a word in the voice's language to its end; return the figures.

        Proves that the service takes the voice and its settings, for the price
        of one billed call (`PROBE_TEXTS`: one to three characters). Raises
        what ended it: `SisVoiceRefusedError` when the voice is refused.
        """
        synthesis = self.synthesize(PROBE_TEXTS[config.spec.language], config)
        async with synthesis:
            async for _ in synthesis:
                pass
        return synthesis.stats

    async def verify(self) -> None:
        """Check the credentials with IAM (raises SisAuthError or SisProjectError)."""
        await self.auth.verify()

    async def probe(self, mode: RecognitionMode, config: RecognitionConfig) -> str | None:
        """Open a session, get START answered, cancel it; return the trace id.

        Proves the whole path (credentials, project, endpoint, model, hot-word
        table) without sending audio. Unlike a recognition, which goes on
        without a hot-word table the service refuses, a probe raises that
        refusal.
        """
        async with self.session(mode, config) as session:
            await session.end(cancel=True)
            async for _message in session:
                pass  # the messages end with the END answer
            if (refusal := session.stats.vocabulary_refusal) is not None:
                raise refusal.error
            return session.stats.trace_id
