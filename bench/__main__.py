import importlib
import pkgutil
from pathlib import Path


def main() -> None:
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not module.name.startswith("_"):
            importlib.import_module(f"bench.{module.name}").main()


if __name__ == "__main__":
    main()
