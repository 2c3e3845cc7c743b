"""The conventions every app follows, checked on the source (README, "Conventions").

- `common` is the floor: it imports no app (what composes apps lives in `shouhu.site`).
- Views and API classes fetch through selectors and write through services: no `.objects`.
- A module reads another app's rows through that app's selectors and never calls its services.
- Only public, documented attributes of Django, DRF and django-auditlog are used.

Each rule reads the files as text (Python's own parser), so it costs no database and names the
file and line to change.
"""

import ast
import importlib
import importlib.util
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from django.db.models import Model

from shouhu.campaigns.models import ModulePolicy
from shouhu.common.tests.test_scope_leaks import discovered

SRC = Path(__file__).resolve().parents[2]  # src/shouhu
APPS = sorted(p.name for p in SRC.iterdir() if (p / "__init__.py").exists())
FLOOR = {"common", "config"}


def _relative(path: Path) -> str:
    return path.relative_to(SRC.parent).as_posix()


def _sources(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(SRC).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "shouhu" else None


def _imports(tree: ast.Module) -> Iterator[tuple[int, str, str | None]]:
    """(line, module, imported name) for every import, those under TYPE_CHECKING included."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                yield node.lineno, node.module, alias.name


# --- common is the floor ------------------------------------------------------------------------


def test_common_imports_no_app():
    """Every app imports `common`; were `common` to import an app, the apps would form a cycle.
    Its tests may (the leak walks exercise every app through the URL resolver)."""
    found = [
        f"{_relative(path)}:{line} {module}"
        for path in _sources(SRC / "common")
        for line, module, _name in _imports(_tree(path))
        if _app_of(module) not in (None, *FLOOR)
    ]
    assert not found, "common 引用了上层应用：\n" + "\n".join(found)


# --- Views fetch through selectors ---------------------------------------------------------------


def _view_modules() -> dict[str, Path]:
    """The modules that answer a URL (found through the resolver), and every views.py and api.py."""
    modules = set()
    for _name, _route, pattern in discovered():
        callback = pattern.callback
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        module = (view_class or callback).__module__
        if _app_of(module):
            modules.add(module)
    for path in [*SRC.glob("*/views.py"), *SRC.glob("*/api.py")]:
        modules.add(f"shouhu.{path.parent.name}.{path.stem}")
    found = {}
    for module in sorted(modules):
        spec = importlib.util.find_spec(module)
        assert spec is not None
        assert spec.origin is not None
        found[module] = Path(spec.origin)
    return found


# Ad-hoc fetches: a view gets its rows from a selector (`<entity>_list`, `access_<entity>`), which
# scopes them to the viewer and answers 404 alike for missing and out-of-scope.
FETCHES = {"objects", "_default_manager", "_base_manager"}
FETCH_SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


def test_the_walk_finds_the_view_modules():
    modules = _view_modules()
    assert {"shouhu.people.views", "shouhu.people.api", "shouhu.site.import_views"} <= set(modules)
    assert "shouhu.screening.public" in modules


def test_views_and_api_fetch_nothing_themselves():
    found = []
    for path in _view_modules().values():
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Attribute) and node.attr in FETCHES:
                found.append(f"{_relative(path)}:{node.lineno} .{node.attr}")
            elif isinstance(node, ast.Name) and node.id in FETCH_SHORTCUTS:
                found.append(f"{_relative(path)}:{node.lineno} {node.id}")
    assert not found, "视图和接口应通过 selectors 读取、通过 services 写入：\n" + "\n".join(found)


# --- Another app's rows through its selectors -----------------------------------------------------

APPS_WITH_SELECTORS = {app for app in APPS if (SRC / app / "selectors.py").exists()}

# The tables every module's own queries join: each module's rows hang from a unit of the org tree
# and most are about people of the register; every module's calendar reads the region's holidays
# and service suspensions day by day. A selector may query these models directly; any other
# model of another app is reached through that app's selectors.
SHARED_TABLES = {
    ("orgs", "OrgUnit"): "组织树：各模块的数据都挂在单位上，按管辖范围过滤",
    ("people", "Person"): "人员库：各模块登记的都是库中的人员",
    ("people", "PersonCategory"): "人员类别：各模块按类别统计人员库",
    ("campaigns", "Holiday"): "节假日：各模块按日历计算办理日",
    ("campaigns", "ServiceSuspension"): "暂停服务：各模块按天判断是否暂停",
}


def _annotation_nodes(tree: ast.Module) -> set[int]:
    """The ids of every node inside an annotation (naming a class as a type uses none of it)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        annotations: list[ast.expr | None] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
            annotations += [a.annotation for a in every] + [node.returns]
        elif isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
        for annotation in annotations:
            if annotation is not None:
                inside.update(id(n) for n in ast.walk(annotation))
    return inside


def _foreign_names(path: Path, app: str) -> Iterator[tuple[int, str, str, str]]:
    """(line, other app, module kind, local name) for each import of another app's models or
    services; a module imported whole (`from shouhu.people import services`) is named "*"."""
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            other = _app_of(node.module)
            if other is None or other == app or other not in APPS_WITH_SELECTORS:
                continue
            for alias in node.names:
                if len(parts) == 3 and parts[2] in ("models", "services"):
                    yield node.lineno, other, parts[2], alias.asname or alias.name
                elif len(parts) == 2 and alias.name in ("models", "services"):
                    yield node.lineno, other, alias.name, "*"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                other = _app_of(alias.name)
                foreign = other is not None and other != app and other in APPS_WITH_SELECTORS
                if foreign and parts[2:3] in (["models"], ["services"]):
                    yield node.lineno, other, parts[2], "*"


def _runtime_uses(path: Path, name: str) -> list[int]:
    tree = _tree(path)
    annotations = _annotation_nodes(tree)
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id == name and id(node) not in annotations
    ]


def _readers() -> Iterator[tuple[str, Path, bool]]:
    """(app, file, is a view module) for the view modules and the selectors of every app."""
    for module, path in _view_modules().items():
        yield module.split(".")[1], path, True
    for app in sorted(APPS_WITH_SELECTORS):
        yield app, SRC / app / "selectors.py", False


def test_reads_of_another_app_go_through_its_selectors():
    """Views, API classes and selectors never call another app's services (a read writes nothing,
    and a page writes through its own app's services). A view names another app's model only as
    a type; a selector queries another app's model only if it is a shared table (above)."""
    found = []
    for app, path, is_view in _readers():
        where = _relative(path)
        for line, other, kind, name in _foreign_names(path, app):
            if kind == "services":
                found.append(f"{where}:{line} 调用 {other} 的 services")
                continue
            if name == "*":
                found.append(f"{where}:{line} 引入 {other}.models 整个模块")
                continue
            value = getattr(importlib.import_module(f"shouhu.{other}.models"), name, None)
            if not (isinstance(value, type) and issubclass(value, Model)):
                continue  # choices and constants say what a value means; they fetch nothing
            if not is_view and (other, name) in SHARED_TABLES:
                continue
            if issubclass(value, ModulePolicy):
                continue  # named to the one accessor, campaigns.policy.current_policy, which reads it
            uses = _runtime_uses(path, name)
            if uses:
                found.append(f"{where}:{uses[0]} 直接使用 {other}.{name}（应通过 {other}.selectors）")
    assert not found, "跨应用的读取应通过对方的 selectors：\n" + "\n".join(found)


# --- Public attributes of the libraries only -----------------------------------------------------

# Underscored but documented by Django: `Model._meta` (the Options API) and `Model._default_manager`.
DOCUMENTED = {"_meta", "_default_manager"}
# Private to django-auditlog: the value behind `set_actor`, read by nothing public.
PRIVATE_IMPORTS = {("auditlog.context", "auditlog_value")}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


@cache
def _own_members() -> frozenset[str]:
    """The `_names` of our own classes: what their bodies define and what they set on `self`."""
    names = set()
    for path in _sources(SRC):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                        names.add(item.name)
                    elif isinstance(item, (ast.Assign, ast.AnnAssign)):
                        targets = item.targets if isinstance(item, ast.Assign) else [item.target]
                        names.update(t.id for t in targets if isinstance(t, ast.Name))
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id in ("self", "cls")
            ):
                names.add(node.attr)
    return frozenset(n for n in names if _private(n))


def _own_modules(tree: ast.Module) -> set[str]:
    """The local names a file gives our own modules (`from shouhu.people import selectors`)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and _app_of(node.module):
            for alias in node.names:
                where = SRC.parent.joinpath(*node.module.split("."), alias.name)
                if where.with_suffix(".py").exists() or (where / "__init__.py").exists():
                    names.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            names.update(alias.asname or alias.name for alias in node.names if _app_of(alias.name))
    return names


def test_only_public_attributes_of_the_libraries():
    """An `_attribute` that is neither a member of our own classes nor a name of our own module
    belongs to a library (Django, DRF, django-auditlog, …): private, undocumented, free to change
    in a patch release. So does an `_name` imported from a library."""
    members = _own_members()
    found = []
    for path in _sources(SRC):
        where = _relative(path)
        tree = _tree(path)
        modules = _own_modules(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                name = node.attr
                of_own_module = isinstance(node.value, ast.Name) and node.value.id in modules
                if _private(name) and name not in DOCUMENTED and name not in members and not of_own_module:
                    found.append(f"{where}:{node.lineno} .{name}")
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    library = _app_of(node.module) is None
                    if (node.module, alias.name) in PRIVATE_IMPORTS or (library and _private(alias.name)):
                        found.append(f"{where}:{node.lineno} {node.module}.{alias.name}")
    assert not found, "使用了第三方库的私有属性：\n" + "\n".join(found)


def test_no_class_of_ours_overrides_a_private_method_of_a_library():
    """Overriding a library's `_method` depends on when the library calls it, which it may change
    in any release; the public hooks (`get_operation`, `to_representation`, …) are the ones to
    override."""
    found = []
    for path in _sources(SRC):
        where = _relative(path)
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        if parts[1] == "config" or parts[-1] == "__init__":
            continue
        module = importlib.import_module(".".join(parts))
        for node in _tree(path).body:
            if not isinstance(node, ast.ClassDef):
                continue
            own_class = getattr(module, node.name)
            libraries = [b for b in own_class.__mro__[1:] if _app_of(b.__module__) is None]
            written = {i.name for i in node.body if isinstance(i, (ast.FunctionDef, ast.AsyncFunctionDef))}
            for name in written:
                if _private(name) and any(name in vars(base) for base in libraries):
                    found.append(f"{where}:{node.lineno} {node.name}.{name}")
    assert not found, "覆盖了第三方库的私有方法：\n" + "\n".join(found)
