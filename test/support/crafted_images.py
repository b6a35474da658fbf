# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Small encoded pictures that declare a huge size: one per format OpenCV decodes.

Each builder returns the bytes of a file whose header says width x height while the file
stays small; where OpenCV fills the picture from that little data (an RLE end-of-bitmap,
deflate runs of zeros, a lossless WebP with one colour, padded JPEG headers), decoding it
allocates and writes the whole picture. Built here, in the test, so no binary blobs are kept.
Imports no ROS and nothing of resnet_x5_ros.
"""

import math
import struct
import zlib

import cv2
import numpy as np

HUGE = 9000  # beyond the node's 8192 per side, under OpenCV's own 2**30 pixels


def _small_jpeg(progressive):
    params = [cv2.IMWRITE_JPEG_QUALITY, 90]
    if progressive:
        params += [cv2.IMWRITE_JPEG_PROGRESSIVE, 1]
    ok, buf = cv2.imencode('.jpg', np.full((16, 16, 3), 128, np.uint8), params)
    assert ok
    return buf.tobytes()


def _frame_header_at(jpeg):
    pos = 2
    while not (0xC0 <= jpeg[pos + 1] <= 0xC2):
        pos += 2 + int.from_bytes(jpeg[pos + 2:pos + 4], 'big')
    return pos


def jpeg(width=HUGE, height=HUGE, padding=17, junk=0, progressive=True):
    """Return a JPEG whose frame header says width x height.

    `padding` 64 KB comment segments come first (17 put the frame header past the first
    MiB), then `junk` stray bytes, which libjpeg skips with a warning.
    """
    small = bytearray(_small_jpeg(progressive))
    sof = _frame_header_at(small)
    small[sof + 5:sof + 9] = struct.pack('>HH', height, width)
    comment = b'\xff\xfe\xff\xff' + b'c' * 0xfffd
    return b'\xff\xd8' + comment * padding + b'\x00' * junk + bytes(small[2:])


def _png_chunk(tag, body):
    return struct.pack('>I', len(body)) + tag + body + \
        struct.pack('>I', zlib.crc32(tag + body) & 0xFFFFFFFF)


def png(width=HUGE, height=HUGE):
    """Return an 8-bit grey PNG of zero rows (deflate compresses them about 1000:1)."""
    packer = zlib.compressobj(9)
    row = bytes(width + 1)
    data = b''.join(packer.compress(row) for _ in range(height)) + packer.flush()
    return b'\x89PNG\r\n\x1a\n' + \
        _png_chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)) + \
        _png_chunk(b'IDAT', data) + _png_chunk(b'IEND', b'')


def bmp(width=HUGE, height=HUGE, header_size=40):
    """Return an 8-bit RLE BMP that is only an end-of-bitmap code: OpenCV fills every pixel.

    header_size=12 gives the old core header (no RLE), for header parsing only.
    """
    palette = bytes(256 * 4)
    offset = 14 + header_size + len(palette)
    if header_size == 12:
        info = struct.pack('<IHHHH', 12, width, height, 1, 8)
        palette = bytes(256 * 3)
        offset = 14 + 12 + len(palette)
    else:
        info = struct.pack('<IiiHHIIiiII', header_size, width, height, 1, 8, 1, 2, 0, 0, 0,
                           0) + bytes(header_size - 40)
    data = b'\x00\x01'
    return b'BM' + struct.pack('<IHHI', offset + len(data), 0, 0, offset) + info + palette + \
        data


def pnm(width=HUGE, height=HUGE, header=None):
    """Return a binary PBM (P4): one bit per pixel, decoded to 3 bytes per pixel."""
    header = header or 'P4\n# crafted\n{} {}\n'.format(width, height).encode()
    return header + bytes(math.ceil(width / 8) * height)


def _tiff_entries(entries):
    """Little-endian TIFF: {tag: (type, values)}; returns header + IFD + out-of-line data."""
    formats = {3: 'H', 4: 'I'}
    ifd_size = 2 + 12 * len(entries) + 4
    extra = b''
    body = struct.pack('<H', len(entries))
    for tag in sorted(entries):
        kind, values = entries[tag]
        packed = struct.pack('<{}{}'.format(len(values), formats[kind]), *values)
        if len(packed) <= 4:
            field = packed.ljust(4, b'\x00')
        else:
            field = struct.pack('<I', 8 + ifd_size + len(extra))
            extra += packed
        body += struct.pack('<HHI', tag, kind, len(values)) + field
    return b'II*\x00' + struct.pack('<I', 8) + body + b'\x00' * 4, extra


def tiff(width=HUGE, height=HUGE, rows_per_strip=8, tile=None):
    """Return a deflate-compressed 8-bit RGB TIFF of zeros, in strips or square tiles.

    Every strip or tile points at the same compressed block, so the file stays small.
    """
    if tile:
        block = (tile, tile)
        count = math.ceil(width / tile) * math.ceil(height / tile)
        layout = {322: (4, [tile]), 323: (4, [tile])}
        offsets_tag, counts_tag = 324, 325
    else:
        block = (width, rows_per_strip)
        count = math.ceil(height / rows_per_strip)
        layout = {278: (4, [rows_per_strip])}
        offsets_tag, counts_tag = 273, 279
    packer = zlib.compressobj(9)
    row = bytes(block[0] * 3)
    data = b''.join(packer.compress(row) for _ in range(block[1])) + packer.flush()
    entries = {256: (4, [width]), 257: (4, [height]), 258: (3, [8, 8, 8]), 259: (3, [8]),
               262: (3, [2]), 277: (3, [3]), 284: (3, [1]), offsets_tag: (4, [0] * count),
               counts_tag: (4, [len(data)] * count), **layout}
    head, extra = _tiff_entries(entries)
    start = len(head) + len(extra)
    entries[offsets_tag] = (4, [start] * count)
    head, extra = _tiff_entries(entries)
    return head + extra + data


class _Bits:
    """LSB-first bit writer, as WebP lossless reads its stream."""

    def __init__(self):
        self.value, self.count = 0, 0

    def put(self, value, bits):
        self.value |= value << self.count
        self.count += bits

    def packed(self):
        return self.value.to_bytes((self.count + 7) // 8, 'little')


def webp(width=HUGE, height=HUGE):
    """Return a lossless (VP8L) WebP of one colour, a few dozen bytes.

    Every prefix code has a single symbol, so the pixels cost no bits at all.
    """
    bits = _Bits()
    bits.put(0x2f, 8)
    bits.put(width - 1, 14)
    bits.put(height - 1, 14)
    bits.put(0, 4)        # no alpha, version 0
    bits.put(0, 1)        # no transform
    bits.put(0, 1)        # no colour cache
    bits.put(0, 1)        # one prefix code group
    for _ in range(5):    # green, red, blue, alpha, distance: simple code, one symbol (0)
        bits.put(1, 1)
        bits.put(0, 1)
        bits.put(0, 1)
        bits.put(0, 1)
    payload = bits.packed().ljust(16, b'\x00')  # OpenCV reads at least 32 bytes of a WebP
    chunk = b'VP8L' + struct.pack('<I', len(payload)) + payload + b'\x00' * (len(payload) % 2)
    return b'RIFF' + struct.pack('<I', 4 + len(chunk)) + b'WEBP' + chunk


def gif(width=HUGE, height=HUGE):
    """Return a GIF89a with one image of width x height, two colours and no pixel data."""
    screen = struct.pack('<HHBBB', width, height, 0x80, 0, 0) + bytes(6)
    image = b'\x2c' + struct.pack('<HHHHB', 0, 0, width, height, 0)
    return b'GIF89a' + screen + image + b'\x02\x01\x2c\x00' + b'\x3b'


# Formats OpenCV may decode that the package does not: a few header bytes each, by name.
UNACCEPTED = {
    'GIF': gif(),
    'BigTIFF': b'II+\x00\x08\x00\x00\x00' + bytes(64),
    'PAM': b'P7\nWIDTH 9000\nHEIGHT 9000\nDEPTH 3\nMAXVAL 255\nTUPLTYPE RGB\nENDHDR\n' +
           bytes(64),
    'PFM': b'PF\n9000 9000\n-1.0\n' + bytes(64),
    'Sun raster': b'\x59\xa6\x6a\x95' + struct.pack('>7I', 9000, 9000, 24, 0, 1, 0, 0) +
                  bytes(64),
    'Radiance HDR': b'#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 9000 +X 9000\n' + bytes(64),
    'OpenEXR': b'\x76\x2f\x31\x01' + bytes(64),
    'JPEG 2000': b'\x00\x00\x00\x0cjP  \r\n\x87\n' + bytes(64),
}

# format name -> builder of a huge picture in it
HUGE_PICTURES = {'JPEG': jpeg, 'PNG': png, 'BMP': bmp, 'PNM': pnm, 'TIFF': tiff, 'WebP': webp}
