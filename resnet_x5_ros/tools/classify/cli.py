# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""classify: classify image files or folders without ROS, exactly as the node would.

    classify samples                        # the sample photos installed with the package
    classify photo.jpg --backend bpu --top_k 3 --json
    classify photo.jpg --encoding nv12      # fed as a camera publishing NV12 would send it
    classify --bag recording --out results  # the images of a ROS 2 bag (tools/bag.py)

Each file goes through pipeline.Classifier (conversion to NV12, backend, post-processing),
the code the node's workers run. By default a file is decoded with OpenCV and handed over as
a bgr8 frame; --encoding picks another camera encoding, or `compressed` to send the file's
JPEG/PNG bytes as a CompressedImage. Exit status: 0, 1 if some file failed, 2 on set-up errors.
"""

import argparse
import json
import os
import sys

from resnet_x5_ros import convert
from resnet_x5_ros.backends import BackendError
from resnet_x5_ros.messages import one_line
from resnet_x5_ros.tools.classify import bag
from resnet_x5_ros.tools.common import (add_model_arguments, add_settings_arguments,
                                        open_classifier, run_tool, settings_line, ToolError)
from resnet_x5_ros.tools.frames import DEFAULT_ENCODING, FILE_ENCODINGS, frame_from_file
from resnet_x5_ros.tools.images import list_images, SourceError
from resnet_x5_ros.tools.samples import samples_help

PROG = 'classify'


def build_parser():
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split('\n', 1)[1] + '\n' + samples_help())
    parser.add_argument('paths', nargs='*', metavar='FILE|FOLDER',
                        help='image files and/or folders of images')
    parser.add_argument('--encoding', choices=FILE_ENCODINGS, default=DEFAULT_ENCODING,
                        help='how each file is fed to the pipeline (default bgr8)')
    parser.add_argument('--json', action='store_true',
                        help='print one JSON object instead of the table')
    add_model_arguments(parser)
    add_settings_arguments(parser)
    bag.add_bag_arguments(parser)
    return parser


def classify_file(classifier, path, encoding=DEFAULT_ENCODING):
    """Classify one file; returns a JSON-ready record (with 'error' instead of 'top' on failure).

    Record keys: path, width, height, encoding, top [{index, label, score}], convert_ms,
    infer_ms, post_ms.
    """
    record = {'path': os.fspath(path), 'encoding': encoding}
    try:
        frame, (width, height) = frame_from_file(path, encoding,
                                                 classifier.backend.nv12_range)
        record.update(width=width, height=height)
        result = classifier.classify(frame)
    except (SourceError, convert.FrameError, BackendError) as exc:
        record['error'] = one_line(exc)
        return record
    record['top'] = [{'index': i, 'label': classifier.labels[i], 'score': s}
                     for i, s in result.top]
    record.update(convert_ms=result.convert_s * 1e3, infer_ms=result.infer_s * 1e3,
                  post_ms=result.post_s * 1e3)
    return record


def classify_paths(classifier, paths, encoding=DEFAULT_ENCODING):
    """Classify every image in paths (files and folders); returns the records in order."""
    return [classify_file(classifier, p, encoding) for p in list_images(paths)]


def format_record(record):
    """Text lines for one record: a header line, then one line per class."""
    name = record['path']
    if 'error' in record:
        return ['{}  ERROR: {}'.format(name, record['error'])]
    lines = ['{}  {}x{} {}  convert {:.2f} ms  infer {:.2f} ms  post {:.2f} ms'.format(
             name, record['width'], record['height'], record['encoding'],
             record['convert_ms'], record['infer_ms'], record['post_ms'])]
    if not record['top']:
        lines.append('    (no class above the threshold)')
    for rank, entry in enumerate(record['top'], 1):
        lines.append('  {:2d}. {:6.2%}  {} ({})'.format(
            rank, entry['score'], entry['label'], entry['index']))
    return lines


def report(classifier, records, encoding):
    """Build the JSON document classify --json prints."""
    backend = classifier.backend
    return {
        'backend': backend.name, 'description': backend.description,
        'model': backend.model_path, 'input_width': backend.input_width,
        'input_height': backend.input_height, 'nv12_range': backend.nv12_range,
        'encoding': encoding, 'settings': dict(classifier.settings.__dict__),
        'images': records,
    }


def _main(argv):
    args = build_parser().parse_args(argv)
    if bag.requested(args):
        return bag.run(args)
    if not args.paths:
        raise ToolError('give image files or folders, or --bag BAG')
    try:
        paths = list_images(args.paths)
    except SourceError as exc:
        raise ToolError(str(exc)) from None
    classifier = open_classifier(args)
    try:
        records = [classify_file(classifier, p, args.encoding) for p in paths]
    finally:
        classifier.backend.close()
    if args.json:
        print(json.dumps(report(classifier, records, args.encoding)))
    else:
        print('backend: ' + classifier.backend.description)
        print(settings_line(classifier, args.encoding))
        for record in records:
            print('\n'.join(format_record(record)))
    failed = sum(1 for r in records if 'error' in r)
    if failed:
        print('{}: {} of {} file(s) failed'.format(PROG, failed, len(records)), file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    return run_tool(PROG, _main, argv)


if __name__ == '__main__':
    sys.exit(main())
