# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""classify --bag: bags written here with rosbags (sqlite3 and MCAP) through the pipeline."""

import contextlib
import csv
import glob
import io
import json
import os
import sqlite3
import subprocess
import sys

import cv2
import pytest
from rosbags.rosbag2 import Reader
from rosbags.typesys import get_types_from_msg
from test_classify import EXPECTED, MODEL, SAMPLES
import yaml

from resnet_x5_ros.backends import create_backend
from resnet_x5_ros.convert.encode import encode_compressed
from resnet_x5_ros.pipeline import (Classifier, Frame, frame_from_compressed,
                                    frame_from_image, Settings)
from resnet_x5_ros.postprocess import load_labels
from resnet_x5_ros.tools.classify import bag_io, bag_types, cli as classify
from resnet_x5_ros.tools.frames import frame_from_bgr
from support import crafted_images, REPO

pytestmark = pytest.mark.skipif(not os.path.isfile(MODEL),
                                reason='CPU model {} missing: run `make model`'.format(MODEL))
STORE = bag_types.typestore()
TYPES = STORE.types
# Input topic -> how the sample photos are recorded on it.
ENCODINGS = {'/cam/bgr8': 'bgr8', '/cam/nv12': 'nv12', '/cam/yuyv': 'yuyv',
             '/cam/image/compressed': 'jpeg'}
PHOTOS = sorted(EXPECTED)
LABELS = load_labels()


def image_message(bgr, encoding, stamp_sec, frame_id):
    """(type name, message): bgr recorded as a camera publishing encoding (or jpeg) would."""
    if encoding == 'jpeg':
        frame = Frame(encode_compressed(bgr, 'jpeg'), 'jpeg', compressed=True)
    else:
        frame = frame_from_bgr(bgr, encoding)
    return bag_types.image_message(STORE, frame, stamp_sec * 10 ** 9 + 123, frame_id)


def write_bag(path, storage, messages):
    return bag_io.write_bag(path, storage, STORE, messages)


def sample_messages():
    """The sample photos on every ENCODINGS topic, photo n stamped n s, logged 10 ms later."""
    messages = []
    for n, name in enumerate(PHOTOS, 1):
        bgr = cv2.imread(os.path.join(SAMPLES, name), cv2.IMREAD_COLOR)
        for k, (topic, encoding) in enumerate(ENCODINGS.items()):
            messages.append((topic, *image_message(bgr, encoding, n, name),
                             n * 10 ** 9 + 10 ** 7 + k))
    return messages


def read_bag(path):
    """{topic: [(log time, message)]} and {topic: connection} of a bag, decoded with rosbags."""
    topics, connections = {}, {}
    with Reader(path) as reader:
        for connection, log_time, raw in reader.messages():
            connections[connection.topic] = connection
            topics.setdefault(connection.topic, []).append(
                (log_time, STORE.deserialize_cdr(raw, connection.msgtype)))
    return topics, connections


def run_classify(args, capsys):
    code = classify.main(list(args) + ['--backend', 'cpu'])
    return code, capsys.readouterr()


@pytest.fixture(scope='module')
def cpu_classifier():
    backend = create_backend('cpu')
    yield Classifier(backend, load_labels(expected_count=backend.num_classes))
    backend.close()


@pytest.fixture(scope='module', params=['sqlite3', 'mcap'])
def sample_run(request, tmp_path_factory):
    """The sample bag in one storage, classified with --out, --csv and --json."""
    storage = request.param
    root = tmp_path_factory.mktemp('bag_' + storage)
    messages = sample_messages()
    source = write_bag(root / 'samples', storage, messages)
    out, table = str(root / 'results'), str(root / 'results.csv')
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = classify.main(['--bag', source, '--out', out, '--csv', table, '--json',
                              '--backend', 'cpu'])
    return {'storage': storage, 'messages': messages, 'code': code, 'out': out, 'csv': table,
            'doc': json.loads(stdout.getvalue().strip().splitlines()[-1])}


def test_every_image_is_classified_and_the_summary_counts_them(sample_run):
    assert sample_run['code'] == 0
    doc = sample_run['doc']
    count = len(PHOTOS) * len(ENCODINGS)
    assert doc['totals'] == {'messages': count, 'classified': count, 'rejected': 0}
    assert {t: row['classified'] for t, row in doc['topics'].items()} == dict.fromkeys(
        ENCODINGS, len(PHOTOS))
    assert set(doc['stages_ms']) == {'read', 'convert', 'infer', 'post', 'write'}
    assert doc['fps'] > 0
    assert doc['outputs'] == {sample_run['out']: count, sample_run['csv']: count}


def test_output_bag_has_the_nodes_classifications_with_the_source_headers(
        sample_run, cpu_classifier):
    topics, connections = read_bag(sample_run['out'])
    assert set(topics) == {t + suffix for t in ENCODINGS
                           for suffix in ('/classification', '/label_info')}
    suffix = '.mcap' if sample_run['storage'] == 'mcap' else '.db3'
    assert glob.glob(os.path.join(sample_run['out'], '*' + suffix))
    sources = {}
    for topic, msgtype, message, log_time in sample_run['messages']:
        sources.setdefault(topic, []).append((log_time, message, msgtype))
    for topic, images in sources.items():
        results = topics[topic + '/classification']
        assert len(results) == len(images)
        for (log_time, image, msgtype), (out_time, out) in zip(images, results):
            assert out_time == log_time
            assert out.header == image.header
            frame = (frame_from_image(image) if msgtype == bag_types.IMAGE
                     else frame_from_compressed(image))
            # What the node publishes for this frame: same pipeline, same class_id format.
            node = cpu_classifier.hypotheses(cpu_classifier.classify(frame).top, 'index')
            assert [(r.class_id, r.score) for r in out.results] == node
            names = {cpu_classifier.labels[int(r.class_id)] for r in out.results}
            assert EXPECTED[image.header.frame_id] & names, (topic, image.header.frame_id)
        # label_info once per topic, at the start of the bag (the first image's log time).
        (info_time, info), = topics[topic + '/label_info']
        assert info_time == sample_run['messages'][0][3] and info.threshold == 0.0
        assert [(c.class_id, c.class_name) for c in info.class_map] == list(
            enumerate(cpu_classifier.labels))
    classification = connections['/cam/nv12/classification']
    assert classification.msgtype == bag_types.CLASSIFICATION
    assert 'ObjectHypothesis[] results' in classification.msgdef.data
    assert 'MSG: vision_msgs/ObjectHypothesis' in classification.msgdef.data
    qos, = connections['/cam/nv12/label_info'].ext.offered_qos_profiles
    assert qos.durability.name == 'TRANSIENT_LOCAL' and qos.depth == 1


def test_csv_has_one_row_per_image_matching_the_bag(sample_run, cpu_classifier):
    topics, _ = read_bag(sample_run['out'])
    with open(sample_run['csv'], newline='', encoding='utf-8') as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(PHOTOS) * len(ENCODINGS)
    by_key = {(r['topic'], r['frame_id']): r for r in rows}
    for topic in ENCODINGS:
        for _, out in topics[topic + '/classification']:
            row = by_key[topic, out.header.frame_id]
            assert row['stamp'] == '{}.000000123'.format(out.header.stamp.sec)
            assert row['error'] == ''
            for rank, result in enumerate(out.results, 1):
                assert row['label_{}'.format(rank)] == cpu_classifier.labels[
                    int(result.class_id)]
                assert float(row['score_{}'.format(rank)]) == result.score


def coffee_image(sec=1, encoding='bgr8'):
    """A sensor_msgs/Image of coffee.png stamped sec s (+123 ns)."""
    bgr = cv2.imread(os.path.join(SAMPLES, 'coffee.png'), cv2.IMREAD_COLOR)
    return image_message(bgr, encoding, sec, 'coffee.png')[1]


def test_one_topic_gives_the_nodes_topic_names_in_the_storage_asked(tmp_path, capsys):
    source = write_bag(tmp_path / 'in', 'sqlite3', [
        ('/image_raw', bag_types.IMAGE, coffee_image(1), 10 ** 9),
        ('/image_raw', bag_types.IMAGE, coffee_image(2), 2 * 10 ** 9),
        ('/chatter', 'std_msgs/msg/String', TYPES['std_msgs/msg/String'](data='hi'), 10 ** 9)])
    db3, = glob.glob(os.path.join(source, '*.db3'))  # the storage file alone, no metadata
    out = str(tmp_path / 'out')
    code, captured = run_classify(['--bag', db3, '--out', out, '--storage', 'mcap',
                                   '--class-id-format', 'name', '--threshold', '0.5'], capsys)
    assert code == 0, captured.err
    topics, _ = read_bag(out)
    assert set(topics) == {'/classification', '/label_info'}
    assert glob.glob(os.path.join(out, '*.mcap'))
    assert [[(r.class_id, r.score > 0.5) for r in m.results]
            for _, m in topics['/classification']] == [[('espresso', True)]] * 2
    assert topics['/label_info'][0][1].threshold == pytest.approx(0.5)
    lines = captured.out.splitlines()
    assert any(line.split()[:4] == ['/image_raw', 'Image', '2', '2'] for line in lines)
    assert 'classified 2 of 2 image(s)' in captured.out and 'fps' in captured.out


def humble_recorded(bag):
    """Make a sqlite3 bag written here look as Humble's rosbag2 records it.

    Metadata version 5 and sqlite schema 3: no message definitions, no type hashes.
    """
    db3, = glob.glob(os.path.join(bag, '*.db3'))
    with contextlib.closing(sqlite3.connect(db3)) as db:
        db.executescript("""
            DROP TABLE message_definitions; DROP TABLE metadata;
            ALTER TABLE topics DROP COLUMN type_description_hash;
            UPDATE schema SET schema_version = 3, ros_distro = 'humble';""")
    path = os.path.join(bag, 'metadata.yaml')
    with open(path, encoding='utf-8') as f:
        metadata = yaml.safe_load(f)
    info = metadata['rosbag2_bagfile_information']
    info['version'] = 5
    del info['custom_data'], info['ros_distro']
    for topic in info['topics_with_message_count']:
        del topic['topic_metadata']['type_description_hash']
    with open(path, 'w', encoding='utf-8') as f:
        yaml.safe_dump(metadata, f)
    return bag


def test_a_bag_as_humble_records_it(tmp_path, capsys):
    source = humble_recorded(write_bag(tmp_path / 'in', 'sqlite3', [
        ('/image_raw', *image_message(cv2.imread(os.path.join(SAMPLES, name)), 'nv12', n, name),
         n) for n, name in enumerate(PHOTOS, 1)]))
    out = str(tmp_path / 'out')
    code, captured = run_classify(['--bag', source, '--out', out], capsys)
    assert code == 0, captured.err
    results = read_bag(out)[0]['/classification']
    assert [m.header.frame_id for _, m in results] == PHOTOS
    for _, message in results:
        names = {LABELS[int(r.class_id)] for r in message.results}
        assert EXPECTED[message.header.frame_id] & names


def test_topic_selects_what_is_classified_and_names_the_outputs(tmp_path, capsys):
    source = write_bag(tmp_path / 'in', 'mcap', [
        ('/a', bag_types.IMAGE, coffee_image(1), 1), ('/b', bag_types.IMAGE, coffee_image(2), 2),
        ('/b', bag_types.IMAGE, coffee_image(3), 3)])
    for n, (topics, wanted) in enumerate([
            (['/b'], {'/classification': 2, '/label_info': 1}),
            (['/a', '/b'], {'/a/classification': 1, '/a/label_info': 1,
                            '/b/classification': 2, '/b/label_info': 1})]):
        out = str(tmp_path / 'out{}'.format(n))
        code, captured = run_classify(['--bag', source, '--out', out, '--json', '--topic']
                                      + topics, capsys)
        assert code == 0, captured.err
        assert list(json.loads(captured.out)['topics']) == topics
        assert {t: len(m) for t, m in read_bag(out)[0].items()} == wanted


def test_corrupt_messages_are_counted_and_the_rest_classified(tmp_path, capsys):
    broken = coffee_image(3)
    broken.step = broken.width  # a bgr8 row needs 3 bytes a pixel: the frame is refused
    source = write_bag(tmp_path / 'in', 'mcap', [
        ('/cam', bag_types.IMAGE, coffee_image(1), 1),
        ('/cam', bag_types.IMAGE, b'\x00\x01\x00\x00garbage', 2),
        ('/cam', bag_types.IMAGE, broken, 3),
        ('/cam', bag_types.IMAGE, coffee_image(4), 4)])
    out, table = str(tmp_path / 'out'), str(tmp_path / 'rows.csv')
    code, captured = run_classify(['--bag', source, '--out', out, '--csv', table], capsys)
    assert code == 1 and 'Traceback' not in captured.err
    assert 'rejected 1 x corrupt message (first: /cam: ' in captured.out
    assert 'rejected 1 x bad frame (first: /cam: step 600 is smaller' in captured.out
    topics, _ = read_bag(out)
    assert [m.header.stamp.sec for _, m in topics['/classification']] == [1, 4]
    with open(table, newline='', encoding='utf-8') as f:
        rows = list(csv.DictReader(f))
    assert [(r['stamp'][:1], r['error'].split(':')[0], r['label_1']) for r in rows] == [
        ('1', '', 'espresso'), ('', 'corrupt message', ''), ('3', 'bad frame', ''),
        ('4', '', 'espresso')]


def test_pictures_declaring_a_huge_size_are_refused_from_their_headers(tmp_path, capsys):
    # classify --bag decodes CompressedImage data as the node does: the format and size come
    # from the header, so these few-KB pictures of 9000 x 9000 are never decoded.
    coffee = cv2.imread(os.path.join(SAMPLES, 'coffee.png'), cv2.IMREAD_COLOR)
    messages = [('/cam/compressed', *image_message(coffee, 'jpeg', 1, 'coffee.png'), 1)]
    for n, name in enumerate(('JPEG', 'BMP', 'TIFF', 'WebP'), 2):
        frame = Frame(crafted_images.HUGE_PICTURES[name](), 'jpeg', compressed=True)
        messages.append(('/cam/compressed',
                         *bag_types.image_message(STORE, frame, n * 10 ** 9, name), n))
    table = str(tmp_path / 'rows.csv')
    code, captured = run_classify(['--bag', write_bag(tmp_path / 'in', 'mcap', messages),
                                   '--csv', table], capsys)
    assert code == 1 and 'Traceback' not in captured.err
    assert 'rejected 4 x bad frame' in captured.out
    with open(table, newline='', encoding='utf-8') as f:
        rows = list(csv.DictReader(f))
    assert rows[0]['label_1'] == 'espresso'
    assert [r['error'] for r in rows[1:]] == [
        "bad frame: compressed image ('jpeg'): {} size 9000x9000 is not within 1..8192".format(
            name) for name in ('JPEG', 'BMP', 'TIFF', 'WebP')]


def bad_bag_cases(tmp_path):
    """(name, argv) of bags and options that must stop with one line and exit 2."""
    good = write_bag(tmp_path / 'good', 'sqlite3', [
        ('/cam', bag_types.IMAGE, coffee_image(1), 1),
        ('/chatter', 'std_msgs/msg/String', TYPES['std_msgs/msg/String'](data='hi'), 1)])
    strings = write_bag(tmp_path / 'strings', 'mcap', [
        ('/chatter', 'std_msgs/msg/String', TYPES['std_msgs/msg/String'](data='hi'), 1)])
    cases = {'missing': ['--bag', str(tmp_path / 'nothing_here')],
             'no image topic': ['--bag', strings],
             'absent topic': ['--bag', good, '--topic', '/nope'],
             'wrong type topic': ['--bag', good, '--topic', '/chatter'],
             'out exists': ['--bag', good, '--out', good],
             'bag option without --bag': ['--topic', '/cam'],
             'files and a bag': [SAMPLES, '--bag', good]}
    unknown = tmp_path / 'unknown'
    unknown.mkdir()
    (unknown / 'good.db3').write_bytes((tmp_path / 'good' / 'good.db3').read_bytes())
    (unknown / 'metadata.yaml').write_text((tmp_path / 'good' / 'metadata.yaml').read_text()
                                           .replace('sqlite3', 'rosbag_v2'))
    cases['unknown storage'] = ['--bag', str(unknown)]
    text = tmp_path / 'notes.txt'
    text.write_text('not a bag')
    cases['not a bag file'] = ['--bag', str(text)]
    for storage in ('sqlite3', 'mcap'):
        cut = tmp_path / ('cut_' + storage)
        cut.mkdir()
        whole = write_bag(tmp_path / ('whole_' + storage), storage,
                          [('/cam', bag_types.IMAGE, coffee_image(1), 1)])
        for path in glob.glob(os.path.join(whole, '*')):
            with open(path, 'rb') as f:
                data = f.read()
            with open(os.path.join(cut, os.path.basename(path)), 'wb') as f:
                f.write(data if path.endswith('.yaml') else data[:len(data) // 2])
        cases['truncated ' + storage] = ['--bag', str(cut)]
    return cases


def test_bad_bags_stop_with_one_line_naming_the_problem(tmp_path, capsys):
    expected = {'missing': 'does not exist', 'no image topic': 'no sensor_msgs/Image',
                'absent topic': 'topic /nope is not in bag',
                'wrong type topic': 'is a std_msgs/msg/String',
                'out exists': 'exists already', 'bag option without --bag': 'need --bag',
                'files and a bag': 'not both', 'unknown storage': "'rosbag_v2'",
                'not a bag file': "'.txt'", 'truncated sqlite3': 'malformed',
                'truncated mcap': 'cannot read bag'}
    cases = bad_bag_cases(tmp_path)
    assert set(cases) == set(expected)
    for name, argv in cases.items():
        code, captured = run_classify(argv, capsys)
        assert code == 2, (name, captured)
        assert captured.err.startswith('classify: error: ') and captured.err.count('\n') == 1, (
            name, captured.err)
        assert expected[name] in captured.err, (name, captured.err)
        assert captured.out == '', name


def test_a_storage_damaged_midway_keeps_what_was_read(tmp_path, capsys):
    source = write_bag(tmp_path / 'in', 'sqlite3',
                       [('/cam', bag_types.IMAGE, coffee_image(n), n) for n in range(1, 4)])
    db3, = glob.glob(os.path.join(source, '*.db3'))
    with open(db3, 'r+b') as f:
        # A page of the last image's blob (sqlite's default 4 KiB pages; found by trying).
        f.seek((os.path.getsize(db3) // 4096 - 10) * 4096)
        f.write(b'\xff' * 4096)
    out = str(tmp_path / 'out')
    code, captured = run_classify(['--bag', source, '--out', out], capsys)
    assert code == 2 and 'Traceback' not in captured.err
    assert 'could not be read to the end: database disk image is malformed' in captured.err
    assert captured.err.count('\n') == 1 and 'classified 2 of 2' in captured.out
    topics, _ = read_bag(out)  # closed properly: a readable bag with what was classified
    assert len(topics['/label_info']) == 1 and len(topics['/classification']) == 2


# Upstream facts, not ours: vision_msgs 4.1.1 (ros-perception/vision_msgs, tag 4.1.1, commit
# e77fa2d97d69abaaa546592892d2d5d16cec9977, the release Humble and Jazzy ship), the fields of
# vision_msgs/msg/<Name>.msg there, comments left out.
UPSTREAM_FIELDS = {
    'vision_msgs/msg/ObjectHypothesis': [('string', 'class_id'), ('float64', 'score')],
    'vision_msgs/msg/Classification': [('std_msgs/Header', 'header'),
                                       ('vision_msgs/ObjectHypothesis[]', 'results')],
    'vision_msgs/msg/VisionClass': [('uint16', 'class_id'), ('string', 'class_name')],
    'vision_msgs/msg/LabelInfo': [('std_msgs/Header', 'header'),
                                  ('vision_msgs/VisionClass[]', 'class_map'),
                                  ('float32', 'threshold')],
    'vision_msgs/msg/VisionInfo': [('std_msgs/Header', 'header'), ('string', 'method'),
                                   ('string', 'database_location'),
                                   ('int32', 'database_version')],
}
# Their RIHS01 type hashes, computed here on 2026-12-05 from those upstream .msg files (tag
# 4.1.1) by rosidl itself: rosidl_adapter 4.6.6 (.msg -> .idl) and
# rosidl_generator_type_description 4.6.6 (generate_type_hash), with std_msgs and
# builtin_interfaces from the pinned Jazzy wheels (dev/constraints.txt). Humble has no type
# hashes; these are what Iron+ tools (and rosbag2's metadata version 8) expect.
UPSTREAM_RIHS01 = {
    'vision_msgs/msg/Classification':
        'RIHS01_f74db28d0eaef3afb78f48bf2161cd709a1383a0309d3454383b25be11345143',
    'vision_msgs/msg/LabelInfo':
        'RIHS01_3d37df4015cdf660cc851c51897f2acd957e1ca6205ba0a99aebffb9406b0783',
    'vision_msgs/msg/ObjectHypothesis':
        'RIHS01_51da43cec11c01957a64d1e05a24acd18aae7745ec30b74348ad5f6d634f7f90',
    'vision_msgs/msg/VisionClass':
        'RIHS01_1e4a11f0fed50b5623cb8ff26ca0e37952a48a9c074d16f804b44e9164c2037a',
    'vision_msgs/msg/VisionInfo':
        'RIHS01_95d3116a17484ad91c9a2686e1d54890bbfc3ff6c6a2de137738c4950d45d284',
}
PRIMITIVES = ('bool', 'byte', 'char', 'float32', 'float64', 'int8', 'uint8', 'int16', 'uint16',
              'int32', 'uint32', 'int64', 'uint64', 'string', 'wstring')


def msg_fields(text, package='vision_msgs'):
    """[(type, name)] of a .msg text without constants: comments dropped, types qualified."""
    fields = []
    for line in text.splitlines():
        words = line.split('#', 1)[0].split()
        if words:
            kind, name = words[:2]
            if '/' not in kind and kind.split('[')[0] not in PRIMITIVES:
                kind = package + '/' + kind
            fields.append((kind, name))
    return fields


def test_the_bag_types_are_upstream_vision_msgs_4_1_1():
    assert set(bag_types.VISION_MSGS) <= set(UPSTREAM_FIELDS)
    for name, text in bag_types.VISION_MSGS.items():
        assert msg_fields(text) == UPSTREAM_FIELDS[name], name
        # rosbags reads our text as it reads the upstream field list.
        upstream = ''.join('{} {}\n'.format(k, n) for k, n in UPSTREAM_FIELDS[name])
        assert get_types_from_msg(text, name) == get_types_from_msg(upstream, name), name


def test_the_dev_vision_msgs_stand_in_is_upstream_4_1_1():
    for name, fields in UPSTREAM_FIELDS.items():
        path = os.path.join(REPO, 'dev', 'vision_msgs', 'msg', name.rsplit('/', 1)[1] + '.msg')
        with open(path, encoding='utf-8') as f:
            assert msg_fields(f.read()) == fields, path


def test_bags_store_upstreams_type_hashes():
    for name in bag_types.VISION_MSGS:
        assert STORE.hash_rihs01(name) == UPSTREAM_RIHS01[name], name


def test_the_dev_stand_in_builds_upstreams_type_hashes():
    """rosidl's hashes of the vision_msgs built into this environment (dev/vision_msgs)."""
    share = os.path.join(sys.prefix, 'share', 'vision_msgs', 'msg')
    if not os.path.isdir(share):
        pytest.skip('no rosidl-built vision_msgs in this environment')
    for name, expected in UPSTREAM_RIHS01.items():
        with open(os.path.join(share, name.rsplit('/', 1)[1] + '.json'), encoding='utf-8') as f:
            hashes = json.load(f)['type_hashes']
        assert next(h['hash_string'] for h in hashes if h['type_name'] == name) == expected


def test_classify_for_files_does_not_import_rosbags():
    # The board may run classify on files without rosbags installed.
    code = ('import sys; import resnet_x5_ros.tools.classify.cli; '
            "assert 'rosbags' not in sys.modules, 'rosbags imported'")
    out = subprocess.run([sys.executable, '-c', code], cwd=REPO, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr


def test_ros_decodes_the_output_bag_to_what_the_node_publishes(tmp_path, capsys,
                                                               cpu_classifier):
    """rclpy reads the bag's bytes as the Classification and LabelInfo the node would send."""
    from rclpy.serialization import deserialize_message
    from std_msgs.msg import Header
    from vision_msgs.msg import Classification, LabelInfo, ObjectHypothesis
    image = coffee_image(7, 'nv12')
    source = write_bag(tmp_path / 'in', 'sqlite3', [('/image', bag_types.IMAGE, image, 5)])
    out = str(tmp_path / 'out')
    assert run_classify(['--bag', source, '--out', out, '--top-k', '3'], capsys)[0] == 0
    with Reader(out) as reader:
        raw = {c.topic: bytes(data) for c, _, data in reader.messages()}
    # Built as node._process builds it from the same frame (rclpy types, Humble field checks).
    top = cpu_classifier.classify(frame_from_image(image), Settings(top_k=3)).top
    node_message = Classification(header=Header(frame_id='coffee.png'))
    node_message.header.stamp.sec, node_message.header.stamp.nanosec = 7, 123
    node_message.results = [ObjectHypothesis(class_id=c, score=s)
                            for c, s in cpu_classifier.hypotheses(top, 'index')]
    assert deserialize_message(raw['/classification'], Classification) == node_message
    assert node_message.results[0].class_id == '967'
    info = deserialize_message(raw['/label_info'], LabelInfo)
    assert [(c.class_id, c.class_name) for c in info.class_map] == list(
        enumerate(cpu_classifier.labels))


def test_bench_suite_runs_every_frame_through_classify_bag():
    import argparse
    from resnet_x5_ros.tools.bench import bag_replay as bag_bench
    args = argparse.Namespace(frames=6, encodings='nv12,jpeg', storage='mcap', backend='cpu')
    rows = bag_bench.run(args)['bag']
    assert set(rows) == {'640x480 nv12', '640x480 jpeg'}
    for row in rows.values():
        assert row['frames'] == 6 and row['fps'] > 0 and row['infer_ms_median'] > 0
