"""X4: large files run in the background with progress; a killed import leaves nothing behind."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shouhu.common import clock, import_jobs, importing
from shouhu.common.importing import importer_for
from shouhu.common.models import ImportJob, ImportStatus
from shouhu.people.models import Person
from shouhu.people.tests.test_import import _csv, _rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_inline_limit(settings):
    settings.SHOUHU_IMPORT_INLINE_ROWS = 5


def test_x4_large_file_runs_as_a_background_task(
    client, tree, county_user, small_inline_limit, django_capture_on_commit_callbacks
):
    client.force_login(county_user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post("/imports/people/", {"file": SimpleUploadedFile("p.csv", _csv(_rows(tree, 12)))})
    assert len(callbacks) == 1  # the dry run was queued, not run in the request
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.CHECKED
    assert job.report["created"] == 12
    assert import_jobs.job_progress(job.pk) == {"done": 12, "total": 12, "at": clock.now().isoformat()}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/jobs/{job.pk}/", {"mode": "all"})
    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTED
    assert Person.objects.count() == 12


def test_x4_progress_is_shown_while_running(client, tree, county_user, small_inline_limit):
    client.force_login(county_user)
    client.post("/imports/people/", {"file": SimpleUploadedFile("p.csv", _csv(_rows(tree, 12)))})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.QUEUED  # on_commit never fired inside the test transaction
    import_jobs._record_progress(job.pk, 6, 12)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CHECKING, started_at=clock.now())
    fragment = client.get(
        f"/imports/jobs/{job.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="job-status"
    ).content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert "6 / 12" in fragment
    assert '<progress class="import-progress" max="12" value="6"' in fragment


def test_x4_killed_import_leaves_no_rows_and_can_restart(client, tree, county_user, monkeypatch):
    client.force_login(county_user)
    client.post("/imports/people/", {"file": SimpleUploadedFile("p.csv", _csv(_rows(tree, 8)))})
    job = ImportJob.objects.get()
    importer = importer_for("people")
    real_import_rows = importer.import_rows
    monkeypatch.setattr(importing, "CHUNK_ROWS", 3)  # the people importer writes in chunks
    written = []

    def dies_midway(**kwargs):
        if len(written) == 2:
            raise KeyboardInterrupt  # the worker process is killed in the third chunk
        written.append(real_import_rows(**kwargs))
        return written[-1]

    monkeypatch.setattr(importer, "import_rows", dies_midway)
    with pytest.raises(KeyboardInterrupt):
        client.post(f"/imports/jobs/{job.pk}/", {"mode": "all"})
    assert [len(results) for results in written] == [3, 3]  # two chunks had been written …
    assert Person.objects.count() == 0  # … and are gone with the rest
    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTING
    assert not import_jobs.is_interrupted(job)
    monkeypatch.setattr(importer, "import_rows", real_import_rows)
    refused = client.post(f"/imports/jobs/{job.pk}/", {"mode": "all"}, follow=True)
    assert "正在处理" in refused.content.decode()
    later = clock.now() + dt.timedelta(seconds=import_jobs.settings.SHOUHU_IMPORT_STALE_SECONDS + 1)
    with clock.frozen(later):
        page = client.get(f"/imports/jobs/{job.pk}/").content.decode()
        assert "已中断" in page
        client.post(f"/imports/jobs/{job.pk}/", {"mode": "all"})
    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTED
    assert Person.objects.count() == 8
