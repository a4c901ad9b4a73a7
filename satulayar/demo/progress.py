"""The seed's progress bars: one per long step (done/total, rate, time left), drawn with rich.

The seed command opens a `bars()` session on its console; the steps wrap their loops in `bar(...)` and call the
function it yields with what each round did. Outside a session (tests, the live demo) a bar draws nothing. A bar
is transient: when its step ends, the step's one-line summary takes its place, so the console keeps one line per
step. On a console that is not a terminal (a log file) rich draws no bars at all, only those lines.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

_console: Console | None = None


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")  # Indonesian grouping, no decimals


class _Rate(ProgressColumn):
    """'12.345 rekaman/detik'."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{_number(speed)} {task.fields.get('unit', '')}/detik" if speed else "", style="cyan")


class _Count(MofNCompleteColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{_number(task.completed)}/{_number(task.total or 0)}", style="green")


@contextmanager
def bars(console: Console | None = None) -> Iterator[Console]:
    """Draw the bars of the steps run inside on `console` (stdout's by default)."""
    global _console
    previous, _console = _console, console or Console()
    try:
        yield _console
    finally:
        _console = previous


@contextmanager
def bar(description: str, total: float, *, unit: str = "") -> Iterator[Callable[[float], None]]:
    """A bar for one step of `total` units; yields `advance(n)`. Silent outside a `bars()` session."""
    if _console is None or total <= 0 or not _console.is_terminal:  # a log file gets the summary lines only
        yield lambda n=1: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(bar_width=30), TaskProgressColumn(), _Count(), _Rate(),
               TextColumn("sisa"), TimeRemainingColumn(), TextColumn("lewat"), TimeElapsedColumn())
    with Progress(*columns, console=_console, transient=True, refresh_per_second=4) as progress:
        task = progress.add_task(description, total=total, unit=unit)
        yield lambda n=1: progress.advance(task, n)


def say(message: str) -> None:
    """A line on the session's console (or nowhere outside a session)."""
    if _console is not None:
        _console.print(message, markup=False, highlight=False)
