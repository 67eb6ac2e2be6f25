"""Draw the integration's brand images (an original design: a speech bubble with a waveform).

Run once after changing the design: `.venv/bin/python scripts/make_brand.py`.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).parent.parent / "custom_components" / "huawei_cloud_sis" / "brand"
TOP = (229, 57, 53)  # warm red
BOTTOM = (142, 36, 170)  # purple
WHITE = (255, 255, 255, 255)
BARS = (0.30, 0.55, 0.85, 1.0, 0.70, 0.45, 0.25)


def gradient(size: int) -> Image.Image:
    """Return a square vertical gradient."""
    image = Image.new("RGBA", (size, size))
    draw = ImageDraw.Draw(image)
    for y in range(size):
        t = y / (size - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(TOP, BOTTOM, strict=True))
        draw.line([(0, y), (size, y)], fill=(*colour, 255))
    return image


def icon(size: int) -> Image.Image:
    """Rounded square, white speech bubble, coloured waveform bars inside it."""
    scale = 4
    big = size * scale
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, big - 1, big - 1], radius=big // 5, fill=255)
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    image.paste(gradient(big), (0, 0), mask)
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = big * 0.16, big * 0.18, big * 0.84, big * 0.70
    draw.rounded_rectangle([left, top, right, bottom], radius=big * 0.12, fill=WHITE)
    draw.polygon(
        [(big * 0.30, bottom - 2), (big * 0.46, bottom - 2), (big * 0.27, big * 0.86)], fill=WHITE
    )
    width = (right - left) * 0.7 / (len(BARS) * 2 - 1)
    start = left + (right - left) * 0.15
    middle = (top + bottom) / 2
    for index, height in enumerate(BARS):
        x = start + index * 2 * width
        half = (bottom - top) * 0.34 * height
        draw.rounded_rectangle(
            [x, middle - half, x + width, middle + half], radius=width / 2, fill=(*TOP, 255)
        )
    return image.resize((size, size), Image.Resampling.LANCZOS)


def logo(height: int) -> Image.Image:
    """The icon followed by the name."""
    mark = icon(height)
    font = ImageFont.load_default(size=round(height * 0.42))
    text = "Huawei Cloud SIS"
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    box = probe.textbbox((0, 0), text, font=font)
    width = height + round(height * 0.2) + round(box[2] - box[0]) + round(height * 0.1)
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    image.paste(mark, (0, 0), mark)
    draw = ImageDraw.Draw(image)
    y = (height - (box[3] - box[1])) / 2 - box[1]
    draw.text((height + round(height * 0.2), y), text, font=font, fill=(*BOTTOM, 255))
    return image


def main() -> None:
    """Write the four images."""
    OUT.mkdir(parents=True, exist_ok=True)
    icon(256).save(OUT / "icon.png", optimize=True)
    icon(512).save(OUT / "icon@2x.png", optimize=True)
    logo(128).save(OUT / "logo.png", optimize=True)
    logo(256).save(OUT / "logo@2x.png", optimize=True)


if __name__ == "__main__":
    main()
