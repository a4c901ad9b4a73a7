import importlib
import pkgutil
import time
from pathlib import Path

OWN_TARGETS = {"province"}  # `make bench-province`: longer than `make bench` may take


def main() -> None:
    started = time.perf_counter()
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not module.name.startswith("_") and module.name not in OWN_TARGETS:
            begun = time.perf_counter()
            importlib.import_module(f"bench.{module.name}").main()
            print(f"[bench.{module.name}: {time.perf_counter() - begun:.0f} s]", flush=True)
    print(f"\nmake bench: {(time.perf_counter() - started) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
