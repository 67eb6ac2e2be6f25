"""A strict local stand-in for Huawei Cloud IAM, SIS real-time recognition and synthesis,
and hot words.

Tests run the protocol client and the integration against it over real sockets
on 127.0.0.1; `python -m tests.sis_server` runs it on its own.
"""

from .accounts import ACCESS_KEY, DOMAIN_NAME, PASSWORD, PROJECTS, SECRET_KEY, USERNAME
from .faults import Fault, FaultKind, IamFault, RestFault
from .rasr import RecordedSession
from .readings import Readings
from .rtts import RecordedSynthesis
from .server import SisServer
from .speech import decode, silence, synthesize, synthesize_sentences, synthesize_spoken
from .vocabulary import Table, VocabularyCall

__all__ = [
    "ACCESS_KEY",
    "DOMAIN_NAME",
    "PASSWORD",
    "PROJECTS",
    "SECRET_KEY",
    "USERNAME",
    "Fault",
    "FaultKind",
    "IamFault",
    "Readings",
    "RecordedSession",
    "RecordedSynthesis",
    "RestFault",
    "SisServer",
    "Table",
    "VocabularyCall",
    "decode",
    "silence",
    "synthesize",
    "synthesize_sentences",
    "synthesize_spoken",
]
