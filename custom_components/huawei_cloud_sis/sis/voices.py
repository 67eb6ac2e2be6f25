"""The voices of real-time speech synthesis: where each is offered and what it accepts.

Sources, and where they disagree:

- The voice list of Huawei's SDK (`TtsConfig`): 11 standard voices and 27
  premium ones. Premium voices are offered in cn-north-4 and cn-east-3 only and
  "cannot change pitch yet".
- The real-time synthesis pages of the China site: most voices take "fewer
  than 500 characters" (the 2021 pages) or "at most 500" (the current ones);
  the strict reading, fewer than 500, is used. A few premium voices take up to
  10,000 characters.
- The real-time synthesis page of the international site: only ME-Riyadh, with
  four "virtual human" voices (Arabic and English) that take up to 10,000
  characters, 8 or 16 kHz PCM, and a config of `audio_format`, `sample_rate`,
  `property` and `subtitle` only: no speed, pitch or volume.

Which voices real-time synthesis takes is disputed (point T1 of the project's
notes on Huawei's pages). The SDK's list is that of the non-streaming `/tts`
API; the real-time pages name far fewer:

- the 2021 real-time API pages (`huaweicloudDocs/sis`, 实时语音合成请求): "only
  the common voices" xiaoqi, xiaoyu, xiaoyan and xiaowang;
- the SDK reference of real-time synthesis (sis_05_0066, sis_05_0069): those
  and the premium huaxiaomei and huaxiaofei, "pcm only";
- the current real-time API page (sis_03_0115), in its text-length clause:
  huaxiaolong, huaxiaorui, amy and alvin too, and eight newer voices
  (huaxiaohe, -ye, -xue, -jiao, -hui, -kang, -kun, -quan) that no voice list
  describes, so they are not offered here.

`Voice.realtime` marks the voices a real-time page names; lists offer only
those unless asked for every documented voice, and each language's default is
one of them. The local server's reading `realtime_voices="realtime_pages"`
(tests/sis_server/synthesis_rules.py, `REALTIME_PAGE_VOICES`) takes the same
voices and the eight newer ones.

Language tags are BCP 47, as callers store them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from .regions import Site, synthesis_regions

CHINA_REGIONS: Final = synthesis_regions(Site.CHINA)
"""Where the China site's voices are offered: Beijing4 and Shanghai1."""
MIDDLE_EAST_REGIONS: Final = synthesis_regions(Site.INTERNATIONAL)
"""Where the international site's "virtual human" voices are offered: Riyadh only."""
SYNTHESIS_REGIONS: Final = (*CHINA_REGIONS, *MIDDLE_EAST_REGIONS)
"""Regions with a documented real-time speech synthesis endpoint (nothing for ap-southeast-3)."""

SHORT_TEXT: Final = 499
"""Most voices: "fewer than 500 characters" per START (the strict reading)."""
LONG_TEXT: Final = 10000
"""The voices documented for texts of up to 10,000 characters."""


class VoiceTier(StrEnum):
    """How a voice is billed: per call of up to 100 characters, or of up to 50."""

    STANDARD = "standard"
    PREMIUM = "premium"


@dataclass(frozen=True, slots=True, kw_only=True)
class Voice:
    """One voice: its `property` value, who it is, where it is offered and what it takes."""

    voice_id: str
    """The `property` of the START config, e.g. `chinese_xiaoqi_common`."""
    language: str
    """The language it speaks (mixed Chinese and English voices count as Mandarin)."""
    name: str
    """How people call it, in Latin letters and, for Chinese voices, in Chinese."""
    description: str
    """What it sounds like, in a few English words."""
    tier: VoiceTier
    regions: tuple[str, ...]
    max_text: int = SHORT_TEXT
    """Most characters of one START."""
    speed: bool = True
    """Takes `speed`."""
    pitch: bool = True
    """Takes `pitch` (premium voices do not)."""
    volume: bool = True
    """Takes `volume`."""
    sample_rates: tuple[int, ...] = (8000, 16000)
    realtime: bool = False
    """A real-time synthesis page names it (see the module's text)."""

    @property
    def label(self) -> str:
        """A readable name for lists: name, what it sounds like, and the tier when premium."""
        tier = ", premium" if self.tier is VoiceTier.PREMIUM else ""
        return f"{self.name} ({self.description}{tier})"


def _standard(
    voice_id: str, language: str, name: str, description: str, *, realtime: bool = False
) -> Voice:
    return Voice(
        voice_id=voice_id,
        language=language,
        name=name,
        description=description,
        tier=VoiceTier.STANDARD,
        regions=CHINA_REGIONS,
        realtime=realtime,
    )


def _premium(
    voice_id: str,
    language: str,
    name: str,
    description: str,
    *,
    max_text: int = SHORT_TEXT,
    sample_rates: tuple[int, ...] = (8000, 16000),
    realtime: bool = False,
) -> Voice:
    return Voice(
        voice_id=voice_id,
        language=language,
        name=name,
        description=description,
        tier=VoiceTier.PREMIUM,
        regions=CHINA_REGIONS,
        max_text=max_text,
        pitch=False,
        sample_rates=sample_rates,
        realtime=realtime,
    )


def _virtual_human(voice_id: str, language: str, name: str, description: str) -> Voice:
    return Voice(
        voice_id=voice_id,
        language=language,
        name=name,
        description=description,
        tier=VoiceTier.PREMIUM,
        regions=MIDDLE_EAST_REGIONS,
        max_text=LONG_TEXT,
        speed=False,
        pitch=False,
        volume=False,
        realtime=True,
    )


_ZH: Final = "zh-CN"
_EN: Final = "en-US"
_AR: Final = "ar"
_MIXED: Final = "Chinese and English"
_ONLY_16K: Final = (16000,)

VOICES: Final[Mapping[str, Voice]] = {
    voice.voice_id: voice
    for voice in (
        # The first real-time voice of a language offered in a region is its default there.
        _standard("chinese_xiaoqi_common", _ZH, "Xiaoqi 小琪", "standard female", realtime=True),
        _standard("chinese_xiaoyu_common", _ZH, "Xiaoyu 小宇", "standard male", realtime=True),
        _standard("chinese_xiaoyan_common", _ZH, "Xiaoyan 小燕", "gentle female", realtime=True),
        _standard("chinese_xiaowen_common", _ZH, "Xiaowen 小雯", "soft female"),
        _standard("chinese_xiaojing_common", _ZH, "Xiaojing 小婧", "playful female"),
        _standard("chinese_xiaoxia_common", _ZH, "Xiaoxia 小夏", "warm female"),
        _standard("chinese_xiaoqian_common", _ZH, "Xiaoqian 小倩", "mature female"),
        _standard("chinese_xiaosong_common", _ZH, "Xiaosong 小宋", "spirited male"),
        _standard("chinese_xiaowang_common", _ZH, "Xiaowang 小王", "child", realtime=True),
        _standard("chinese_xiaodai_common", _ZH, "Xiaodai 小呆", "cute child"),
        _premium("chinese_huaxiaoxia_common", _ZH, "Hua Xiaoxia 华小夏", "warm female"),
        _premium("chinese_huaxiaogang_common", _ZH, "Hua Xiaogang 华晓刚", "crisp male"),
        _premium("chinese_huaxiaolu_common", _ZH, "Hua Xiaolu 华小璐", "thoughtful female"),
        _premium("chinese_huaxiaoshu_common", _ZH, "Hua Xiaoshu 华小舒", "soothing female"),
        _premium("chinese_huaxiaowei_common", _ZH, "Hua Xiaowei 华小唯", "sweet female"),
        _premium("chinese_huaxiaoliang_common", _ZH, "Hua Xiaoliang 华小靓", "clear female"),
        _premium("chinese_huaxiaodong_common", _ZH, "Hua Xiaodong 华晓东", "mature male"),
        _premium("chinese_huaxiaoyan_common", _ZH, "Hua Xiaoyan 华小颜", "stern female"),
        _premium("chinese_huaxiaoxuan_common", _ZH, "Hua Xiaoxuan 华小萱", "Taiwanese female"),
        _premium("chinese_huaxiaowen_common", _ZH, "Hua Xiaowen 华小雯", "soft female"),
        _premium("chinese_huaxiaoyang_common", _ZH, "Hua Xiaoyang 华晓阳", "lively male"),
        _premium("chinese_huaxiaomin_common", _ZH, "Hua Xiaomin 华小闽", "Minnan female"),
        _premium(
            "chinese_huanvxia_literature",
            _ZH,
            "Hua Nüxia 华女侠",
            "storyteller female",
            sample_rates=_ONLY_16K,
        ),
        _premium(
            "chinese_huaxiaoxuan_literature",
            _ZH,
            "Hua Xiaoxuan 华晓悬",
            "suspense male",
            sample_rates=_ONLY_16K,
        ),
        _premium(
            "chinese_huaxiaomei_common",
            _ZH,
            "Hua Xiaomei 华小美",
            "gentle female",
            max_text=LONG_TEXT,
            realtime=True,
        ),
        _premium(
            "chinese_huaxiaofei_common",
            _ZH,
            "Hua Xiaofei 华小飞",
            "lively male",
            max_text=LONG_TEXT,
            realtime=True,
        ),
        _premium(
            "chinese_huaxiaolong_common",
            _ZH,
            "Hua Xiaolong 华小龙",
            "lively male",
            max_text=LONG_TEXT,
            realtime=True,
        ),
        _premium(
            "chinese_huaxiaorui_common",
            _ZH,
            "Hua Xiaorui 华小蕊",
            "thoughtful female",
            max_text=LONG_TEXT,
            realtime=True,
        ),
        _premium("chinese_huaxiaoru_common", _ZH, "Hua Xiaoru 华小汝", f"soft female, {_MIXED}"),
        _premium(
            "chinese_huaxiaohan_common", _ZH, "Hua Xiaohan 华小涵", f"thoughtful female, {_MIXED}"
        ),
        _premium("chinese_huaxiaoning_common", _ZH, "Hua Xiaoning 华小宁", f"calm male, {_MIXED}"),
        _premium(
            "chinese_huaxiaozhen_common", _ZH, "Hua Xiaozhen 华小珍", f"gentle female, {_MIXED}"
        ),
        _premium(
            "chinese_huaxiaoman_common", _ZH, "Hua Xiaoman 华小曼", f"gentle female, {_MIXED}"
        ),
        _premium(
            "chinese_huaxiaofang_common", _ZH, "Hua Xiaofang 华小芳", f"lively female, {_MIXED}"
        ),
        _premium(
            "chinese_huaxiaojun_common", _ZH, "Hua Xiaojun 华小筠", f"mature female, {_MIXED}"
        ),
        _standard("english_cameal_common", _EN, "Cameal", "soft female"),
        _premium(
            "english_amy_common", _EN, "Amy", "mature female", max_text=LONG_TEXT, realtime=True
        ),
        _premium(
            "english_alvin_common", _EN, "Alvin", "mature male", max_text=LONG_TEXT, realtime=True
        ),
        _virtual_human("english_dh_female", _EN, "Aisha", "female"),
        _virtual_human("english_dh_male", _EN, "Ahmed", "male"),
        _virtual_human("arabic_dh_female", _AR, "Aisha", "female"),
        _virtual_human("arabic_dh_male", _AR, "Ahmed", "male"),
    )
}
"""Every documented voice, in the order they are listed."""

PROBE_TEXTS: Final[Mapping[str, str]] = {_ZH: "好", _EN: "Hi", _AR: "نعم"}
"""A word of each language, the shortest text that proves a voice: one billed call."""


def voices_for_region(region: str | None, *, every_documented: bool = False) -> list[Voice]:
    """Return the voices of a region that a real-time page names, or every documented one.

    The region None (not known) offers the voices of every region. The voices
    a real-time page names come first, in the order of `VOICES`.
    """
    offered = [voice for voice in VOICES.values() if region is None or region in voice.regions]
    return [voice for voice in offered if voice.realtime] + (
        [voice for voice in offered if not voice.realtime] if every_documented else []
    )


def default_voice(region: str | None, language: str) -> Voice | None:
    """Return a language's default voice in a region: the first a real-time page names."""
    return next((voice for voice in voices_for_region(region) if voice.language == language), None)


def text_length(text: str) -> int:
    """Count characters strictly: a character beyond 16 bits (an emoji) counts twice.

    The pages say "characters" without saying how they are counted; UTF-16
    code units are the larger of the usual counts.
    """
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)
