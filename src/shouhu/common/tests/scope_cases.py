"""How the scope-leak test makes an import job (an upload belongs to its uploader)."""

from shouhu.accounts.tests.factories import make_user
from shouhu.common import crypto
from shouhu.common.models import ImportJob


def make_import_job_in(county, marker):
    uploader = make_user("county_staff", county)
    return ImportJob.objects.create(
        kind="people",
        filename=f"{marker}.csv",
        content=crypto.encrypt_bytes("姓名,所属单位编码\n".encode()),
        created_by=uploader,
        report={"dry_run": True, "total": 0},
    )


SCOPED_OBJECTS = {"job_id": make_import_job_in}

# Not objects: the kind of register an import is for.
REGION_WIDE = {"kind": "导入类型是固定的名称，不是数据对象"}
