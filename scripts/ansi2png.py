#!/usr/bin/env python3
"""Render a tmux capture (capture-pane -p -e -N) to a PNG, cell by cell.

usage: ansi2png.py COLS ROWS OUT.png < capture.ansi      (needs: pip install pyte pillow)

pyte (a VT100 emulator) replays the escape sequences; Pillow draws each cell with DejaVu Sans Mono
(fonts-dejavu-core). scripts/screenshots.sh drives the whole pipeline.
"""
import sys

import pyte
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
SIZE = 16
PALETTE = {  # pyte's names for the 16 ANSI colours ("brown" is yellow)
    "black": (0x1e, 0x1e, 0x1e), "red": (0xe0, 0x6c, 0x75), "green": (0x98, 0xc3, 0x79),
    "brown": (0xe5, 0xc0, 0x7b), "blue": (0x61, 0xaf, 0xef), "magenta": (0xc6, 0x78, 0xdd),
    "cyan": (0x56, 0xb6, 0xc2), "white": (0xdc, 0xdf, 0xe4),
    "brightblack": (0x5c, 0x63, 0x70), "brightred": (0xff, 0x7b, 0x86), "brightgreen": (0xb5, 0xe8, 0x90),
    "brightbrown": (0xff, 0xd6, 0x8a), "brightblue": (0x7c, 0xc4, 0xff), "brightmagenta": (0xde, 0x95, 0xf5),
    "brightcyan": (0x6f, 0xd6, 0xe3), "brightwhite": (0xff, 0xff, 0xff),
}
DEFAULT_FG, DEFAULT_BG = (0xdc, 0xdf, 0xe4), (0x28, 0x2c, 0x34)


class DimScreen(pyte.Screen):
    """pyte ignores SGR 2 (dim); keep it, carried in the otherwise unused italics flag."""

    def select_graphic_rendition(self, *attrs, **kwargs):
        dim = None
        for attr in attrs or (0,):
            if attr == 2:
                dim = True
            elif attr in (0, 22):
                dim = False
        rest = [a for a in attrs if a != 2]
        if rest or not attrs:  # an empty list would mean SGR 0, a reset
            super().select_graphic_rendition(*rest, **kwargs)
        if dim is not None:
            self.cursor.attrs = self.cursor.attrs._replace(italics=dim)


def blend(a, b):
    return tuple((x + y) // 2 for x, y in zip(a, b))


def color(name, default):
    if name == "default":
        return default
    if name in PALETTE:
        return PALETTE[name]
    if len(name) == 6:  # 256-colour and truecolour cells arrive as hex
        return tuple(int(name[i:i + 2], 16) for i in (0, 2, 4))
    return default


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    cols, rows, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    data = sys.stdin.buffer.read().decode("utf-8", "replace")
    screen = DimScreen(cols, rows)
    # capture-pane ends lines with a bare LF; pyte needs CR LF to return to column 0.
    pyte.Stream(screen).feed(data.rstrip("\n").replace("\n", "\r\n"))
    regular = ImageFont.truetype(FONT_DIR + "DejaVuSansMono.ttf", SIZE)
    bold = ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Bold.ttf", SIZE)
    ascent, descent = regular.getmetrics()
    # A cell as tall as ascent + descent makes box drawing join up without gaps.
    cw, ch, pad = round(regular.getlength("M")), ascent + descent, 12
    img = Image.new("RGB", (cols * cw + 2 * pad, rows * ch + 2 * pad), DEFAULT_BG)
    draw = ImageDraw.Draw(img)
    for y in range(rows):
        line = screen.buffer[y]
        for x in range(cols):
            c = line[x]
            fg, bg = color(c.fg, DEFAULT_FG), color(c.bg, DEFAULT_BG)
            if c.bold and c.fg in PALETTE and "bright" + c.fg in PALETTE:
                fg = PALETTE["bright" + c.fg]
            if c.reverse:
                fg, bg = bg, fg
            if c.italics:  # dim: halfway to the background
                fg = blend(fg, bg)
            px, py = pad + x * cw, pad + y * ch
            if bg != DEFAULT_BG:
                draw.rectangle([px, py, px + cw - 1, py + ch - 1], fill=bg)
            if c.data and c.data != " ":
                draw.text((px, py), c.data, font=bold if c.bold else regular, fill=fg)
            if c.underscore:
                draw.line([px, py + ch - 2, px + cw - 1, py + ch - 2], fill=fg)
    img.save(out)


if __name__ == "__main__":
    main()
