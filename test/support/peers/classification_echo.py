# Copyright 2026 resnet_x5_ros developers
# SPDX-License-Identifier: Apache-2.0
"""A second process for the environment test: answers each Image with a Classification.

The answer copies the image header and reports the image's size and first pixel as
hypotheses, so the test can check that the real bytes crossed DDS.
"""

import sys

import rclpy
from rclpy.executors import ExternalShutdownException
from sensor_msgs.msg import Image
from vision_msgs.msg import Classification, ObjectHypothesis


def main():
    rclpy.init(args=sys.argv)
    node = rclpy.create_node('classification_echo')
    publisher = node.create_publisher(Classification, 'echo_classification', 10)

    def on_image(msg):
        out = Classification()
        out.header = msg.header
        first = msg.data[0] if len(msg.data) else 0
        out.results = [
            ObjectHypothesis(class_id='{}x{}'.format(msg.width, msg.height), score=1.0),
            ObjectHypothesis(class_id=msg.encoding, score=float(first) / 255.0),
        ]
        publisher.publish(out)

    node.create_subscription(Image, 'echo_image', on_image, 10)
    print('ready', flush=True)
    try:
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except RuntimeError:
        # SIGINT can shut the context down while the executor takes a message (rclpy then
        # fails the take); anything else is a real failure of this peer.
        if rclpy.ok():
            raise
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == '__main__':
    main()
