# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""Encoded pictures: their format and size, read from the headers before anything is decoded.

OpenCV decodes whatever format it recognises, whatever a CompressedImage's format string says,
and allocates the whole picture its header declares before it finds how little data follows:
a few dozen bytes can declare 9000 x 9000 pixels (hundreds of MB). So every encoded picture the
package decodes (CompressedImage payloads, the tools' image files) is sized here first, from
the header field its OpenCV decoder uses:

    JPEG  the first frame header (SOFn), however many segments come before it
    PNG   IHDR
    TIFF  the first directory's ImageWidth and ImageLength (and tiles not far larger)
    WebP  the VP8 key frame, VP8L or VP8X canvas size
    BMP   the core (12-byte) or Windows (>= 36-byte) info header
    PNM   P1..P6 (PBM, PGM, PPM): the width and height numbers

Every other format OpenCV may decode (GIF, BigTIFF, PAM, PFM, Sun raster, Radiance HDR,
OpenEXR, JPEG 2000, ...) is refused by name, unknown data too; a header that is cut short, or
that decoders could read differently, is refused rather than guessed. The signatures are the
ones OpenCV picks its decoder by, so data sized here as format X goes to OpenCV's X decoder.
Imports no ROS and no cv2.
"""

import re
import struct

import numpy as np

from resnet_x5_ros.convert.validate import FrameError, MAX_DIMENSION


class _Unreadable(Exception):
    """A header this module cannot size; the message says why."""


_FILL = re.compile(rb'\xff+')
# Frame headers: SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length field: TEM and RST0..RST7.
_BARE_MARKERS = frozenset([0x01, *range(0xD0, 0xD8)])
_JPEG_SHORT = 'JPEG ends before its frame header'


def jpeg_size(view):
    """(width, height) from a JPEG's first frame header, walking every segment before it.

    No byte limit: comment or APPn segments can put the frame header anywhere. libjpeg skips
    stray bytes between segments (with a warning on stderr); here they are refused, as are a
    scan or a second SOI before the frame header.
    """
    size = len(view)
    pos = 2
    while True:
        if pos >= size:
            raise _Unreadable(_JPEG_SHORT)
        if view[pos] != 0xFF:
            raise _Unreadable('JPEG is corrupt: stray bytes between its header segments')
        marker_at = pos + 1
        if marker_at < size and view[marker_at] == 0xFF:
            marker_at = _FILL.match(view, pos).end()  # any number of 0xFF fill bytes
        if marker_at >= size:
            raise _Unreadable(_JPEG_SHORT)
        marker = view[marker_at]
        if marker in _BARE_MARKERS:
            pos = marker_at + 1
            continue
        if marker in (0x00, 0xD8, 0xD9, 0xDA):
            raise _Unreadable('JPEG is corrupt: marker 0x{:02X} before its frame header'
                              .format(marker))
        if marker_at + 3 > size:
            raise _Unreadable(_JPEG_SHORT)
        length = view[marker_at + 1] << 8 | view[marker_at + 2]
        if marker in _FRAME_MARKERS:
            if marker_at + 8 > size:
                raise _Unreadable(_JPEG_SHORT)
            return (view[marker_at + 6] << 8 | view[marker_at + 7],
                    view[marker_at + 4] << 8 | view[marker_at + 5])
        if length < 2:
            raise _Unreadable('JPEG is corrupt: segment 0x{:02X} has length {}'.format(
                marker, length))
        pos = marker_at + 1 + length


def png_size(view):
    """(width, height) from a PNG's IHDR, which must be its first chunk."""
    if len(view) < 24 or bytes(view[12:16]) != b'IHDR':
        raise _Unreadable('PNG does not start with an IHDR chunk')
    return struct.unpack_from('>II', view, 16)


def bmp_size(view):
    """(width, height) from a BMP's info header; a negative height means top-down rows."""
    if len(view) < 26:
        raise _Unreadable('BMP ends inside its headers')
    (header,) = struct.unpack_from('<i', view, 14)
    if header == 12:
        return struct.unpack_from('<HH', view, 18)
    if header >= 36:
        width, height = struct.unpack_from('<ii', view, 18)
        return width, abs(height)
    raise _Unreadable('BMP info header of {} bytes is not one OpenCV reads'.format(header))


# Between PNM header numbers: white space and '#' comments to the end of a line. A number
# must end in white space: OpenCV's reader swallows the byte after a number, so a comment
# right after one would be read differently by different decoders.
_PNM_GAP = rb'(?:\s|#[^\n\r]*[\n\r])*'
_PNM_HEADER = re.compile(rb'P[1-6]\s' + _PNM_GAP + rb'([0-9]{1,9})\s' + _PNM_GAP +
                         rb'([0-9]{1,9})\s')


def pnm_size(view):
    """(width, height) from a PBM/PGM/PPM header (P1..P6)."""
    match = _PNM_HEADER.match(view)
    if match is None:
        raise _Unreadable('PNM header does not give its width and height as decimal numbers '
                          '(of at most 9 digits) each followed by white space')
    return int(match.group(1)), int(match.group(2))


_TIFF_ORDER = {b'II*\x00': '<', b'MM\x00*': '>'}
_TIFF_ENTRY = {order: np.dtype([('tag', order + 'u2'), ('type', order + 'u2'),
                                ('count', order + 'u4'), ('value', 'V4')])
               for order in _TIFF_ORDER.values()}
# Field types libtiff reads one dimension from: BYTE, SHORT, LONG and the signed forms.
_TIFF_INTEGERS = {1: 'B', 3: 'H', 4: 'I', 6: 'b', 8: 'h', 9: 'i'}
_TIFF_FIELDS = {256: 'ImageWidth', 257: 'ImageLength', 322: 'TileWidth', 323: 'TileLength'}
# Tiles may overhang the picture (their sides are multiples of 16); a fixed tile size such as
# 256 or 512 for any picture is common. OpenCV holds one whole tile as RGBA while decoding.
_TIFF_TILE_SLACK = 1024


def _tiff_fields(view, order):
    (ifd,) = struct.unpack_from(order + 'I', view, 4)
    if ifd < 8 or ifd + 2 > len(view):
        raise _Unreadable('TIFF directory offset {} lies outside the data'.format(ifd))
    (count,) = struct.unpack_from(order + 'H', view, ifd)
    if ifd + 2 + 12 * count > len(view):
        raise _Unreadable('TIFF directory is cut short')
    entries = np.frombuffer(view, _TIFF_ENTRY[order], count, ifd + 2)
    fields = {}
    for index in np.flatnonzero(np.isin(entries['tag'], list(_TIFF_FIELDS))):
        tag, kind, values = (int(entries[key][index]) for key in ('tag', 'type', 'count'))
        if tag in fields:  # libtiff would take the last one
            raise _Unreadable('TIFF gives its {} twice'.format(_TIFF_FIELDS[tag]))
        if kind not in _TIFF_INTEGERS or values != 1:
            raise _Unreadable('TIFF {} is not one integer'.format(_TIFF_FIELDS[tag]))
        (fields[tag],) = struct.unpack_from(order + _TIFF_INTEGERS[kind], view,
                                            ifd + 2 + 12 * int(index) + 8)
    return fields


def tiff_size(view):
    """(width, height) from a TIFF's first directory, which OpenCV decodes.

    Refused as well: tiles much larger than the picture, which OpenCV would allocate whole.
    """
    if len(view) < 8:
        raise _Unreadable('TIFF ends inside its header')
    fields = _tiff_fields(view, _TIFF_ORDER[bytes(view[:4])])
    if 256 not in fields or 257 not in fields:
        raise _Unreadable('TIFF first directory has no ImageWidth or ImageLength')
    width, height = fields[256], fields[257]
    if (322 in fields) != (323 in fields):
        raise _Unreadable('TIFF gives only one of TileWidth and TileLength')
    if 322 in fields:
        tile_width, tile_height = fields[322], fields[323]
        if tile_width > max(_TIFF_TILE_SLACK, -(-width // 16) * 16) or \
                tile_height > max(_TIFF_TILE_SLACK, -(-height // 16) * 16):
            raise _Unreadable('TIFF tiles of {}x{} are far larger than its {}x{} picture'
                              .format(tile_width, tile_height, width, height))
    return width, height


def webp_size(view):
    """(width, height) from a WebP's first chunk: VP8 (lossy), VP8L (lossless) or VP8X."""
    if len(view) < 30:
        raise _Unreadable('WebP ends inside its headers')
    chunk = bytes(view[12:16])
    if chunk == b'VP8X':
        return (1 + int.from_bytes(view[24:27], 'little'),
                1 + int.from_bytes(view[27:30], 'little'))
    if chunk == b'VP8L':
        if view[20] != 0x2F:
            raise _Unreadable('WebP lossless stream has no signature')
        (bits,) = struct.unpack_from('<I', view, 21)
        return (bits & 0x3FFF) + 1, (bits >> 14 & 0x3FFF) + 1
    if chunk == b'VP8 ':
        if view[20] & 1 or bytes(view[23:26]) != b'\x9d\x01\x2a':
            raise _Unreadable('WebP lossy stream does not start with a key frame')
        width, height = struct.unpack_from('<HH', view, 26)
        return width & 0x3FFF, height & 0x3FFF
    raise _Unreadable('WebP does not start with a VP8, VP8L or VP8X chunk')


# (name, signature, size reader or None to refuse the format), as OpenCV tells them apart.
_FORMATS = tuple((name, re.compile(signature, re.DOTALL), sizer) for name, signature, sizer in (
    ('JPEG', rb'\xff\xd8\xff', jpeg_size),
    ('PNG', rb'\x89PNG\r\n\x1a\n', png_size),
    ('TIFF', rb'II\x2a\x00|MM\x00\x2a', tiff_size),
    ('WebP', rb'RIFF....WEBP', webp_size),
    ('BMP', rb'BM', bmp_size),
    ('PNM', rb'P[1-6]\s', pnm_size),
    ('GIF', rb'GIF8[79]a', None),
    ('BigTIFF', rb'II\x2b\x00|MM\x00\x2b', None),
    ('PAM', rb'P7\s', None),
    ('PFM', rb'P[Ff]\s', None),
    ('Sun raster', rb'\x59\xa6\x6a\x95', None),
    ('Radiance HDR', rb'#\?(?:RADIANCE|RGBE)', None),
    ('OpenEXR', rb'\x76\x2f\x31\x01', None),
    ('JPEG 2000', rb'\x00\x00\x00\x0cjP  \r\n\x87\n|\xff\x4f\xff\x51', None),
    ('JPEG XL', rb'\xff\x0a|\x00\x00\x00\x0cJXL \r\n\x87\n', None),
    ('AVIF/HEIF', rb'....ftyp', None),
    ('QOI', rb'qoif', None),
))
ACCEPTED = tuple(name for name, _, sizer in _FORMATS if sizer is not None)
_ACCEPTED_TEXT = '{} or {}'.format(', '.join(ACCEPTED[:-1]), ACCEPTED[-1])


def image_size(buf, what):
    """Return (format name, width, height) of an encoded picture, before any decoding.

    buf: 1-D uint8 array. Raises FrameError naming `what` when the format is not one of
    ACCEPTED, its header cannot be read, or a side is not within 1..MAX_DIMENSION.
    """
    view = memoryview(buf)
    for name, signature, sizer in _FORMATS:
        if signature.match(view):
            break
    else:
        raise FrameError('cannot decode {}: not a {} picture'.format(what, _ACCEPTED_TEXT))
    if sizer is None:
        raise FrameError('cannot decode {}: {} is not one of the formats whose size is checked '
                         'before decoding ({})'.format(what, name, ', '.join(ACCEPTED)))
    try:
        width, height = sizer(view)
    except _Unreadable as exc:
        raise FrameError('cannot decode {}: {}'.format(what, exc)) from None
    if not (1 <= width <= MAX_DIMENSION and 1 <= height <= MAX_DIMENSION):
        raise FrameError('{}: {} size {}x{} is not within 1..{}'.format(
            what, name, width, height, MAX_DIMENSION))
    return name, width, height
