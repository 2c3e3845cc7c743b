"""How the scope-leak test makes findings, and their evidence, inside a given county."""

from shouhu.accounts.tests.factories import make_user
from shouhu.common.modules import Module
from shouhu.evidence.tests.factories import upload
from shouhu.rectification import services
from shouhu.rectification.models import Finding


def make_finding_in(county, marker):
    """A finding the county must fix, with one evidence file reported (so the evidence URL has a
    file of this finding to serve). The county itself stands in for the record it came from."""
    finding = services.finding_record(
        actor=None,
        module=Module.COMMUNITY,
        unit=county,
        origin=county,
        description=f"{marker}发现的问题",
        assigned_to=f"{marker}指挥部",
    )
    clerk = make_user("county_staff", county)
    return services.finding_submit(
        actor=clerk, finding=finding, note=f"{marker}已整改", evidence=[upload(f"{marker}.jpg")]
    )


def evidence_in(county, marker):
    """The evidence file of the county's finding made above (the URL names both)."""
    finding = Finding.objects.filter(unit=county, description=f"{marker}发现的问题").first()
    if finding is None:
        finding = make_finding_in(county, marker)
    return finding.evidence.get()


# URL keyword → maker(county, marker) returning the object whose pk goes in the URL.
SCOPED_OBJECTS = {"finding_id": make_finding_in, "evidence_id": evidence_in}
