"""What real-time synthesis accepts in a START, answering with the service's error codes.

From Huawei's pages: the 2021 and current real-time synthesis pages of the
China site, the real-time synthesis page of the international site (ME-Riyadh
only), the voice list of Huawei's SDK and the error code table (SIS.04xx).
Where they disagree the strict reading is taken:

- text: the 2021 pages say "fewer than 500 characters", the current ones "at
  most 500": 500 is refused. Voices the current page names take up to 10,000.
- audio_format: the 2021 pages offer pcm, alaw and ulaw, the current ones add
  mp3: mp3 is refused. ME-Riyadh offers pcm only.
- ME-Riyadh documents `audio_format`, `sample_rate`, `property` and `subtitle`
  only, and `property` as mandatory: speed, pitch and volume are refused there.
- Premium voices "cannot change pitch yet": a pitch is refused with SIS.0411,
  the code the pages name for premium voices used against their constraints.
- Characters are counted as UTF-16 code units (an emoji counts twice).

The product keeps its own copy of these rules (named at the tables below);
tests/test_emulator_mirrors_product.py fails when the two disagree.

Where the pages leave the answer open, `Readings` chooses: which voices
real-time synthesis takes and how it refuses the others (T1), and whether
`<`, `>` and `&` are refused as illegal SSML (T3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from .readings import Readings

# The voice tables and limits below mirror the product's sis/voices.py (VOICES, SYNTHESIS_REGIONS,
# text_length) and sis/synthesis_config.py (SPEED, PITCH, VOLUME).
CHINA: Final = ("cn-north-4", "cn-east-3")
MIDDLE_EAST: Final = ("me-east-1",)

STANDARD: Final = frozenset(
    f"chinese_{name}_common"
    for name in (
        "xiaoqi",
        "xiaoyu",
        "xiaoyan",
        "xiaowang",
        "xiaowen",
        "xiaojing",
        "xiaosong",
        "xiaoxia",
        "xiaodai",
        "xiaoqian",
    )
) | {"english_cameal_common"}
"""The SDK's standard voices (China site)."""
PREMIUM: Final = frozenset(
    f"chinese_{name}_common"
    for name in (
        "huaxiaoxia",
        "huaxiaogang",
        "huaxiaolu",
        "huaxiaoshu",
        "huaxiaowei",
        "huaxiaoliang",
        "huaxiaodong",
        "huaxiaoyan",
        "huaxiaoxuan",
        "huaxiaowen",
        "huaxiaoyang",
        "huaxiaomin",
        "huaxiaomei",
        "huaxiaofei",
        "huaxiaolong",
        "huaxiaorui",
        "huaxiaoru",
        "huaxiaohan",
        "huaxiaoning",
        "huaxiaozhen",
        "huaxiaoman",
        "huaxiaofang",
        "huaxiaojun",
    )
) | {
    "chinese_huanvxia_literature",
    "chinese_huaxiaoxuan_literature",
    "english_alvin_common",
    "english_amy_common",
}
"""The SDK's premium voices (China site, cn-north-4 and cn-east-3 only)."""
VIRTUAL_HUMANS: Final = frozenset(
    {"arabic_dh_male", "arabic_dh_female", "english_dh_male", "english_dh_female"}
)
"""ME-Riyadh's voices."""
NEWER_PREMIUM: Final = frozenset(
    f"chinese_{name}_common"
    for name in (
        "huaxiaohe",
        "huaxiaoye",
        "huaxiaoxue",
        "huaxiaojiao",
        "huaxiaohui",
        "huaxiaokang",
        "huaxiaokun",
        "huaxiaoquan",
    )
)
"""Premium voices the current real-time page names (in its text-length clause) and the SDK's
voice list does not."""
SDK_REALTIME: Final = frozenset({"chinese_huaxiaomei_common", "chinese_huaxiaofei_common"})
"""The premium voices the SDK reference offers for real-time synthesis, "pcm only"."""
ONLY_PCM: Final = SDK_REALTIME
LONG_TEXT_VOICES: Final = (
    SDK_REALTIME
    | NEWER_PREMIUM
    | {
        "chinese_huaxiaolong_common",
        "chinese_huaxiaorui_common",
        "english_amy_common",
        "english_alvin_common",
    }
)
"""Voices the current page lets take up to 10,000 characters."""
REALTIME_PAGE_VOICES: Final = LONG_TEXT_VOICES | {
    f"chinese_{name}_common" for name in ("xiaoqi", "xiaoyu", "xiaoyan", "xiaowang")
}
"""China-site voices a real-time synthesis page names: the 2021 page's "common voices", the
two the SDK reference adds, and those of the current page's text-length clause."""
ONLY_16K: Final = frozenset({"chinese_huanvxia_literature", "chinese_huaxiaoxuan_literature"})
SUBTITLED: Final = SDK_REALTIME | NEWER_PREMIUM
"""China-site voices that may send timestamps (`subtitle`)."""

DEFAULT_VOICE: Final = "chinese_xiaoyan_common"
SHORT_LIMIT: Final = 499
LONG_LIMIT: Final = 10000
SAMPLE_RATES: Final = {"8000": 8000, "16000": 16000}
RANGES: Final = {"speed": (-500, 500), "pitch": (-500, 500), "volume": (0, 100)}
SUBTITLES: Final = ("word_level", "phoneme_level")


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why START is refused: the code and message of the ERROR answer."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Accepted:
    """A START the service takes: the text, the voice and the audio to send."""

    text: str
    voice: str
    audio_format: str
    sample_rate: int


def offers_synthesis(region: str | None) -> bool:
    """Whether a region has the real-time synthesis API."""
    return region in CHINA or region in MIDDLE_EAST


def characters(text: str) -> int:
    """Count as UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def china_voices(readings: Readings) -> frozenset[str]:
    """The China-site voices real-time synthesis takes under the reading T1."""
    if readings.realtime_voices == "realtime_pages":
        return REALTIME_PAGE_VOICES
    return STANDARD | PREMIUM | REALTIME_PAGE_VOICES


def holds_ssml(text: str) -> bool:
    """Whether a text holds a character SSML gives a meaning to."""
    return any(char in text for char in "<>&")


def check_start(
    command: Any, region: str | None, readings: Readings | None = None
) -> Accepted | Refusal:
    """Return what a START command asks for in `region`, or why it is refused.

    `readings` (the defaults of `Readings` unless given) choose the voices taken
    and how others are refused (T1), and whether SSML characters are refused (T3).
    """
    readings = readings or Readings()
    if not isinstance(command, dict) or command.get("command") != "START":
        return Refusal("SIS.0032", "'command' is invalid")
    text = command.get("text")
    if text in (None, ""):
        return Refusal("SIS.0012", "'text' cannot be empty")
    if not isinstance(text, str):
        return Refusal("SIS.0032", "'text' is invalid")
    config = command.get("config", {})
    if not isinstance(config, dict):
        return Refusal("SIS.0032", "'config' is invalid")
    middle_east = region in MIDDLE_EAST
    known = {"audio_format", "sample_rate", "property", "subtitle"}
    if not middle_east:
        known |= set(RANGES)
    unknown = sorted(str(key) for key in config if key not in known)
    if unknown:
        return Refusal("SIS.0031", f"'{unknown[0]}' is not supported")
    refusal = _check_voice(config, middle_east, readings)
    if isinstance(refusal, Refusal):
        return refusal
    voice, audio_format, sample_rate = refusal
    limit = LONG_LIMIT if middle_east or voice in LONG_TEXT_VOICES else SHORT_LIMIT
    if characters(text) > limit:
        return Refusal("SIS.0415", f"'text' is longer than {limit} characters")
    if readings.ssml_refuses and holds_ssml(text):
        return Refusal("SIS.0419", "illegal SSML: the text holds illegal characters")
    return Accepted(text, voice, audio_format, sample_rate)


def _check_voice(
    config: dict[str, Any], middle_east: bool, readings: Readings
) -> tuple[str, str, int] | Refusal:
    """Check the voice and its settings; return the voice, audio format and sample rate."""
    voice = config.get("property", None if middle_east else DEFAULT_VOICE)
    if voice in (None, ""):
        return Refusal("SIS.0012", "'property' cannot be empty")
    offered = VIRTUAL_HUMANS if middle_east else china_voices(readings)
    if not isinstance(voice, str) or voice not in offered:
        code = "SIS.0411" if readings.voice_refusal == "SIS.0411" else "SIS.0032"
        return Refusal(code, "'property' is invalid")
    audio_format = config.get("audio_format", "pcm")
    formats = ("pcm",) if middle_east or voice in ONLY_PCM else ("pcm", "alaw", "ulaw")
    if audio_format not in formats:
        return Refusal("SIS.0410", "'audio_format' is invalid")
    rate = config.get("sample_rate", "8000")
    sample_rate = SAMPLE_RATES.get(rate) if isinstance(rate, str) else None
    if sample_rate is None or (voice in ONLY_16K and sample_rate != 16000):
        return Refusal("SIS.0402", "'sample_rate' is invalid")
    for field, (low, high) in RANGES.items():
        if field not in config:
            continue
        value = config[field]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return Refusal("SIS.0415", f"'{field}' is invalid")
    if "pitch" in config and voice in PREMIUM | NEWER_PREMIUM:
        return Refusal("SIS.0411", f"{voice} cannot change pitch")
    if "subtitle" in config and (
        config["subtitle"] not in SUBTITLES or not (middle_east or voice in SUBTITLED)
    ):
        return Refusal("SIS.0031", "'subtitle' is not supported")
    return voice, str(audio_format), sample_rate
