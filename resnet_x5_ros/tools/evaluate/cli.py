# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""evaluate: top-1 / top-5 accuracy of the deployed pipeline over a labelled image set.

    evaluate /data/imagenet/val --synsets LOC_synset_mapping.txt --backend bpu
    evaluate --list val.txt --root /data/imagenet/val --limit 5000 --confusion confusion.csv
    evaluate my_photos/     # my_photos/espresso/*.jpg, my_photos/tiger_cat/*.jpg, ...

FOLDER holds one sub-folder per class named by class index, class name or (with --synsets)
WordNet id; --list reads `path<TAB>label` lines instead (see resnet_x5_ros.tools.evaluate.dataset).
Every image goes through pipeline.Classifier like a camera frame (bgr8 unless --encoding),
so the figure is the node's accuracy, preprocessing included. The RDK model zoo publishes
70.50 % top-1 for the quantised ResNet18 on the X5 (71.49 % float) over the 50,000 ImageNet
validation images; a subset gives a rough figure only. Nothing is downloaded.
"""

import argparse
import concurrent.futures
import csv
import json
import sys

from resnet_x5_ros.tools.classify.cli import classify_file
from resnet_x5_ros.tools.common import (add_model_arguments, add_settings_arguments,
                                        open_backend, open_classifier,
                                        run_tool, settings_line, ToolError)
from resnet_x5_ros.tools.evaluate.dataset import (DatasetError, folder_samples, LabelResolver,
                                                  list_samples, load_synsets)
from resnet_x5_ros.tools.evaluate.metrics import Accuracy, write_confusion_csv
from resnet_x5_ros.tools.frames import DEFAULT_ENCODING, FILE_ENCODINGS
from resnet_x5_ros.tools.progress import Progress

PROG = 'evaluate'
ZOO_REFERENCE = ('RDK model zoo, ResNet18 on the X5, ImageNet-1k val (50,000 images): '
                 'top-1 70.50 % quantised, 71.49 % float')


def build_parser():
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split('\n', 1)[1])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('folder', nargs='?', metavar='FOLDER',
                        help='folder of class sub-folders')
    source.add_argument('--list', metavar='FILE', help='file of `path label` lines')
    parser.add_argument('--root', help='folder that --list paths are relative to '
                                       "(default: the list file's folder)")
    parser.add_argument('--synsets', metavar='FILE',
                        help='WordNet ids, line N = class N (ImageNet LOC_synset_mapping.txt)')
    parser.add_argument('--limit', type=int, default=0,
                        help='evaluate only every k-th image so that about this many remain '
                             '(0 = all)')
    parser.add_argument('--workers', type=int, default=2,
                        help='images decoded and classified in parallel (default 2)')
    parser.add_argument('--encoding', choices=FILE_ENCODINGS, default=DEFAULT_ENCODING,
                        help='how each file is fed to the pipeline (default bgr8)')
    parser.add_argument('--confusion', metavar='OUT.csv|OUT.png',
                        help='write the top-1 confusions (csv: all pairs; png: heat map of the '
                             'worst classes, needs matplotlib)')
    parser.add_argument('--predictions', metavar='OUT.csv',
                        help='write each image with its label and top-5')
    parser.add_argument('--quiet', action='store_true', help='no progress bar')
    parser.add_argument('--json', action='store_true',
                        help='also print the summary as one JSON object on the last line')
    add_model_arguments(parser)
    # Accuracy is of the top-1 and top-5 of every image: no top_k or threshold to set.
    add_settings_arguments(parser, exclude=('top_k', 'score_threshold', 'class_id_format'))
    return parser


def load_samples(args, labels):
    """Return the (path, class index) list the arguments describe, thinned by --limit."""
    wnids = load_synsets(args.synsets) if args.synsets else None
    resolver = LabelResolver(labels, wnids)
    if args.list:
        samples = list_samples(args.list, resolver, args.root)
    else:
        samples = folder_samples(args.folder, resolver)
    if args.limit and len(samples) > args.limit:
        # Every k-th image keeps every class represented, unlike the first N of a sorted set.
        step = len(samples) / float(args.limit)
        samples = [samples[int(i * step)] for i in range(args.limit)]
    return samples


def evaluate(classifier, samples, encoding=DEFAULT_ENCODING, workers=1, progress=None,
             on_record=None):
    """Classify every (path, class) sample; returns an Accuracy (k = classifier's top_k).

    on_record(record, true_index) is called in sample order, e.g. to write predictions.
    """
    accuracy = Accuracy(k=classifier.settings.top_k)

    def one(sample):
        return classify_file(classifier, sample[0], encoding)

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for done, (record, (_, true)) in enumerate(zip(pool.map(one, samples), samples), 1):
            if 'error' in record or not record['top']:
                accuracy.add_failure()
            else:
                accuracy.add(true, [entry['index'] for entry in record['top']])
            if on_record:
                on_record(record, true)
            if progress:
                progress.update(done, 'top-1 {:.1%} top-{} {:.1%} failed {}'.format(
                    accuracy.top1, accuracy.k, accuracy.topk, accuracy.failed))
    return accuracy


def summary_lines(accuracy, labels):
    """Return the printed summary lines."""
    k = accuracy.k
    lines = [
        'images   {} ({} classes){}'.format(
            accuracy.total, len(accuracy.per_class),
            ', {} failed (not counted)'.format(accuracy.failed) if accuracy.failed else ''),
        'top-1    {:.2%}  ({}/{})'.format(accuracy.top1, accuracy.top1_hits, accuracy.total),
        'top-{}    {:.2%}  ({}/{})'.format(
            k, accuracy.topk, accuracy.topk_hits, accuracy.total),
        'reference: ' + ZOO_REFERENCE,
    ]
    confused = accuracy.most_confused(5)
    if confused:
        lines.append('most frequent top-1 mistakes:')
        lines += ['  {:4d} x  {} -> {}'.format(count, labels[t], labels[p])
                  for (t, p), count in confused]
    return lines


def _predictions_writer(path):
    f = open(path, 'w', newline='', encoding='utf-8')
    writer = csv.writer(f)
    writer.writerow(['path', 'true_index', 'top1_correct', 'top_indices', 'top_scores',
                     'error'])

    def write(record, true):
        top = record.get('top') or []
        writer.writerow([record['path'], true, int(bool(top) and top[0]['index'] == true),
                         ' '.join(str(e['index']) for e in top),
                         ' '.join('{:.4f}'.format(e['score']) for e in top),
                         record.get('error', '')])
    return f, write


def _main(argv):
    args = build_parser().parse_args(argv)
    if args.confusion and not args.confusion.lower().endswith(('.csv', '.png')):
        raise ToolError('--confusion must name a .csv or .png file')
    if args.confusion and args.confusion.lower().endswith('.png'):
        from resnet_x5_ros.tools.plots import require_matplotlib
        require_matplotlib()
    backend = open_backend(args)
    classifier = open_classifier(args, backend, top_k=min(5, backend.num_classes),
                                 score_threshold=0.0)
    try:
        try:
            samples = load_samples(args, classifier.labels)
        except DatasetError as exc:
            raise ToolError(str(exc)) from None
        print('backend: ' + classifier.backend.description)
        print(settings_line(classifier, args.encoding))
        print('dataset: {} ({} images)'.format(args.list or args.folder, len(samples)))
        sys.stdout.flush()
        handle, writer = _predictions_writer(args.predictions) if args.predictions \
            else (None, None)
        try:
            accuracy = evaluate(classifier, samples, args.encoding, args.workers,
                                Progress(len(samples), enabled=not args.quiet), writer)
        finally:
            if handle:
                handle.close()
    finally:
        classifier.backend.close()
    print('\n'.join(summary_lines(accuracy, classifier.labels)))
    if args.confusion:
        if args.confusion.lower().endswith('.png'):
            from resnet_x5_ros.tools.plots import plot_confusion
            plot_confusion(accuracy, classifier.labels, args.confusion)
        else:
            write_confusion_csv(args.confusion, accuracy, classifier.labels)
        print('confusions written to ' + args.confusion)
    if args.json:
        result = accuracy.summary()
        result.update(backend=classifier.backend.name, model=classifier.backend.model_path,
                      encoding=args.encoding, resize_mode=classifier.settings.resize_mode)
        print(json.dumps(result))
    return 1 if accuracy.total == 0 else 0


def main(argv=None):
    return run_tool(PROG, _main, argv)


if __name__ == '__main__':
    sys.exit(main())
