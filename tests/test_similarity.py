"""The similarity registry: names in one place, catalog scoring equal to the pairwise definition."""

from pathlib import Path

import numpy as np
import pytest

from lyricmood.errors import LyricMoodError
from lyricmood.similarity import CatalogSpace, get_similarity, similarity_names


def test_unknown_name_lists_the_names():
    with pytest.raises(LyricMoodError, match="unknown similarity 'euclid'") as err:
        get_similarity("euclid")
    assert all(name in str(err.value.hint) for name in similarity_names())


@pytest.mark.parametrize("name", similarity_names())
def test_catalog_scores_match_pairwise(name):
    rng = np.random.default_rng(0)
    catalog, queries = rng.random((20, 5)), rng.random((3, 5))
    measure = get_similarity(name)
    space = CatalogSpace(catalog, name)
    expected = measure.pairwise(queries, catalog, center=catalog.mean(axis=0))
    np.testing.assert_allclose(space.scores(queries), expected, atol=1e-5)
    if not measure.signed:
        assert 0 <= expected.min() and expected.max() <= 1
    np.testing.assert_allclose(space.between([0, 1]), measure.pairwise(catalog[:2], center=catalog.mean(axis=0)))


def test_mood_query_centres_only_where_the_similarity_centres():
    weights, mean = np.array([0.0, 1.0]), np.array([0.3, 0.2])
    by_name = {name: get_similarity(name).mood_query(weights, mean) for name in similarity_names()}
    centred = [name for name, q in by_name.items() if not np.array_equal(q, weights)]
    assert len(centred) == 1 and np.array_equal(by_name[centred[0]], mean + weights)


def test_similarity_names_live_in_one_module():
    import lyricmood

    package = Path(lyricmood.__file__).parent
    names = [name for name in similarity_names() if "-" in name]  # "cosine" alone is also a label co-occurrence method
    found = [
        (path.relative_to(package), name)
        for path in package.rglob("*.py")
        if path.name != "similarity.py"
        for name in names
        if name in path.read_text(encoding="utf-8")
    ]
    assert not found, f"similarity names outside lyricmood/similarity.py: {found}"
