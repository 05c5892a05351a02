"""Reading QR codes back in tests: PNG through Pillow, SVG through a tiny renderer of its path.

qrcode's SvgPathFillImage draws every dark module as a subpath of one <path>
("M3.2,3.2H4V4H3.2z..."). Filling each subpath as a polygon is all a QR code
needs, so the tests read the SVG the server sends without a full SVG library.
"""

from __future__ import annotations

import io
import re
from xml.etree import ElementTree

import zxingcpp
from PIL import Image, ImageDraw

_SVG_NS = "{http://www.w3.org/2000/svg}"
_TOKENS = re.compile(r"[MmLlHhVvZz]|[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def _subpaths(d: str) -> list[list[tuple[float, float]]]:
    """The polygons of a path made of M, L, H, V and Z commands (absolute or relative)."""
    polygons: list[list[tuple[float, float]]] = []
    x = y = 0.0
    command = ""
    tokens = _TOKENS.findall(d)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.isalpha():
            command = token
            i += 1
            if command in "Zz":
                if polygons and polygons[-1]:
                    x, y = polygons[-1][0]
                continue
        relative = command.islower()
        kind = command.upper()
        if kind in ("M", "L"):
            dx, dy = float(tokens[i]), float(tokens[i + 1])
            i += 2
            x, y = (x + dx, y + dy) if relative else (dx, dy)
            if kind == "M":
                polygons.append([])
                command = "l" if relative else "L"  # further pairs after M are line-tos
        elif kind == "H":
            value = float(tokens[i])
            i += 1
            x = x + value if relative else value
        elif kind == "V":
            value = float(tokens[i])
            i += 1
            y = y + value if relative else value
        else:
            raise ValueError(f"unsupported path command {command!r}")
        polygons[-1].append((x, y))
    return [polygon for polygon in polygons if len(polygon) >= 3]


def rasterise_svg(svg: bytes | str, scale: int = 10) -> Image.Image:
    """A greyscale image of an SVG made of filled paths (and a background rectangle)."""
    root = ElementTree.fromstring(svg)
    left, top, width, height = (float(n) for n in root.get("viewBox").split())
    image = Image.new("L", (round(width * scale), round(height * scale)), 255)
    draw = ImageDraw.Draw(image)
    for path in root.iter(f"{_SVG_NS}path"):
        for polygon in _subpaths(path.get("d")):
            draw.polygon([((px - left) * scale, (py - top) * scale) for px, py in polygon], fill=0)
    return image


def decode(image: Image.Image) -> list[str]:
    """The texts of the QR codes found in an image."""
    return [barcode.text for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def decode_png(data: bytes) -> list[str]:
    return decode(Image.open(io.BytesIO(data)))


def decode_svg(data: bytes | str) -> list[str]:
    return decode(rasterise_svg(data))
