"""WAV header detection and sample alignment of the audio handed to the entity."""

from __future__ import annotations

import io
import struct
import wave

import pytest

from custom_components.huawei_cloud_sis.audio import AudioInputError, PcmInput

PCM = bytes(range(256)) * 40  # 10240 bytes, 5120 samples


def _wav(pcm: bytes = PCM, *, rate: int = 16000, channels: int = 1, width: int = 2) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(pcm)
    return buffer.getvalue()


def _chunk(tag: bytes, body: bytes) -> bytes:
    return tag + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")


def _fmt(tag: int = 1, channels: int = 1, rate: int = 16000, bits: int = 16) -> bytes:
    return struct.pack("<HHIIHH", tag, channels, rate, rate * 2, 2, bits)


def _riff(*chunks: bytes) -> bytes:
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _run(data: bytes, size: int, *, rate: int = 16000) -> bytes:
    pcm = PcmInput(sample_rate=rate)
    out = b"".join(pcm.feed(data[i : i + size]) for i in range(0, len(data), size))
    return out + pcm.finish()


@pytest.mark.parametrize("size", [1, 3, 7, 44, 320, 4096, 100000])
def test_raw_pcm_passes_unchanged(size: int) -> None:
    assert _run(PCM, size) == PCM


@pytest.mark.parametrize("size", [1, 2, 5, 11, 12, 13, 43, 45, 4096])
def test_wav_header_is_stripped_across_chunk_boundaries(size: int) -> None:
    pcm = PcmInput(sample_rate=16000)
    out = b"".join(pcm.feed(_wav()[i : i + size]) for i in range(0, len(_wav()), size))
    assert out + pcm.finish() == PCM
    assert pcm.wav


def test_extra_chunks_before_data_are_skipped_and_trailing_chunks_dropped() -> None:
    data = _riff(
        _chunk(b"fmt ", _fmt()),
        _chunk(b"LIST", b"INFOISFT" + b"x" * 13),
        _chunk(b"data", PCM),
        _chunk(b"LIST", b"trailing metadata"),
    )
    for size in (1, 9, 320):
        assert _run(data, size) == PCM


def test_unknown_data_size_streams_to_the_end() -> None:
    data = _riff(_chunk(b"fmt ", _fmt())) + b"data" + b"\xff\xff\xff\xff" + PCM
    assert _run(data, 100) == PCM


def test_extensible_format_with_pcm_subformat_is_accepted() -> None:
    body = _fmt(tag=0xFFFE) + struct.pack("<HHIH", 22, 16, 4, 1) + b"\0" * 14
    data = _riff(_chunk(b"fmt ", body), _chunk(b"data", PCM))
    assert _run(data, 64) == PCM


@pytest.mark.parametrize(
    ("wav", "message"),
    [
        (_wav(rate=8000), "8000 Hz instead of 16000 Hz"),
        (_wav(channels=2), "2 channels instead of 1"),
        (_wav(width=1), "8 bits instead of 16"),
        (_riff(_chunk(b"fmt ", _fmt(tag=3)), _chunk(b"data", PCM)), "format 3 instead of PCM"),
        (_riff(_chunk(b"data", PCM)), "no format before the audio"),
        (_riff(_chunk(b"fmt ", b"\1\0")), "format chunk is too short"),
        (_riff(_chunk(b"fmt ", b"\0" * 2000)), "format chunk is too long"),
        (_riff(_chunk(b"JUNK", b"\0" * 70000)), "header is too long"),
        (b"RIFF\0\0\0\0AVI LIST", "not WAVE"),
    ],
)
def test_header_that_disagrees_is_refused(wav: bytes, message: str) -> None:
    with pytest.raises(AudioInputError, match=message):
        _run(wav, 4096)


def test_header_only_or_truncated_header_is_refused() -> None:
    with pytest.raises(AudioInputError, match="ended inside its WAV header"):
        _run(_wav()[:30], 7)


def test_header_without_audio_gives_no_audio() -> None:
    assert _run(_wav(b""), 10) == b""


def test_wav_at_8000_hz_matches_8000_hz_metadata() -> None:
    assert _run(_wav(rate=8000), 333, rate=8000) == PCM


def test_odd_chunks_never_shift_samples_and_a_trailing_odd_byte_is_dropped() -> None:
    pcm = PcmInput(sample_rate=16000)
    sent = [pcm.feed(PCM[:3]), pcm.feed(PCM[3:6]), pcm.feed(PCM[6:9])]
    assert [len(part) for part in sent] == [2, 4, 2]
    assert all(len(part) % 2 == 0 for part in sent)
    assert b"".join(sent) + pcm.finish() == PCM[:8]


def test_short_raw_stream_that_looks_like_riff_prefix_is_audio() -> None:
    assert _run(b"RIF\0", 1) == b"RIF\0"
    assert _run(b"", 1) == b""
