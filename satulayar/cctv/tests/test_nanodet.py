"""NanoDet-m on real photographs (evaluation/, counted by hand), its model check, and the fallback to HOG."""

import logging

import numpy as np
import pytest

from satulayar.cctv.detector import HogPeopleDetector, count_in_zone, default_detector, detector_load
from satulayar.cctv.evaluation import evaluate, real_images
from satulayar.cctv.nanodet import MODEL_PATH, ModelError, NanoDetPeopleDetector, model_check
from satulayar.cctv.simulator import MAX_PEOPLE, SCENE_ZONE, scene_render

# Measured on the 14 photographs (1–8 people, none, close-ups, pedestrians partly hidden): 13 exact, one off by
# one, mean absolute error 0.07; HOG on the same: 3 exact, mean absolute error 3.3. The bound leaves room for
# onnxruntime's float differences across CPUs, not for a detector that misses people.
MAE_BOUND = 0.25


@pytest.fixture(scope="module")
def nanodet():
    return NanoDetPeopleDetector()


def test_the_default_detector_is_nanodet():
    assert isinstance(default_detector(), NanoDetPeopleDetector)


def test_each_real_photograph_is_counted_within_one_person(nanodet):
    result = evaluate(nanodet)
    off = [(s.name, s.truth, s.counted) for s in result.scored if abs(s.error) > 1]
    assert off == []
    assert result.mean_absolute_error <= MAE_BOUND, [(s.name, s.truth, s.counted) for s in result.scored]
    assert result.exact_rate >= 0.85


def test_nanodet_finds_people_hog_cannot(nanodet):
    """The close-ups and the pedestrians seen from above: HOG, trained on upright pedestrians, misses them."""
    hog = evaluate(HogPeopleDetector())
    assert evaluate(nanodet).mean_absolute_error < hog.mean_absolute_error / 5


def test_the_simulators_photographed_people_are_counted(nanodet):
    """The demo's cameras: real pedestrians blended onto a waiting-room floor, an officer outside the zone."""
    errors = []
    for seed in range(3):
        for people in range(MAX_PEOPLE + 1):
            image = scene_render(people, seed=f"uji/{seed}", officer=True, caption="KUIN 30-11-2026 10:00:00")
            errors.append(count_in_zone(nanodet.detect(image), SCENE_ZONE, width=640, height=480) - people)
    assert max(abs(e) for e in errors) <= 1, errors
    assert np.mean(np.array(errors) == 0) >= 0.9, errors


def test_boxes_lie_inside_the_frame_and_an_empty_frame_has_nobody(nanodet):
    for _name, _truth, image in real_images()[:4]:
        for box in nanodet.detect(image):
            assert box.x >= 0 and box.x + box.w <= image.shape[1] and box.y + box.h <= image.shape[0]
    assert nanodet.detect(np.zeros((480, 640, 3), np.uint8)) == []
    assert nanodet.detect(np.full((240, 320, 3), 255, np.uint8)) == []  # another size: no error, nobody


def test_a_missing_model_is_refused_and_hog_takes_over(tmp_path, caplog):
    missing = tmp_path / "tidak-ada.onnx"
    with pytest.raises(ModelError, match="tidak ditemukan"):
        model_check(missing)
    with caplog.at_level(logging.ERROR, logger="satulayar.cctv.detector"):
        assert isinstance(detector_load(path=missing), HogPeopleDetector)
    assert "tidak ditemukan" in caplog.text and "using HOG" in caplog.text


def test_a_model_of_another_hash_is_refused(tmp_path, caplog):
    altered = tmp_path / "nanodet-m.onnx"
    data = bytearray(MODEL_PATH.read_bytes())
    data[-1] ^= 0xFF
    altered.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="SHA-256"):
        NanoDetPeopleDetector(path=altered)
    with caplog.at_level(logging.ERROR, logger="satulayar.cctv.detector"):
        assert isinstance(detector_load(path=altered), HogPeopleDetector)


def test_a_file_that_is_no_model_is_refused(tmp_path):
    import hashlib

    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"bukan model")
    with pytest.raises(ModelError, match="tidak dapat dimuat"):
        NanoDetPeopleDetector(path=junk, sha256=hashlib.sha256(b"bukan model").hexdigest())
