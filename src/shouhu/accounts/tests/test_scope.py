from hypothesis import given
from hypothesis import strategies as st

from shouhu.accounts.scope import PATH_ALPHABET, _next_path

paths = st.text(alphabet=PATH_ALPHABET, min_size=4, max_size=16)


@given(paths, paths, st.text(alphabet=PATH_ALPHABET, max_size=12))
def test_x1_subtree_range_holds_exactly_the_descendants(path, other, suffix):
    upper = _next_path(path)
    descendant = path + suffix
    assert descendant >= path
    assert upper is None or descendant < upper
    inside = other >= path and (upper is None or other < upper)
    assert inside == other.startswith(path)
