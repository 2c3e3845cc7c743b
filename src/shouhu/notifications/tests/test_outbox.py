"""The outbox: queued inside the writer's transaction, sent by the command, kept and re-sendable."""

import logging

import pytest
from django.core.management import call_command
from django.db import connection

from shouhu.accounts.tests.factories import make_user
from shouhu.common.errors import DomainError
from shouhu.notifications import services
from shouhu.notifications.models import MessageStatus, OutboxMessage
from shouhu.notifications.senders import FailingSender

PHONE = "13912345678"


@pytest.fixture
def unit(tree):
    return tree.county_a


def test_m2_outbox_message_is_protected_and_sent_by_the_command(unit, caplog):
    message = services.message_enqueue(unit=unit, phone=PHONE, body="预约成功", kind="test")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phone FROM {OutboxMessage._meta.db_table} WHERE id = %s", [message.pk])  # noqa: S608
        raw = cursor.fetchone()[0]
    assert PHONE not in raw  # encrypted at rest
    assert message.phone_masked == "139****5678"
    with caplog.at_level(logging.INFO, logger="shouhu.notifications.senders"):
        call_command("send_outbox")
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 1
    assert PHONE not in caplog.text
    assert "139****5678" in caplog.text


def test_m2_failed_message_is_kept_and_resent_by_staff(unit, county_user):
    message = services.message_enqueue(unit=unit, phone=PHONE, body="预约成功", kind="test")
    result = services.outbox_send(limit=10, sender=FailingSender())
    assert result.failed == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.last_error
    services.message_resend(actor=county_user, message=message)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2


def test_m2_bad_phone_is_refused(unit):
    with pytest.raises(DomainError):
        services.message_enqueue(unit=unit, phone="12", body="x", kind="test")


def test_m2_outbox_page_masks_and_resends(client, unit, county_user, other_county_user):
    message = services.message_enqueue(unit=unit, phone=PHONE, body="预约成功", kind="test")
    client.force_login(county_user)
    page = client.get("/notifications/").content.decode()
    assert "139****5678" in page
    assert PHONE not in page
    response = client.post(f"/notifications/{message.pk}/resend/")
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    client.force_login(other_county_user)
    assert client.post(f"/notifications/{message.pk}/resend/").status_code == 404
    clerk = make_user("village_staff", unit)
    client.force_login(clerk)
    assert client.get("/notifications/").status_code == 403


def test_m2_several_phones_are_queued_in_one_insert_audited_once_per_number(
    unit, county_user, django_assert_max_num_queries
):
    from auditlog.models import LogEntry

    with django_assert_max_num_queries(3):
        made = services.messages_enqueue(
            actor=county_user,
            unit=unit,
            phones=[PHONE, "139 1234 5678", "13800000000"],
            body="预约成功",
            kind="test",
        )
    assert sorted(m.phone for m in OutboxMessage.objects.all()) == ["13800000000", PHONE]
    assert len(made) == 2
    entries = LogEntry.objects.get_for_objects(OutboxMessage.objects.all()).filter(
        action=LogEntry.Action.CREATE
    )
    assert {e.actor_id for e in entries} == {county_user.pk}
    assert entries.count() == 2
    with pytest.raises(DomainError):
        services.messages_enqueue(
            actor=county_user, unit=unit, phones=["13700000000", "123"], body="预约成功", kind="test"
        )
    assert OutboxMessage.objects.count() == 2
