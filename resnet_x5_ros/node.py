# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""The ROS 2 adapter: sensor_msgs/Image in, vision_msgs/Classification out.

Thin on purpose: the callback copies the message's fields into a `pipeline.Frame` and drops it
into a one-frame slot; worker threads run `pipeline.Classifier` and publish. Everything that
is not ROS lives in the ROS-free modules (convert, backends, postprocess, pipeline, handoff).
"""

import array
import ctypes
import itertools
import os
import re
import sys
import time
import warnings

import cv2
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rcl_interfaces.msg import (FloatingPointRange, IntegerRange, ParameterDescriptor,
                                ParameterType, SetParametersResult)
import rclpy
from rclpy.exceptions import ParameterException
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.impl.implementation_singleton import rclpy_implementation as _rclpy
from rclpy.node import Node
from rclpy.qos import (DurabilityPolicy, HistoryPolicy, qos_profile_sensor_data, QoSProfile,
                       ReliabilityPolicy)
from rclpy.signals import SignalHandlerOptions
from rclpy.utilities import get_rmw_implementation_identifier
from sensor_msgs.msg import CompressedImage, Image
from vision_msgs.msg import Classification, LabelInfo, ObjectHypothesis, VisionClass

from resnet_x5_ros import convert, security
from resnet_x5_ros.backends import BackendError, ModelError, open_backend
from resnet_x5_ros.handoff import LatestSlot, NewestFirstGate, WorkerPool
from resnet_x5_ros.health import HealthJudge
from resnet_x5_ros.messages import one_line as _one_line
from resnet_x5_ros.params import (check_value, full_description, PARAMS, PARAMS_BY_NAME,
                                  TOPIC_PARAMS, yaml_text)
from resnet_x5_ros.pipeline import (Classifier, frame_from_compressed, frame_from_image,
                                    Settings)
from resnet_x5_ros.postprocess import DEFAULT_LABELS_PATH, LabelsError, load_labels
from resnet_x5_ros.stall import ProgressWatch, stall_limit_s
from resnet_x5_ros.stats import PipelineStats
from resnet_x5_ros.stop_signals import StopSignals
from resnet_x5_ros.tros.perception import PerceptionOutput, PerceptionUnavailable
from resnet_x5_ros.tros.shared_mem import hbm_frame, hbm_source

WARN_EVERY_S = 5.0
SPIN_TIMEOUT_S = 0.1
# At shutdown: how long frames being inferred get to finish, and the whole of it.
SHUTDOWN_GRACE_S = 0.5
SHUTDOWN_LIMIT_S = 1.0
# Image stamps older than this at callback entry are not on our clock (see arrival).
ARRIVAL_LIMIT_S = 10.0


class StartupError(Exception):
    """A configuration problem that stops start-up; str() is the one line shown to users."""


class ClassifierNode(Node):
    """Subscribes to `image`, publishes `classification`, `label_info`, `/diagnostics`."""

    def __init__(self, **node_kwargs):
        super().__init__('classifier', **node_kwargs)
        self._backend = None
        self._workers = None
        self._busy_at_shutdown = None  # shutdown() ran: the threads it left running
        try:
            self._start()
        except BaseException:
            # Whatever stopped it (a StartupError, Ctrl-C): the workers, their processes, the
            # model and the rcl node go with it.
            self.destroy_node()
            raise

    def _start(self):
        self._p = self._declare_parameters()
        self._check_choices()
        backend = self._backend = self._load_backend()
        labels_path = self._p['labels_path'] or DEFAULT_LABELS_PATH
        try:
            labels = load_labels(labels_path, expected_count=backend.num_classes)
        except LabelsError as exc:
            backend.close()
            raise StartupError(str(exc)) from None
        try:
            self._classifier = Classifier(backend, labels, Settings(
                top_k=self._p['top_k'], score_threshold=self._p['score_threshold'],
                apply_softmax=self._p['apply_softmax'], resize_mode=self._p['resize_mode'],
                camera_range=self._p['camera_range']))
        except ValueError as exc:
            backend.close()
            raise StartupError('parameter error: {}'.format(exc)) from None
        # top_k was declared with the widest range any model can have; now that the model
        # is known, `ros2 param describe` shows (and rclpy enforces) the real one.
        self.set_descriptor('top_k', descriptor(
            PARAMS_BY_NAME['top_k']._replace(high=backend.num_classes)))
        self._class_id_format = self._p['class_id_format']
        self._stats = PipelineStats()
        self._sequence = itertools.count()
        self._gate = NewestFirstGate()
        self._last_warning = {}
        self._error_streak = 0  # inferences failed in a row, for the diagnostics level
        self._progress = ProgressWatch()

        self._classification_pub = self.create_publisher(Classification, 'classification', 10)
        latched = QoSProfile(depth=1, history=HistoryPolicy.KEEP_LAST,
                             durability=DurabilityPolicy.TRANSIENT_LOCAL,
                             reliability=ReliabilityPolicy.RELIABLE)
        self._label_info_pub = self.create_publisher(LabelInfo, 'label_info', latched)
        self._diagnostics_pub = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self._overlay_pub = self.create_publisher(Image, 'overlay', 1)
        self._perception = self._perception_output(backend)
        self._input_topic, self._input_type, self._input_callback = self._input()
        self._health = HealthJudge(self._input_topic)
        self._publish_label_info()

        self._slot = LatestSlot()
        self._workers = WorkerPool(self._slot, self._handle_frame, self._p['num_workers'],
                                   on_error=self._on_worker_error)
        self._workers.start()

        self._subscription = None
        self._reliability = None
        if security.enabled():
            # The permissions are checked when a subscription is made: under qos_reliability
            # auto that is when a camera appears. Find out now, at start-up.
            self.destroy_subscription(self.create_subscription(
                self._input_type, self._input_topic, self._input_callback, 1))
        if self._p['qos_reliability'] == 'auto':
            self.create_timer(0.25, self._match_publishers)
        else:
            self._subscribe(ReliabilityPolicy.RELIABLE
                            if self._p['qos_reliability'] == 'reliable'
                            else ReliabilityPolicy.BEST_EFFORT, 'set by qos_reliability')

        self.add_on_set_parameters_callback(self._on_set_parameters)
        # The node keeps its timers; no handle needed here.
        self.create_timer(self._p['diagnostics_period'], self._publish_diagnostics)
        self.get_logger().info(
            'ready: backend {} | input {}x{} NV12 ({} range) | labels {} ({} classes) | '
            'in {} [{}] -> out {}, {} | workers {} ({})'.format(
                backend.description, backend.input_width, backend.input_height,
                backend.nv12_range, labels_path, len(labels), self._input_topic,
                self._input_type.__name__, self.resolve_topic_name('classification'),
                self.resolve_topic_name('label_info'), self._p['num_workers'],
                self._p['worker_type']))

    # ---- start-up -------------------------------------------------------------------

    def _declare_parameters(self):
        values = {}
        for param in PARAMS:
            try:
                values[param.name] = self.declare_parameter(
                    param.name, param.default, descriptor(param)).value
            except ParameterException as exc:
                raise StartupError('parameter {!r}: {}'.format(
                    param.name, _one_line(exc))) from None
        return values

    def _check_choices(self):
        for name, value in self._p.items():
            reason = check_value(name, value)
            if reason:
                raise StartupError(reason)
        for name in TOPIC_PARAMS:
            if self._p[name]:
                # As rcl will resolve it (namespace, ~, substitutions, remaps), now rather
                # than in a traceback when the publisher is created.
                try:
                    self.resolve_topic_name(self._p[name])
                except _rclpy.RCLError as exc:
                    raise StartupError('parameter {!r} is not a valid topic name ({!r}): {}'
                                       .format(name, self._p[name], rcl_reason(exc))) from None

    def _perception_output(self, backend):
        topic = self._p['perception_topic']
        if not topic:
            return None
        try:
            output = PerceptionOutput(self, topic, self._classifier.labels, backend.model_path,
                                      (backend.input_width, backend.input_height))
        except PerceptionUnavailable as exc:
            backend.close()
            raise StartupError(str(exc)) from None
        self.get_logger().info('web display results (ai_msgs/PerceptionTargets) on ' +
                               output.topic)
        return output

    def _input(self):
        """(topic, message type, callback) of the camera input the parameters ask for."""
        if self._p['io_method'] == 'shared_mem':
            try:
                from hbm_img_msgs.msg import HbmMsg1080P
            except ImportError as exc:
                self._classifier.backend.close()
                raise StartupError(
                    'parameter io_method is shared_mem but hbm_img_msgs cannot be imported '
                    '({}); it comes with TogetheROS.Bot'.format(exc)) from None
            return self.resolve_topic_name('hbmem_img'), HbmMsg1080P, self._on_hbm
        image_topic = self.resolve_topic_name('image')
        if self._p['compressed']:
            # image_transport's convention: the compressed stream lives under the raw topic.
            return image_topic + '/compressed', CompressedImage, self._on_compressed
        return image_topic, Image, self._on_image

    def _load_backend(self):
        options = {'nv12_range': self._p['nv12_range'], 'num_threads': self._p['num_threads'],
                   'bpu_runtime': self._p['bpu_runtime']}
        try:
            # worker_type process: each worker thread waits on its own child process.
            return open_backend(self._p['backend'], self._p['model_path'],
                                worker_type=self._p['worker_type'],
                                workers=self._p['num_workers'],
                                inference_timeout=self._p['inference_timeout'], **options)
        except (ModelError, BackendError, ValueError) as exc:
            # BackendError here: no BPU runtime, or the model failed its warm-up run.
            raise StartupError(_one_line(exc)) from None

    # ---- input ----------------------------------------------------------------------

    def _match_publishers(self):
        # qos_reliability auto: reliable when every publisher offers it (a reliable reader
        # receives big frames a best-effort one loses), else best effort (a reliable reader
        # never matches a best-effort writer). Re-checked as cameras come and go.
        infos = self.get_publishers_info_by_topic(self._input_topic)
        if not infos:
            return
        wanted = ReliabilityPolicy.RELIABLE if all(
            i.qos_profile.reliability == ReliabilityPolicy.RELIABLE for i in infos) \
            else ReliabilityPolicy.BEST_EFFORT
        if self._subscription is not None:
            if self._reliability == wanted:
                return
            self.destroy_subscription(self._subscription)
        self._subscribe(wanted, 'matched to the {} publisher(s) found'.format(len(infos)))

    def create_publisher(self, msg_type, topic, *args, **kwargs):
        """Node.create_publisher; a refusal by the enclave's permissions is a StartupError."""
        return self._permitted('publisher', topic, super().create_publisher, msg_type, topic,
                               *args, **kwargs)

    def create_subscription(self, msg_type, topic, *args, **kwargs):
        """Node.create_subscription; a refusal by the permissions is a StartupError."""
        return self._permitted('subscription', topic, super().create_subscription, msg_type,
                               topic, *args, **kwargs)

    def _permitted(self, kind, topic, create, *args, **kwargs):
        try:
            return create(*args, **kwargs)
        except _rclpy.RCLError:
            if not security.enabled():
                raise
            raise self._refused(kind, topic) from None

    def _refused(self, kind, topic):
        """Return the StartupError for an endpoint the enclave's permissions refused."""
        enclave, _ = security.enclave_of(os.environ, sys.argv)
        return StartupError(security.endpoint_error(kind, self.resolve_topic_name(topic),
                                                    enclave))

    def _subscribe(self, reliability, why):
        qos = QoSProfile(depth=1, history=HistoryPolicy.KEEP_LAST, reliability=reliability,
                         durability=qos_profile_sensor_data.durability)
        self._subscription = self.create_subscription(self._input_type, self._input_topic,
                                                      self._input_callback, qos)
        self._reliability = reliability
        self.get_logger().info('subscribed to {} with {} QoS ({})'.format(
            self._input_topic, reliability.name.lower(), why))

    def _on_image(self, msg):
        self._enqueue(frame_from_image(msg), msg, time.time_ns())

    def _on_compressed(self, msg):
        self._enqueue(frame_from_compressed(msg), msg, time.time_ns())

    def _on_hbm(self, msg):
        entered_ns = time.time_ns()
        try:
            frame = hbm_frame(msg)
        except convert.FrameError as exc:
            self._stats.count('received')
            self._reject(exc)
            return
        self._enqueue(frame, hbm_source(msg, self._p['shared_mem_frame_id']), entered_ns)

    def _enqueue(self, frame, msg, entered_ns):
        self._stats.count('received')
        arrival_s = stamp_to_callback_s(msg.header.stamp, entered_ns)
        if arrival_s is not None:
            self._stats.record(arrival=arrival_s)
        if self._slot.put((next(self._sequence), time.perf_counter(), frame, msg)):
            self._stats.count('dropped')
        # Hand the GIL to the worker just woken, rather than after the executor's own
        # bookkeeping: shaves the hand-off off every frame's latency.
        time.sleep(0)

    # ---- workers --------------------------------------------------------------------

    def _handle_frame(self, item):
        self._progress.begin()
        try:
            self._process(item)
        finally:
            self._progress.end()

    def _process(self, item):
        sequence, received_at, frame, msg = item
        handoff_s = time.perf_counter() - received_at
        classifier = self._classifier
        settings = classifier.settings
        started = time.perf_counter()
        try:
            result = classifier.classify(frame, settings)
        except convert.FrameError as exc:
            self._reject(exc)
            return
        except BackendError as exc:
            self._stats.count('backend_errors')
            self._error_streak += 1
            self._warn('backend', 'inference failed ({} failures so far): {}'.format(
                self._stats.counts()['backend_errors'], _one_line(exc)))
            return
        self._stats.count('processed')
        self._error_streak = 0
        out = Classification(header=msg.header)
        out.results = [ObjectHypothesis(class_id=class_id, score=score) for class_id, score
                       in classifier.hypotheses(result.top, self._class_id_format)]
        targets = None
        if self._perception is not None and self._perception.subscribed():
            targets = self._perception.prepare(msg.header, frame, result,
                                               settings.resize_mode, received_at, started)
        # Drawn before the gate (outside its lock), published through it with the
        # classification: an overlay never goes back in time, and only results that were
        # published are drawn.
        overlay = None
        if self._overlay_pub.get_subscription_count() > 0:
            overlay = self._overlay_image(msg, frame, result)
        publish_s = []

        def publish():
            t0 = time.perf_counter()
            self._classification_pub.publish(out)
            publish_s.append(time.perf_counter() - t0)
            if targets is not None:
                self._perception.publish(targets)
            if overlay is not None:
                self._overlay_pub.publish(overlay)

        if self._gate.run_if_newest(sequence, publish):
            self._stats.count('published')
            self._stats.record(handoff=handoff_s, convert=result.convert_s,
                               infer=result.infer_s, ipc=result.ipc_s, post=result.post_s,
                               publish=publish_s[0],
                               total=time.perf_counter() - received_at)
        else:
            self._stats.count('stale')

    def _reject(self, exc):
        self._stats.count('rejected')
        self._warn('frame', 'rejected a frame ({} rejected so far): {}'.format(
            self._stats.counts()['rejected'], exc))

    def _on_worker_error(self, exc):
        if not self.context.ok():
            return  # shutting down: rclpy already invalidated the publishers
        self._stats.count('internal_errors')
        self._warn('internal', 'unexpected error while processing a frame ({} so far): {}: {}'
                   .format(self._stats.counts()['internal_errors'], type(exc).__name__,
                           _one_line(exc)))

    def _overlay_image(self, msg, frame, result):
        """Return the frame with the top-k drawn as a bgr8 Image, or None if unreadable."""
        try:
            if frame.compressed:
                bgr = convert.compressed_to_bgr(frame.data, frame.encoding)
            else:
                # Camera YUV read in the range the classifier reads it in (camera_range).
                classifier = self._classifier
                bgr = convert.to_bgr(frame.data, frame.encoding, frame.width, frame.height,
                                     frame.step, camera_range=classifier.camera_range(
                                         classifier.settings.camera_range))
        except convert.FrameError:
            return None
        bgr = draw_top_k(bgr, result.top, self._classifier.labels)
        image = Image(header=msg.header, height=bgr.shape[0], width=bgr.shape[1],
                      encoding='bgr8', is_bigendian=0, step=bgr.shape[1] * 3)
        image.data = array.array('B', bgr.tobytes())
        return image

    # ---- parameters, label map, diagnostics --------------------------------------------

    def _on_set_parameters(self, params):
        settings = self._classifier.settings
        changes = {}
        class_id_format = self._class_id_format
        for param in params:
            # Parameters read at start-up only never get here: they are declared read-only,
            # and rclpy refuses those before calling this.
            if param.name not in PARAMS_BY_NAME:
                continue
            reason = check_value(param.name, param.value)
            if reason:
                return SetParametersResult(successful=False, reason=reason)
            if param.name == 'class_id_format':
                class_id_format = param.value
            else:
                changes[param.name] = param.value
        try:
            new_settings = self._classifier.checked(
                Settings(**{**settings.__dict__, **changes}))
        except (TypeError, ValueError) as exc:
            return SetParametersResult(successful=False, reason=str(exc))
        self._classifier.settings = new_settings
        self._class_id_format = class_id_format
        if new_settings.score_threshold != settings.score_threshold:
            self._publish_label_info(new_settings.score_threshold)
        return SetParametersResult(successful=True)

    def _publish_label_info(self, threshold=None):
        if threshold is None:
            threshold = self._classifier.settings.score_threshold
        msg = LabelInfo(threshold=float(threshold))
        msg.header.stamp = self.get_clock().now().to_msg()
        msg.class_map = [VisionClass(class_id=i, class_name=name)
                         for i, name in enumerate(self._classifier.labels)]
        self._label_info_pub.publish(msg)

    def _publish_diagnostics(self):
        snap = self._stats.snapshot()
        backend = self._classifier.backend
        backend_health = backend.health()
        status = DiagnosticStatus(name='{}: classifier'.format(self.get_fully_qualified_name()),
                                  hardware_id=backend.name)
        limit = stall_limit_s(snap.get('total_ms_median', 0.0) / 1000.0)
        verdict = self._health.judge(snap, backend_health, self._progress.stalled_for(), limit,
                                     self._error_streak)
        if verdict.log:
            self._warn(verdict.log, verdict.message)
        status.level, status.message = bytes([verdict.level]), verdict.message
        values = {'backend': backend.description, 'model': backend.model_path,
                  'input_topic': self._input_topic, 'worker_type': self._p['worker_type']}
        values.update(snap)
        values['stall_limit_s'] = limit
        values.update(backend_health.values)
        status.values = [KeyValue(key=k, value=_fmt(v)) for k, v in values.items()]
        msg = DiagnosticArray(status=[status])
        msg.header.stamp = self.get_clock().now().to_msg()
        self._diagnostics_pub.publish(msg)

    def _warn(self, kind, text):
        # Rate-limited per kind: a broken camera must not flood the log.
        now = time.monotonic()
        if now - self._last_warning.get(kind, -WARN_EVERY_S) >= WARN_EVERY_S:
            self._last_warning[kind] = now
            self.get_logger().warning(text)

    @property
    def stats(self):
        return self._stats

    def shutdown(self):
        """Stop the workers, then release the backend; returns threads that did not stop.

        Within SHUTDOWN_LIMIT_S, so SIGINT/SIGTERM end the node in under 2 s even with a hung
        worker. Runs once (later calls return the first answer), on a node whose start-up
        failed half-way too.
        """
        if self._busy_at_shutdown is not None:
            return self._busy_at_shutdown
        backend, busy = self._backend, []
        if self._workers is not None:
            deadline = time.monotonic() + SHUTDOWN_LIMIT_S
            # Frames being inferred finish and are published. A call still running after
            # that is hung: closing ends it where the backend can (a worker process is
            # killed and the thread waiting for it returns), else the runtime is released
            # when it returns, never under it.
            busy = self._workers.stop(timeout=SHUTDOWN_GRACE_S)
            if busy and backend is not None:
                backend.close(timeout=0.0)
            busy = self._workers.stop(timeout=max(0.0, deadline - time.monotonic()))
        if backend is not None:
            backend.close(timeout=0.0)
        self._busy_at_shutdown = busy
        return busy

    def destroy_node(self):
        """Stop everything the node started (shutdown()), then destroy the node itself."""
        self.shutdown()
        return super().destroy_node()


def _create_node():
    """ClassifierNode(); under security, the DDS refusing its participant is a StartupError."""
    if not security.enabled():
        return ClassifierNode()
    with warnings.catch_warnings():
        # rclpy warns that it cannot finish the half-made node's rosout publisher: noise next
        # to the one line below.
        warnings.filterwarnings('ignore', message='Failed to fini rosout publisher')
        try:
            return ClassifierNode()
        except _rclpy.RCLError as exc:
            raise StartupError(security.participant_error(
                rcl_reason(exc), get_rmw_implementation_identifier())) from None


def descriptor(param):
    """Build the ParameterDescriptor (description, type, range, read-only) of a params.Param."""
    desc = ParameterDescriptor(description=full_description(param), read_only=not param.dynamic)
    if isinstance(param.default, bool):
        desc.type = ParameterType.PARAMETER_BOOL
    elif isinstance(param.default, int):
        desc.type = ParameterType.PARAMETER_INTEGER
        if param.low is not None:
            desc.integer_range = [IntegerRange(from_value=param.low, to_value=param.high,
                                               step=1)]
    elif isinstance(param.default, float):
        desc.type = ParameterType.PARAMETER_DOUBLE
        if param.low is not None:
            desc.floating_point_range = [FloatingPointRange(
                from_value=float(param.low), to_value=float(param.high), step=0.0)]
    else:
        desc.type = ParameterType.PARAMETER_STRING
    return desc


def rcl_reason(exc):
    """Return an RCLError's text without rcl's 'failed to ...:' preamble and C source places."""
    text = re.sub(r',? at \S+\.c:\d+', '', _one_line(exc))
    return re.sub(r'^failed to [^:]*: ', '', text)


def stamp_to_callback_s(stamp, entered_ns):
    """Seconds from an image's header stamp to callback entry, or None if not meaningful.

    Only for stamps on this machine's clock: an unset stamp (0), one in the future or one
    more than ARRIVAL_LIMIT_S old (a bag's, a camera's own clock) would only pollute the
    figure.
    """
    stamp_ns = stamp.sec * 1000000000 + stamp.nanosec
    if stamp_ns <= 0:
        return None
    seconds = (entered_ns - stamp_ns) / 1e9
    return seconds if 0.0 <= seconds <= ARRIVAL_LIMIT_S else None


def draw_top_k(bgr, top, labels):
    """Return a copy of bgr with one text line per (index, score) in its top-left corner."""
    out = bgr.copy()
    scale = max(0.4, out.shape[0] / 900.0)
    line = int(30 * scale) + 4
    for row, (index, score) in enumerate(top):
        text = '{:.1%} {}'.format(score, labels[index])
        origin = (8, line * (row + 1))
        cv2.putText(out, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0),
                    thickness=4, lineType=cv2.LINE_AA)
        cv2.putText(out, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255),
                    thickness=1, lineType=cv2.LINE_AA)
    return out


def _fmt(value):
    if isinstance(value, float):
        return '{:.3f}'.format(value)
    return str(value)


USAGE = """usage: classifier_node [-h] [--ros-args ...]

Classify sensor_msgs/Image on `image` and publish vision_msgs/Classification on
`classification` (README: topics, launch arguments). ROS arguments as for any node, e.g.
  classifier_node --ros-args --params-file config/classifier.yaml -r image:=/image_raw \\
      -p backend:=cpu -p top_k:=3
parameters (ros2 param describe /classifier NAME tells more):
"""


def non_ros_args(argv):
    """Return the arguments outside --ros-args ... [--] sections, without parsing those.

    (rclpy's remove_ros_args parses them, and a bad remap must become the one-line error.)
    """
    own, inside = [], False
    for arg in argv:
        if arg == '--ros-args':
            inside = True
        elif arg == '--' and inside:
            inside = False
        elif not inside:
            own.append(arg)
    return own


def usage():
    """Return the --help text: how to start the node and its parameters with defaults."""
    lines = ['  {} (default {}){}'.format(
        p.name, yaml_text(p.default), ', changeable at run time' if p.dynamic else '')
        for p in PARAMS]
    return USAGE + '\n'.join(lines) + '\n'


def main(args=None):
    """Run the node until SIGINT/SIGTERM, or until ROS is shut down; return the exit code.

    After a signal it ends the process itself once everything is shut down in order (see
    below). Otherwise (a start-up error: 2; ROS shut down by the program that called main: 0)
    it returns, with the signal handlers it found put back.
    """
    # -h/--help outside --ros-args: the usage, not a node that starts and runs.
    if {'-h', '--help'} & set(non_ros_args(sys.argv if args is None else args)):
        print(usage(), end='')
        return 0
    # OpenCV's own warnings about damaged frames would bypass the node's rate-limited log;
    # FrameError already reports them.
    cv2.setLogLevel(2)  # errors only
    stop = StopSignals()
    stop.install()
    node = None
    executor = None
    code = 0
    try:
        # Our handlers, not rclpy's: rclpy's shut the context down from a signal while the
        # workers still publish, and raise again on launch's second SIGINT (stop_signals.py).
        argv = sys.argv if args is None else args
        try:
            security_note = security.check(os.environ, argv)
        except security.SecurityError as exc:
            raise StartupError('security: {}'.format(exc)) from None
        try:
            rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
        except _rclpy.RCLError as exc:
            # A remap, namespace or parameter override rcl cannot parse.
            raise StartupError('invalid ROS arguments: ' + rcl_reason(exc)) from None
        node = _create_node()
        if security_note:
            node.get_logger().warning(security_note)
        executor = SingleThreadedExecutor()
        executor.add_node(node)
        stop.running()
        while not stop.requested and rclpy.ok():
            # The timeout bounds how long a signal waits for the loop to see it.
            executor.spin_once(timeout_sec=SPIN_TIMEOUT_S)
    except StartupError as exc:
        print('classifier_node: error: {}'.format(exc), file=sys.stderr)
        code = 2
    except (KeyboardInterrupt, ExternalShutdownException):
        pass  # a signal during start-up (stop_signals.py), or ROS shut down meanwhile
    finally:
        stop.ignore_from_now_on()
        if executor is not None:
            executor.shutdown()
        if node is not None:
            busy = node.shutdown()
            if busy:
                node.get_logger().warning(
                    'inference still running in {} at shutdown; exiting without it'
                    .format(', '.join(busy)))
            node.destroy_node()
        rclpy.try_shutdown()
        if not stop.requested:
            stop.restore()
    if not stop.requested:
        return code
    # Asked to end by a signal, and ROS (with its log), the workers and the backend are
    # closed: leave without the interpreter's teardown. It is what remains slow (0.2-0.3 s of
    # a 0.3 s exit here, seconds on a loaded machine, against launch's patience) and unsafe:
    # a worker still inside the runtime that comes back into Python during it aborts the
    # process with C++ frames on its stack ("terminate called without an active exception").
    _flush_output()
    os._exit(code)


def _flush_output():
    # os._exit skips every flush: Python's stream buffers, and the C library's, where rcutils
    # may have logged to a buffered stdout (RCUTILS_LOGGING_USE_STDOUT).
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):
        pass


if __name__ == '__main__':
    sys.exit(main())
