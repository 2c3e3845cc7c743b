"""How the scope-leak test makes requests from the public inside a given county.

The inquiries app has no pages of its own: each module serves its requests under its own URLs
(the assistance hotline's `hotline/<inquiry_id>/`), with `inquiry_id` as the keyword."""

from shouhu.assistance import services


def make_inquiry_in(county, marker):
    """A call to the county's assistance hotline, the first module on the mechanism."""
    return services.hotline_call_receive(
        actor=None, unit=county, summary=f"{marker}来电求助", caller_name=marker
    )


# URL keyword → maker(county, marker) returning the object whose pk goes in the URL.
SCOPED_OBJECTS = {"inquiry_id": make_inquiry_in}
