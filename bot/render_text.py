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


def _standard_of(item: "CodeExplanation") -> "CodeExplanation":
    """The standard (RFC / IANA) explanation behind an item that carries a
    provider's meaning (see knowledge.explain.explain_with_provider)."""
    if item.provider is None:
        return item
    try:
        from knowledge.codes import parse_code
        from knowledge.explain import explain_code

        parsed = parse_code(item.code)
        return explain_code(parsed.reply, parsed.enhanced)
    except Exception:  # never fail a render over this
        return item


def explanation_renderable(item: "CodeExplanation") -> Any:
    """A rich Panel for one explanation (provider meaning first when present).

    The panel title is the code alone, so it always fits; the item's title is
    the first line inside.  Sources and documentation URLs are not in the
    panel (a border would break long URLs): see :func:`explanation_links`.
    """
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for note in item.notes:
        grid.add_row("Note:", Text(note, style="yellow"))
    std = _standard_of(item)
    if item.provider is not None:
        p = item.provider
        grid.add_row("Provider:", Text(f"{p.provider}: {p.title}", style="bold"))
        grid.add_row("", p.meaning)
        grid.add_row("Remedy:", p.remedy)
        if p.retry_helps is not None:
            grid.add_row("Retry helps:", "yes" if p.retry_helps else "no")
        grid.add_row("", "")
        grid.add_row("Standard:", Text(std.title, style="bold"))
    grid.add_row("Class:", Text(std.class_, style=_style_for(std.code)))
    if std.subject:
        grid.add_row("Subject:", std.subject)
    grid.add_row("Meaning:", std.meaning)
    grid.add_row("When:", std.when)
    who = f" (who acts: {', '.join(std.who_acts)})" if std.who_acts else ""
    grid.add_row("What to do:", std.fix + who)
    grid.add_row("Retry:", std.retry)
    if std.parts:
        grid.add_row("Parts:", "; ".join(f"{p.code}: {p.title}" for p in std.parts))
    if std.related:
        grid.add_row("Related:", ", ".join(std.related))
    standing = _STANDING_NOTE.get(item.standing, item.standing)
    subtitle_style = "bold yellow" if item.derived or item.standing in ("non-standard", "derived") else "dim"
    body = Group(Text(item.title, style="bold"), grid)
    return Panel(body, title=Text(item.code, style=f"bold {_style_for(item.code)}"), title_align="left",
                 subtitle=Text(standing, style=subtitle_style), subtitle_align="right")


def explanation_links(item: "CodeExplanation") -> list[str]:
    """Lines to print under the panel, unwrapped so URLs stay copy-pasteable:
    the provider's documentation URL and each source (RFC section, IANA
    registry URL, provider page), one per line."""
    lines = []
    if item.provider is not None:
        lines.append(f"  Provider doc: {item.provider.doc_url}")
    sources = [src for src in item.source if item.provider is None or src != item.provider.doc_url]
    for i, src in enumerate(sources):
        lines.append(f"  {'Source:' if i == 0 else '       '} {src}")
    return lines


# a comparison is shown as a table only when each code's column is at least
# this wide; otherwise one block per aspect (reads well at 80 columns)
_MIN_COLUMN = 26
_ASPECT_WIDTH = 12


def _table_fits(n_codes: int, width: int) -> bool:
    usable = width - _ASPECT_WIDTH - 3 * (n_codes + 1)
    return usable // max(n_codes, 1) >= _MIN_COLUMN


def comparison_renderable(comp: "Comparison", width: int | None = None) -> Any:
    """A rich Group for a comparison: summary, per-aspect rows, which matters, notes.

    ``width``: the console width in columns.  When every code gets a column
    of at least 26 characters the aspects are a table (one column per code);
    otherwise (e.g. three or more codes at 80 columns) each aspect is a block
    listing each code on its own line, so no word or code is ever split.
    """
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    rows = [r for r in comp.differences if r.aspect not in ("meaning", "title")]  # shown in the panels
    parts: list[Any] = [Text("How they differ", style="bold underline"), Text(comp.summary)]
    if width is None or _table_fits(len(comp.codes), width):
        table = Table(show_lines=True, expand=True)
        table.add_column("aspect", style="bold", no_wrap=True)
        for code in comp.codes:
            table.add_column(code, overflow="fold", header_style=f"bold {_style_for(code)}")
        for row in rows:
            if len(set(row.values)) == 1 and len(row.values) > 1:
                table.add_row(row.aspect, row.values[0], *(["(same)"] * (len(row.values) - 1)))
            else:
                table.add_row(row.aspect, *row.values)
        parts.append(table)
    else:
        for row in rows:
            parts.append(Text(row.aspect, style="bold underline"))
            grid = Table.grid(padding=(0, 1))
            grid.add_column(no_wrap=True)
            grid.add_column(overflow="fold")
            if len(set(row.values)) == 1 and len(row.values) > 1:
                grid.add_row(Text("  all:", style="bold"), row.values[0])
            else:
                for code, value in zip(comp.codes, row.values):
                    grid.add_row(Text(f"  {code}:", style=f"bold {_style_for(code)}"), value)
            parts.append(grid)
    parts.append(Text.assemble(("Which matters when: ", "bold"), comp.which_matters))
    for note in comp.notes:
        parts.append(Text.assemble(("Note: ", "bold"), note))
    return Group(*parts)


def print_explain(result: "ExplainResult", console: Any = None) -> None:
    """Print ``result`` (items, then comparison) on ``console`` (default: stdout).

    Source lines and URLs are printed with ``soft_wrap=True``: never wrapped
    or cut, so they can be copied from a terminal of any width.
    """
    if console is None:
        console = stdout_console()
    for item in result.items:
        console.print(explanation_renderable(item))
        for line in explanation_links(item):
            console.print(line, soft_wrap=True, style="dim", markup=False, highlight=False)
    if result.comparison is not None:
        comp = result.comparison
        console.print(comparison_renderable(comp, width=console.width))
        if comp.source:
            console.print("Sources of the comparison:", style="dim")
            for src in comp.source:
                console.print(f"  {src}", soft_wrap=True, style="dim", markup=False, highlight=False)


def stdout_console(**options: Any) -> Any:
    """A Console on stdout whose broken pipe (``| head``) raises BrokenPipeError,
    which ``bot.cli`` treats as a normal end, instead of rich's ``SystemExit(1)``.
    ``options`` go to ``rich.console.Console`` (default: ``highlight=False``)."""
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

    return _Console(**{"highlight": False, **options})


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
