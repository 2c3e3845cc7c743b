"""Two administrators change one registry's rules at the same moment (PostgreSQL): the changes run
one after the other, never overlapping slots, never a server error (M1)."""

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection

from shouhu.common.errors import DomainError
from shouhu.marriage import services
from shouhu.marriage.models import DateOverride, RegistrySettings, SlotTemplate
from shouhu.marriage.tests.factories import make_registry

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
]
ROUNDS = 3  # a race: a few rounds make an unlucky interleaving likely


def _race(n: int, fn: Callable[[int], object]) -> list[str]:
    results: list[str] = []
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        try:
            barrier.wait()
            fn(i)
            results.append("ok")
        except DomainError as error:
            results.append(f"{type(error).__name__}:{error.code}")
        except Exception as error:  # the test reports any crash
            results.append(f"CRASH:{type(error).__name__}:{error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_m1_two_admins_adding_overlapping_slots_save_one(tree):
    unit = make_registry(tree.county_a, "登记处", slots=((9, 10, 1),))
    for round_ in range(ROUNDS):
        hour = 12 + 2 * round_
        starts = [dt.time(hour), dt.time(hour, 30)]
        results = _race(
            2,
            lambda i, starts=starts, hour=hour: services.slot_template_add(
                actor=None, unit=unit, starts_at=starts[i], ends_at=dt.time(hour + 1, 30), share=1
            ),
        )
        assert sorted(results) == ["DomainError:overlap", "ok"], results
    assert SlotTemplate.objects.filter(unit=unit).count() == 1 + ROUNDS


def test_m1_two_admins_setting_the_same_date_override_is_never_a_server_error(tree):
    unit = make_registry(tree.county_a, "登记处")
    for round_ in range(ROUNDS):
        day = dt.date(2022, 1, 20) + dt.timedelta(days=round_)
        results = _race(
            2,
            lambda i, day=day: services.date_override_set(
                actor=None, unit=unit, date=day, is_open=None, daily_quota=10 + i, note=""
            ),
        )
        assert results == ["ok", "ok"], results
        assert DateOverride.objects.filter(unit=unit, date=day).count() == 1


def test_m1_two_admins_saving_a_new_registrys_settings_is_never_a_server_error(tree):
    from shouhu.orgs.models import UnitKind
    from shouhu.orgs.tests.factories import make_unit

    for _round in range(ROUNDS):
        unit = make_unit(tree.county_a, UnitKind.INSTITUTION, None, institution_type="marriage_registry")
        results = _race(
            2,
            lambda i, unit=unit: services.registry_settings_update(
                actor=None, unit=unit, daily_quota=4 + i, open_weekdays="12345"
            ),
        )
        assert results == ["ok", "ok"], results
        assert RegistrySettings.objects.filter(unit=unit).count() == 1


def test_m5_two_admins_setting_the_same_surge_date_is_never_a_server_error(tree):
    for round_ in range(ROUNDS):
        day = dt.date(2022, 5, 20) + dt.timedelta(days=round_)
        results = _race(
            2, lambda i, day=day: services.surge_date_set(actor=None, date=day, name=f"高峰日{i}")
        )
        assert not [r for r in results if r.startswith("CRASH")], results


def test_m5_two_administrators_syncing_surge_dates_at_once_both_succeed(tree, plan_campaign):
    """The second sync finds the dates set a moment ago: nothing to add, no refusal (no 500)."""
    from shouhu.marriage.models import SurgeDate

    for _round in range(3):
        SurgeDate.objects.all().delete()
        results = _race(2, lambda i: services.surge_dates_sync_upcoming(actor=None))
        assert results == ["ok", "ok"]
        assert SurgeDate.objects.count() == 3
