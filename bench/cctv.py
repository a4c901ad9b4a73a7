"""CCTV people counting: frames counted per second on one core, and cameras one core serves at one frame per 15 s.

Pinned to one CPU core, with OpenCV's own threads off, it times over the simulator's scenes (640×480, 0–6
people, an officer outside the zone):
  (a) detection only: HOG people detector + zone count;
  (b) the poller's whole per-frame work without the network and database: JPEG decode, detection and zone
      count, storing JPEG + thumbnail encode.
It prints frames/s, the cameras one core serves at one frame per 15 s, the headroom over the 52 kelurahan
cameras (goal: at least 3×), and the counting accuracy on the same scenes.
Usage: python -m bench.cctv [--frames 120]
"""

import argparse
import os
import time

INTERVAL_S = 15
CAMERAS = 52
GOAL = 3.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cctv")
    parser.add_argument("--frames", type=int, default=120)
    args, _unknown = parser.parse_known_args(argv if argv is not None else [])
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    import cv2
    import numpy as np

    from satulayar.cctv.detector import HogPeopleDetector, count_in_zone
    from satulayar.cctv.simulator import MAX_PEOPLE, SCENE_ZONE, jpeg, scene_render

    cv2.setNumThreads(1)
    detector = HogPeopleDetector()
    scenes = [(i % (MAX_PEOPLE + 1), scene_render(i % (MAX_PEOPLE + 1), seed=f"bench/{i}", officer=True,
                                                  caption=f"BENCH {i:04d}")) for i in range(args.frames)]
    encoded = [(n, jpeg(image)) for n, image in scenes]
    detector.detect(scenes[0][1])  # warm-up

    started = time.perf_counter()
    errors = []
    for people, image in scenes:
        counted = count_in_zone(detector.detect(image), SCENE_ZONE, width=image.shape[1], height=image.shape[0])
        errors.append(counted - people)
    detect_s = time.perf_counter() - started

    started = time.perf_counter()
    for _people, data in encoded:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        count_in_zone(detector.detect(image), SCENE_ZONE, width=image.shape[1], height=image.shape[0])
        cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
        cv2.imencode(".jpg", cv2.resize(image, (320, 240), interpolation=cv2.INTER_AREA),
                     [cv2.IMWRITE_JPEG_QUALITY, 70])
    pipeline_s = time.perf_counter() - started

    errors = np.array(errors)
    print(f"\nCCTV people counting, one core, {args.frames} frames of 640×480 (OpenCV {cv2.__version__}, HOG)")
    for label, seconds in (("detection + zone count", detect_s), ("decode + detect + store encode", pipeline_s)):
        fps = args.frames / seconds
        cameras = fps * INTERVAL_S
        print(f"  {label:<32} {1000 * seconds / args.frames:6.1f} ms/frame  {fps:6.1f} frames/s/core  "
              f"{cameras:6.0f} cameras/core at 1 frame/{INTERVAL_S} s  headroom over {CAMERAS}: "
              f"{cameras / CAMERAS:4.1f}× (goal ≥ {GOAL:g}×: {'met' if cameras / CAMERAS >= GOAL else 'MISSED'})")
    print(f"  accuracy: exact {100 * np.mean(errors == 0):.1f}% of frames, mean |error| {np.mean(np.abs(errors)):.3f}, "
          f"max |error| {int(np.max(np.abs(errors)))} person")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
