"""Terminal rendering of explain results with rich.

:func:`print_explain` writes an :class:`~knowledge.results.ExplainResult` to a
terminal (colour when it is a TTY, plain text otherwise); :func:`render_explain`
returns the same as a string (tests, logs).  :func:`explanation_renderable`
gives the rich renderable of one :class:`~knowledge.results.CodeExplanation`,
for other commands (e.g. ``smtpbot annotate``) to reuse.

rich is imported inside the functions, so importing this module is cheap.
When a provider note is attached, the provider's meaning is shown first,
then the standard meaning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from knowledge.results import CodeExplanation, Comparison, ExplainResult

_STANDING_NOTE = {
    "derived": "derived from the digits only: no entry for this exact code",
    "non-standard": "not a standard code",
    "provider": "a provider's own code, not in the IANA registry",
    "registry": "IANA enhanced status code registry",
    "standard": "RFC 5321",
    "extension": "SMTP extension RFC",
}
_CLASS_STYLE = {"2": "green", "3": "cyan", "4": "yellow", "5": "red"}


def _style_for(code: str) -> str:
    return _CLASS_STYLE.get(code[:1], "magenta")


def explanation_renderable(item: "CodeExplanation") -> Any:
    """A rich Panel for one explanation (provider meaning first when present)."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    if item.provider is not None:
        p = item.provider
        grid.add_row("Provider:", Text(f"{p.provider}: {p.title}", style="bold"))
        grid.add_row("", p.meaning)
        grid.add_row("Remedy:", p.remedy)
        if p.retry_helps is not None:
            grid.add_row("Retry helps:", "yes" if p.retry_helps else "no")
        grid.add_row("Provider doc:", p.doc_url)
        grid.add_row("", "")
        grid.add_row("Standard meaning", "")
    grid.add_row("Class:", Text(item.class_, style=_style_for(item.code)))
    if item.subject:
        grid.add_row("Subject:", item.subject)
    grid.add_row("Meaning:", item.meaning)
    grid.add_row("When:", item.when)
    who = f" (who acts: {', '.join(item.who_acts)})" if item.who_acts else ""
    grid.add_row("What to do:", item.fix + who)
    grid.add_row("Retry:", item.retry)
    if item.parts:
        grid.add_row("Parts:", "; ".join(f"{p.code}: {p.title}" for p in item.parts))
    if item.related:
        grid.add_row("Related:", ", ".join(item.related))
    grid.add_row("Source:", "; ".join(item.source))
    standing = _STANDING_NOTE.get(item.standing, item.standing)
    title = Text.assemble((item.code, f"bold {_style_for(item.code)}"), "  ", (item.title, "bold"))
    subtitle_style = "bold yellow" if item.derived or item.standing in ("non-standard", "derived") else "dim"
    return Panel(grid, title=title, title_align="left", subtitle=Text(standing, style=subtitle_style),
                 subtitle_align="right")


def comparison_renderable(comp: "Comparison") -> Any:
    """A rich Group for a comparison: summary, per-aspect table, which matters, notes."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=True, expand=True)
    table.add_column("aspect", style="bold", no_wrap=True)
    for code in comp.codes:
        table.add_column(code, overflow="fold", header_style=f"bold {_style_for(code)}")
    for row in comp.differences:
        if row.aspect in ("meaning", "title"):
            continue  # shown in the panels above
        if len(set(row.values)) == 1 and len(row.values) > 1:
            table.add_row(row.aspect, row.values[0], *(["(same)"] * (len(row.values) - 1)))
        else:
            table.add_row(row.aspect, *row.values)
    parts: list[Any] = [
        Text("How they differ", style="bold underline"),
        Text(comp.summary),
        table,
        Text.assemble(("Which matters when: ", "bold"), comp.which_matters),
    ]
    for note in comp.notes:
        parts.append(Text.assemble(("Note: ", "bold"), note))
    if comp.source:
        parts.append(Text("Sources: " + "; ".join(comp.source), style="dim"))
    return Group(*parts)


def print_explain(result: "ExplainResult", console: Any = None) -> None:
    """Print ``result`` (items, then comparison) on ``console`` (default: stdout)."""
    if console is None:
        console = _stdout_console()
    for item in result.items:
        console.print(explanation_renderable(item))
    if result.comparison is not None:
        console.print(comparison_renderable(result.comparison))


def _stdout_console() -> Any:
    """A Console on stdout whose broken pipe (``| head``) raises BrokenPipeError,
    which ``bot.cli`` treats as a normal end, instead of rich's ``SystemExit(1)``."""
    import os
    import sys

    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            except OSError:
                pass
            raise BrokenPipeError

    return _Console(highlight=False)


def render_explain(result: "ExplainResult", width: int = 100) -> str:
    """``result`` rendered as plain text (no colour codes), ``width`` columns."""
    from rich.console import Console

    console = Console(width=width, record=True, file=_Null(), color_system=None, highlight=False)
    print_explain(result, console)
    return console.export_text()


class _Null:
    def write(self, _s: str) -> int:
        return 0

    def flush(self) -> None:
        pass
