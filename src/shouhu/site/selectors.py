"""Reads of what the site composes: an import job is scoped by its uploader's unit (accounts);
the day's work of every app (Today)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from shouhu.accounts.models import User
from shouhu.accounts.scope import sees_whole_region, unit_scope
from shouhu.common.access import get_in_scope
from shouhu.common.models import ImportJob
from shouhu.common.modules import Module, area_label, area_order
from shouhu.common.today import Tally, Work, registered_works
from shouhu.orgs.models import OrgUnit
from shouhu.orgs.selectors import unit_children


def access_import_job(viewer: User, pk: object) -> ImportJob:
    """An upload is seen in its uploader's part of the tree, like the data it holds."""
    return get_in_scope(ImportJob.objects.filter(unit_scope(viewer, field="created_by__unit")), pk)


# --- Today (X5, X6): each app's work of the day, summed for the viewer and per child unit --------


@dataclass(frozen=True)
class Standing:
    done: int = 0
    due: int = 0
    overdue: int = 0

    @property
    def left(self) -> int:
        return self.due - self.done

    @property
    def to_do(self) -> bool:
        return self.left > 0 or self.overdue > 0

    @property
    def percent_done(self) -> int | None:
        """Done as a share of what was asked, overdue work counted as asked; None when nothing was."""
        asked = self.due + self.overdue
        return round(100 * self.done / asked) if asked else None

    def __add__(self, other: "Standing") -> "Standing":
        return Standing(self.done + other.done, self.due + other.due, self.overdue + other.overdue)

    @classmethod
    def of(cls, tallies: Iterable[Tally]) -> "Standing":
        return sum((cls(t.done, t.due, t.overdue) for t in tallies), cls())


@dataclass(frozen=True)
class TodayItem:
    work: Work
    standing: Standing
    link: str

    @property
    def module_label(self) -> str:
        return area_label(self.work.module)


@dataclass(frozen=True)
class BoardCell:
    standing: Standing
    link: str


@dataclass(frozen=True)
class BoardRow:
    unit: OrgUnit
    cells: list[BoardCell | None]  # in the order of the board's modules
    total: Standing


@dataclass(frozen=True)
class Board:
    """Who is behind: the viewer's child units × modules, worst first; for a viewer whose part of
    the tree is not the whole region, their own standing against the region's per module."""

    modules: list[str]  # labels, in the plan's order
    rows: list[BoardRow]
    idle_units: int
    own: list[Standing]
    region: list[Standing]  # empty for a viewer who sees the whole region


@dataclass(frozen=True)
class Today:
    items: list[TodayItem]
    board: Board | None


def _within(viewer: User, module: str) -> str | None:
    """The subtree the viewer's work of `module` covers: "" for the whole region, None for none."""
    if sees_whole_region(viewer, Module(module) if module in Module.values else None):
        return ""
    unit = viewer.unit
    return unit.path if unit is not None else None


def _link(work: Work, tallies: Iterable[Tally], viewer: User) -> str:
    """The page that does the work for the viewer's own unit; for work of units below theirs, the
    module's page of every unit (the page a unit does it on may ask for a right only the unit has)."""
    units = {t.unit_id for t in tallies}
    return work.link(viewer.unit_id if units == {viewer.unit_id} else None)


def today_work(*, viewer: User, today: dt.date) -> Today:
    """What the viewer has to do today (X6: overdue first), and who is behind among their child
    units (X5). Each kind of work costs its app's fixed number of queries, the board two more and,
    for a viewer who does not see the whole region, the region's figures each work's again."""
    if not viewer.is_authenticated or viewer.unit is None:
        return Today(items=[], board=None)
    works = sorted(
        (w for w in registered_works() if viewer.has_code(w.permission)),
        key=lambda w: area_order(w.module),
    )
    counted: list[tuple[Work, str, list[Tally]]] = []
    for work in works:
        within = _within(viewer, work.module)
        if within is None:
            continue
        counted.append((work, within, list(work.count(within=within, today=today, viewer_id=viewer.pk))))
    items = [
        TodayItem(work=work, standing=Standing.of(tallies), link=_link(work, tallies, viewer))
        for work, _within_path, tallies in counted
    ]
    items = [item for item in items if item.standing.to_do]
    items.sort(key=lambda item: (item.standing.overdue == 0, area_order(item.work.module)))
    return Today(items=items, board=_board(viewer=viewer, today=today, counted=counted))


def _board(*, viewer: User, today: dt.date, counted: list[tuple[Work, str, list[Tally]]]) -> Board | None:
    base = viewer.unit
    if base is None:
        return None
    if sees_whole_region(viewer) and base.depth > 1:  # a department's coordinator: their region
        base = OrgUnit.objects.filter(path=base.path[: base.steplen]).first()
        if base is None:
            return None
    # Only the work counted over the whole of the base's subtree: a department coordinator sees
    # the region's rows for the modules it coordinates, not empty columns for the others.
    per_unit = [
        (work, within, tallies)
        for work, within, tallies in counted
        if not work.per_viewer and base.path.startswith(within)
    ]
    if not per_unit:
        return None
    children = list(unit_children(viewer=viewer, unit=base))
    if not children:
        return None
    depth = len(base.path) + base.steplen
    by_child: dict[str, dict[str, list[tuple[Work, Tally]]]] = {}
    for work, _within_path, tallies in per_unit:
        for tally in tallies:
            if len(tally.unit_path) >= depth and tally.unit_path.startswith(base.path):
                cell = by_child.setdefault(tally.unit_path[:depth], {}).setdefault(work.module, [])
                cell.append((work, tally))
    modules = sorted({work.module for work, _w, _t in per_unit}, key=area_order)
    rows = []
    for child in children:
        cells: dict[str, BoardCell] = {}
        for module, pairs in by_child.get(child.path, {}).items():
            standing = Standing.of(tally for _work, tally in pairs)
            behind = [work for work, tally in pairs if tally.left or tally.overdue] or [pairs[0][0]]
            cells[module] = BoardCell(
                standing=standing,
                link=behind[0].link(None),
            )
        if cells:
            total = sum((cell.standing for cell in cells.values()), Standing())
            rows.append(BoardRow(unit=child, cells=[cells.get(module) for module in modules], total=total))
    rows.sort(key=lambda row: (-row.total.overdue, -row.total.left, row.total.done, row.unit.path))
    own = {module: Standing() for module in modules}
    region = {module: Standing() for module in modules}
    for work, _within_path, tallies in per_unit:
        own[work.module] += Standing.of(tallies)
    compare = base.depth > 1  # a viewer at the region's root (an inspector) is the region
    if compare:
        # The region's sums only, never its rows: a county sees where it stands, not the others.
        for work, _within_path, _tallies in per_unit:
            region[work.module] += Standing.of(work.count(within="", today=today, viewer_id=viewer.pk))
    return Board(
        modules=[area_label(module) for module in modules],
        rows=rows,
        idle_units=len(children) - len(rows),
        own=[own[module] for module in modules],
        region=[region[module] for module in modules] if compare else [],
    )
