# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""classify --bag: the images of a recorded ROS 2 bag through the node's pipeline, without ROS.

    classify --bag rosbag2_2026_11_30 --out results_bag --csv results.csv
    classify --bag camera.mcap --topic /image_raw --score_threshold 0.2 --class_id_format name

Every sensor_msgs/Image and CompressedImage message of the chosen topics (default: all image
topics) becomes a pipeline.Frame exactly as the node's subscription callbacks make it, and
goes through pipeline.Classifier with the model options given. --out writes what the node
would have published (bag_io.output_topics names the topics) into a new bag; --csv one row
per image. A message that cannot be decoded or converted is counted as rejected with its
reason and the run goes on. Needs the rosbags package (imported only here, on use).
"""

import csv
import json
import sys
import time

import numpy as np

from resnet_x5_ros import convert
from resnet_x5_ros.backends import BackendError
from resnet_x5_ros.pipeline import frame_from_compressed, frame_from_image
from resnet_x5_ros.tools.common import open_classifier, settings_line, ToolError
from resnet_x5_ros.tools.progress import Progress

ROSBAGS_PIN = 'rosbags==0.11.9'
# Bag storages rosbags writes (bag_io.STORAGES, named here so nothing imports rosbags for them).
STORAGE_NAMES = ('sqlite3', 'mcap')
STAGES = ('read', 'convert', 'infer', 'post', 'write')
# Why an image was not classified, in the order the summary lists them.
REASONS = ('corrupt message', 'bad frame', 'backend error')


def add_bag_arguments(parser):
    """Add --bag, --topic, --out, --csv and --storage (class_id_format is a setting)."""
    group = parser.add_argument_group('ROS 2 bags (classify --bag BAG instead of files)')
    group.add_argument('--bag', metavar='BAG',
                       help='a bag folder, or its .db3 / .mcap file, to classify the images of')
    group.add_argument('--topic', action='extend', nargs='+', default=[], metavar='TOPIC',
                       help='Image or CompressedImage topic(s) to classify (default: every '
                            'image topic)')
    group.add_argument('--out', metavar='OUT_BAG',
                       help='write the classifications and label_info to this new bag folder')
    group.add_argument('--csv', metavar='FILE',
                       help='write one row per image: topic, stamp, frame_id, top-k labels '
                            'and scores')
    group.add_argument('--storage', choices=STORAGE_NAMES,
                       help="storage of --out (default: the input bag's)")
    return group


def requested(args):
    """Whether the command line asks for a bag run (any of the bag options)."""
    return bool(args.bag or args.topic or args.out or args.csv or args.storage)


class Summary:
    """What a run saw: messages per topic, classified, rejected with reasons, stage times."""

    def __init__(self, topics):
        self.topics = {t: {'type': msgtype, 'messages': 0, 'classified': 0, 'rejected': 0}
                       for t, msgtype in topics.items()}
        self.reasons = {}  # reason -> [count, first message]
        self.stages = {s: [] for s in STAGES}
        self.read_error = None
        self.started = time.perf_counter()
        self.wall_s = 0.0

    def reject(self, topic, reason, detail):
        self.topics[topic]['rejected'] += 1
        entry = self.reasons.setdefault(reason, [0, '{}: {}'.format(topic, detail)])
        entry[0] += 1

    def finish(self):
        self.wall_s = time.perf_counter() - self.started

    def totals(self):
        return {key: sum(t[key] for t in self.topics.values())
                for key in ('messages', 'classified', 'rejected')}

    def fps(self):
        return self.totals()['classified'] / self.wall_s if self.wall_s > 0 else 0.0

    def stage_ms(self):
        """{stage: {'median', 'mean', 'p99'}} in ms, for the stages that ran."""
        out = {}
        for stage, values in self.stages.items():
            if values:
                ms = np.array(values) * 1e3
                out[stage] = {'median': float(np.median(ms)), 'mean': float(ms.mean()),
                              'p99': float(np.percentile(ms, 99))}
        return out

    def as_dict(self):
        return {'topics': self.topics, 'totals': self.totals(),
                'rejected': {r: {'count': n, 'first': first}
                             for r, (n, first) in self.reasons.items()},
                'stages_ms': self.stage_ms(), 'wall_s': self.wall_s, 'fps': self.fps(),
                'read_error': self.read_error}

    def lines(self):
        width = max([len('topic')] + [len(t) for t in self.topics])
        lines = ['{:<{w}}  {:<16} {:>8} {:>10} {:>8}'.format(
            'topic', 'type', 'messages', 'classified', 'rejected', w=width)]
        for topic, row in self.topics.items():
            lines.append('{:<{w}}  {:<16} {:>8} {:>10} {:>8}'.format(
                topic, row['type'].rsplit('/', 1)[-1], row['messages'], row['classified'],
                row['rejected'], w=width))
        for reason in REASONS:
            if reason in self.reasons:
                count, first = self.reasons[reason]
                lines.append('rejected {} x {} (first: {})'.format(count, reason, first))
        stages = self.stage_ms()
        if stages:
            lines.append('stage ms    median     mean      p99')
            for stage, ms in stages.items():
                lines.append('{:<9} {:>8.2f} {:>8.2f} {:>8.2f}'.format(
                    stage, ms['median'], ms['mean'], ms['p99']))
        totals = self.totals()
        lines.append('classified {} of {} image(s) in {:.2f} s: {:.1f} fps (reading, '
                     'conversion, inference and writing, one thread)'.format(
                         totals['classified'], totals['messages'], self.wall_s, self.fps()))
        return lines


class CsvRows:
    """--csv: one row per image, classified or not (then `error` says why)."""

    UNIT = 'rows'

    def __init__(self, path, top_k):
        try:
            self._file = open(path, 'w', newline='', encoding='utf-8')
        except OSError as exc:
            raise ToolError('cannot write {}: {}'.format(path, exc.strerror or exc)) from None
        self.path = path
        self.count = 0
        self._writer = csv.writer(self._file)
        header = ['topic', 'stamp', 'frame_id', 'error']
        for rank in range(1, top_k + 1):
            header += ['label_{}'.format(rank), 'score_{}'.format(rank)]
        self._columns = len(header)
        self._writer.writerow(header)

    def write(self, topic, header, top=(), error=''):
        """One row: header may be None (message not decoded); top = [(label, score)]."""
        stamp = frame_id = ''
        if header is not None:
            stamp = '{}.{:09d}'.format(header.stamp.sec, header.stamp.nanosec)
            frame_id = header.frame_id
        row = [topic, stamp, frame_id, error]
        for label, score in top:
            row += [label, repr(float(score))]
        # Empty cells for classes below the threshold, so every row has every column.
        self._writer.writerow(row + [''] * (self._columns - len(row)))
        self.count += 1

    def close(self):
        self._file.close()


def rosbags_modules():
    """Return (bag_io, bag_types), the modules that need rosbags; ToolError if it is missing."""
    try:
        from resnet_x5_ros.tools.classify import bag_io, bag_types
    except ImportError as exc:
        raise ToolError('ROS 2 bags need the rosbags package, which does not import here '
                        '({}): pip install {}'.format(_one_line(exc), ROSBAGS_PIN)) from None
    return bag_io, bag_types


def _one_line(exc):
    return ' '.join(str(exc).split()) or type(exc).__name__


def run(args):
    """Classify the bag named by args (parsed by classify's parser); returns the exit code."""
    if not args.bag:
        raise ToolError('--topic, --out, --csv and --storage need --bag BAG')
    if args.paths:
        raise ToolError('give image files/folders or --bag BAG, not both')
    bag_io, bag_types = rosbags_modules()
    reader = bag_io.open_bag(args.bag)
    try:
        return _run(args, reader, bag_io, bag_types)
    finally:
        reader.close()


def _run(args, reader, bag_io, bag_types):
    connections = bag_io.image_connections(reader, args.topic)
    if args.out:
        bag_io.refuse_existing(args.out)  # before the model loads: fail fast
    store = bag_types.typestore()
    classifier = open_classifier(args)
    bag_out = csv_out = None
    try:
        if args.out:
            bag_out = bag_io.ClassificationBag(
                args.out, args.storage or bag_io.storage_of(args.bag), store,
                bag_io.output_topics(c.topic for c in connections))
            start = reader.start_time if reader.message_count else 0
            bag_out.write_label_info(bag_types.label_info(
                store, classifier.labels, classifier.settings.score_threshold, start), start)
        if args.csv:
            csv_out = CsvRows(args.csv, classifier.settings.top_k)
        summary = _classify_messages(args, reader, connections, store, classifier, bag_out,
                                     csv_out, bag_types)
    finally:
        classifier.backend.close()
        for output in (bag_out, csv_out):
            if output is not None:
                output.close()
    _report(args, classifier, summary, [o for o in (bag_out, csv_out) if o is not None])
    if summary.read_error:
        raise ToolError('bag {} could not be read to the end: {}'.format(
            args.bag, summary.read_error))
    return 1 if summary.totals()['rejected'] else 0


def _classify_messages(args, reader, connections, store, classifier, bag_out, csv_out,
                       bag_types):
    summary = Summary({c.topic: c.msgtype for c in connections})
    progress = Progress(sum(c.msgcount for c in connections), enabled=sys.stderr.isatty())
    messages = reader.messages(connections=connections)
    done = 0
    while True:
        t0 = time.perf_counter()
        try:
            connection, log_time, raw = next(messages)
        except StopIteration:
            break
        except Exception as exc:  # a damaged storage file: nothing after it can be read
            summary.read_error = _one_line(exc)
            break
        topic = connection.topic
        summary.topics[topic]['messages'] += 1
        done += 1
        progress.update(done, '{} rejected'.format(summary.totals()['rejected']))
        try:
            msg = store.deserialize_cdr(raw, connection.msgtype)
            frame = (frame_from_image(msg) if connection.msgtype == bag_types.IMAGE
                     else frame_from_compressed(msg))
        except Exception as exc:  # any damage in the bytes; rosbags raises several types
            summary.reject(topic, 'corrupt message', _one_line(exc))
            if csv_out:
                csv_out.write(topic, None, error='corrupt message: ' + _one_line(exc))
            continue
        summary.stages['read'].append(time.perf_counter() - t0)
        try:
            result = classifier.classify(frame)
        except (convert.FrameError, BackendError) as exc:
            reason = 'bad frame' if isinstance(exc, convert.FrameError) else 'backend error'
            summary.reject(topic, reason, _one_line(exc))
            if csv_out:
                csv_out.write(topic, msg.header, error='{}: {}'.format(reason, _one_line(exc)))
            continue
        summary.topics[topic]['classified'] += 1
        for stage in ('convert', 'infer', 'post'):
            summary.stages[stage].append(getattr(result, stage + '_s'))
        t1 = time.perf_counter()
        if bag_out:
            hypotheses = classifier.hypotheses(result.top, args.class_id_format)
            bag_out.write_classification(
                topic, bag_types.classification(store, msg.header, hypotheses), log_time)
        if csv_out:
            csv_out.write(topic, msg.header, [(classifier.labels[i], s) for i, s in result.top])
        summary.stages['write'].append(time.perf_counter() - t1)
    progress.update(max(done, progress.total))
    summary.finish()
    return summary


def _report(args, classifier, summary, outputs):
    if args.json:
        doc = summary.as_dict()
        doc.update(bag=args.bag, backend=classifier.backend.description,
                   settings=dict(classifier.settings.__dict__),
                   outputs={o.path: o.count for o in outputs})
        print(json.dumps(doc))
        return
    print('bag: {}'.format(args.bag))
    print('backend: ' + classifier.backend.description)
    print(settings_line(classifier, 'as recorded'))
    print('\n'.join(summary.lines()))
    for output in outputs:
        print('wrote {} {} to {}'.format(output.count, output.UNIT, output.path))
