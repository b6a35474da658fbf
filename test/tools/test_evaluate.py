# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""evaluate: labelled sets built from the sample photos, label parsing, metrics, progress."""

import csv
import io
import json
import os
import shutil

import pytest

from resnet_x5_ros.backends import create_backend, default_cpu_model
from resnet_x5_ros.pipeline import Classifier, Settings
from resnet_x5_ros.postprocess import load_labels
from resnet_x5_ros.tools.classify.cli import classify_file
from resnet_x5_ros.tools.evaluate import cli as evaluate
from resnet_x5_ros.tools.evaluate.dataset import (DatasetError, folder_samples, LabelResolver,
                                                  list_samples, load_synsets)
from resnet_x5_ros.tools.evaluate.metrics import Accuracy
from resnet_x5_ros.tools.plots import matplotlib_status
from resnet_x5_ros.tools.progress import Progress
from support import REPO
from support.standins import standin_support as standins

SAMPLES = os.path.join(REPO, 'resnet_x5_ros', 'data', 'samples')
MODEL = default_cpu_model()
LABELS = load_labels()
needs_model = pytest.mark.skipif(not os.path.isfile(MODEL),
                                 reason='CPU model {} missing: run `make model`'.format(MODEL))
HAVE_MATPLOTLIB = matplotlib_status()[0]
# One folder per photo, named each way evaluate understands (name, name with _, index).
TREE = {'espresso': 'coffee.png', 'Egyptian_cat': 'chelsea.png', '657': 'rocket.jpg',
        'military uniform': 'grace_hopper.jpg', 'tripod': 'camera.png'}


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / 'val'
    for folder, photo in TREE.items():
        (root / folder).mkdir(parents=True)
        shutil.copy(os.path.join(SAMPLES, photo), str(root / folder / photo))
    (root / 'espresso' / 'notes.txt').write_text('not an image, ignored')
    return root


@pytest.fixture(scope='module')
def classifier():
    if not os.path.isfile(MODEL):
        pytest.skip('CPU model missing: run `make model`')
    backend = create_backend('cpu')
    yield Classifier(backend, load_labels(expected_count=backend.num_classes),
                     Settings(top_k=5))
    backend.close()


def test_labels_resolve_by_index_name_and_wnid():
    wnids = ['n{:08d}'.format(i) for i in range(len(LABELS))]
    resolver = LabelResolver(LABELS, wnids)
    espresso = LABELS.index('espresso')
    assert resolver.resolve('967') == resolver.resolve('0967') == espresso
    assert resolver.resolve('Espresso') == resolver.resolve(' espresso ') == espresso
    assert resolver.resolve('tiger_cat') == LABELS.index('tiger cat')
    assert resolver.resolve('n00000967') == espresso
    assert resolver.resolve('crane') == LABELS.index('crane')
    with pytest.raises(DatasetError, match='ambiguous .classes 0, 2.'):
        LabelResolver(['crane', 'cat', 'Crane']).resolve('CRANE')
    with pytest.raises(DatasetError, match='out of range'):
        resolver.resolve('1000')
    with pytest.raises(DatasetError, match='not a class name'):
        resolver.resolve('flying teapot')
    with pytest.raises(DatasetError, match='--synsets'):
        LabelResolver(LABELS).resolve('n01440764')


def test_synsets_file(tmp_path):
    path = tmp_path / 'LOC_synset_mapping.txt'
    path.write_text('n01440764 tench, Tinca tinca\nn01443537 goldfish, Carassius auratus\n')
    assert load_synsets(str(path)) == ['n01440764', 'n01443537']
    with pytest.raises(DatasetError, match='has 2 entries'):
        LabelResolver(LABELS, load_synsets(str(path)))
    path.write_text('tench\n')
    with pytest.raises(DatasetError, match='not a WordNet id'):
        load_synsets(str(path))


def test_folder_layout(tree):
    samples = folder_samples(str(tree), LabelResolver(LABELS))
    assert sorted((os.path.basename(p), LABELS[i]) for p, i in samples) == sorted([
        ('coffee.png', 'espresso'), ('chelsea.png', 'Egyptian cat'), ('rocket.jpg', 'missile'),
        ('grace_hopper.jpg', 'military uniform'), ('camera.png', 'tripod')])
    (tree / 'no such class').mkdir()
    with pytest.raises(DatasetError, match="no such class/: 'no such class' is not a class"):
        folder_samples(str(tree), LabelResolver(LABELS))
    with pytest.raises(DatasetError, match='no class sub-folders'):
        folder_samples(str(tree / 'tripod'), LabelResolver(LABELS))


def test_limit_thins_evenly_across_classes(tree):
    args = evaluate.build_parser().parse_args([str(tree), '--limit', '3'])
    samples = evaluate.load_samples(args, LABELS)
    assert len(samples) == 3 and len({index for _, index in samples}) == 3


def test_list_layout(tmp_path):
    listing = tmp_path / 'val.txt'
    listing.write_text('# comment\n\nimages/a b.jpg 967\nc.jpg\ttiger cat\nd.jpg espresso\n')
    samples = list_samples(str(listing), LabelResolver(LABELS))
    assert samples == [(str(tmp_path / 'images' / 'a b.jpg'), 967),
                       (str(tmp_path / 'c.jpg'), LABELS.index('tiger cat')),
                       (str(tmp_path / 'd.jpg'), 967)]
    listing.write_text('c.jpg\n')
    with pytest.raises(DatasetError, match=r'val.txt:1: expected `path label`'):
        list_samples(str(listing), LabelResolver(LABELS))


def test_accuracy_bookkeeping():
    accuracy = Accuracy(k=5)
    accuracy.add(1, [1, 2, 3, 4, 5])
    accuracy.add(1, [2, 1, 3, 4, 5])
    accuracy.add(7, [2, 3, 4, 5, 6])
    accuracy.add_failure()
    assert (accuracy.total, accuracy.top1_hits, accuracy.topk_hits, accuracy.failed) == \
        (3, 1, 2, 1)
    assert accuracy.most_confused() == [((1, 2), 1), ((7, 2), 1)]
    assert accuracy.worst_classes()[0] == (7, 1, 0.0, 0.0)
    assert accuracy.summary()['top5'] == pytest.approx(2 / 3)


def test_progress_on_a_pipe_writes_about_ten_lines():
    stream = io.StringIO()
    progress = Progress(250, stream=stream)
    for done in range(1, 251):
        progress.update(done, 'acc')
    lines = stream.getvalue().splitlines()
    assert 10 <= len(lines) <= 11
    assert lines[-1].startswith('[' + '#' * 30 + '] 250/250') and lines[-1].endswith('acc')


@needs_model
def test_sample_tree_top5_is_complete_and_top1_matches_classify(tree, classifier):
    samples = folder_samples(str(tree), LabelResolver(classifier.labels))
    accuracy = evaluate.evaluate(classifier, samples, workers=2)
    assert (accuracy.total, accuracy.failed, accuracy.topk_hits) == (5, 0, 5)
    independent = sum(classify_file(classifier, path)['top'][0]['index'] == true
                      for path, true in samples)
    assert accuracy.top1_hits == independent


@needs_model
def test_a_mislabelled_photo_is_a_miss_and_a_confusion(tree, classifier):
    shutil.copy(os.path.join(SAMPLES, 'chelsea.png'), str(tree / 'espresso' / 'cat.png'))
    samples = folder_samples(str(tree), LabelResolver(classifier.labels))
    accuracy = evaluate.evaluate(classifier, samples)
    espresso = classifier.labels.index('espresso')
    assert (accuracy.total, accuracy.topk_hits) == (6, 5)
    assert accuracy.per_class[espresso] == [2, 1, 1]
    wrong = [pair for pair, _ in accuracy.most_confused()]
    assert (espresso, classifier.labels.index('Egyptian cat')) in wrong


@needs_model
def test_cli_list_json_csv_and_predictions(tmp_path, capsys):
    listing = tmp_path / 'list.txt'
    listing.write_text('coffee.png espresso\nrocket.jpg 657\nchelsea.png 967\n')
    confusion, predictions = tmp_path / 'c.csv', tmp_path / 'p.csv'
    code = evaluate.main(['--list', str(listing), '--root', SAMPLES, '--backend', 'cpu',
                          '--json', '--quiet', '--confusion', str(confusion),
                          '--predictions', str(predictions)])
    out = capsys.readouterr().out
    assert code == 0
    summary = json.loads(out.strip().splitlines()[-1])
    assert (summary['images'], summary['top5_hits'], summary['failed']) == (3, 2, 0)
    assert 'top-1 70.50 % quantised' in out
    with open(str(confusion)) as f:
        rows = list(csv.DictReader(f))
    assert sum(int(r['count']) for r in rows) == 3
    assert {'true_label': 'espresso', 'predicted_label': 'Egyptian cat'}.items() <= \
        next(r for r in rows if r['true_index'] == '967' and r['predicted_index'] != '967')\
        .items()
    with open(str(predictions)) as f:
        assert len(list(csv.DictReader(f))) == 3


def test_cli_refuses_a_confusion_file_it_cannot_write(tmp_path, capsys):
    assert evaluate.main([str(tmp_path), '--confusion', 'out.pdf']) == 2
    assert 'evaluate: error: --confusion must name a .csv or .png file' in \
        capsys.readouterr().err


@needs_model
def test_cli_names_the_folder_it_does_not_understand(tree, capsys):
    (tree / 'unknown_thing').mkdir()
    assert evaluate.main([str(tree), '--backend', 'cpu']) == 2
    err = capsys.readouterr().err
    assert "unknown_thing/: 'unknown_thing' is not a class name" in err


@pytest.mark.skipif(HAVE_MATPLOTLIB, reason='matplotlib is installed here')
def test_png_confusion_without_matplotlib_says_so(tree, capsys):
    assert evaluate.main([str(tree), '--confusion', 'c.png']) == 2
    assert 'needs matplotlib' in capsys.readouterr().err


@needs_model
@pytest.mark.skipif(not HAVE_MATPLOTLIB, reason='matplotlib not installed (optional)')
def test_png_confusion(tree, tmp_path):
    out = tmp_path / 'confusion.png'
    assert evaluate.main([str(tree), '--backend', 'cpu', '--quiet', '--confusion',
                          str(out)]) == 0
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


@needs_model
def test_bpu_standin_scores_like_the_cpu(tree, classifier, tmp_path):
    samples = folder_samples(str(tree), LabelResolver(classifier.labels))
    with standins.standin_runtime():
        backend = create_backend('bpu', standins.write_fixture_bin(tmp_path / 'm.bin'))
        try:
            bpu = Classifier(backend, classifier.labels, Settings(top_k=5))
            standin = evaluate.evaluate(bpu, samples, workers=2)
        finally:
            backend.close()
    cpu = evaluate.evaluate(classifier, samples)
    assert standin.summary() == cpu.summary()
    assert standin.confusions == cpu.confusions
