"""Path patterns of the mappings: globs anchored at the repository's root."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from ops_skills.repos import selectors
from ops_skills.repos.models import PathMapping
from ops_skills.repos.patterns import compile_pattern, literal_prefix, validate_pattern
from ops_skills.skills.models import System


def matching(pattern, paths):
    matches = compile_pattern(pattern)
    return [p for p in paths if matches(p)]


PATHS = [
    "Makefile",
    "main.tf",
    "docs/Makefile",
    "modules/postgres",
    "modules/postgres/main.tf",
    "modules/postgres/backup/restore.md",
    "modules/postgresql/main.tf",
    "modules/redis/main.tf",
    "runbooks/postgres-failover.md",
]


def test_double_star_at_the_end_matches_everything_below():
    assert matching("modules/postgres/**", PATHS) == [
        "modules/postgres/main.tf",
        "modules/postgres/backup/restore.md",
    ]


def test_a_trailing_slash_means_everything_below():
    assert matching("modules/postgres/", PATHS) == matching("modules/postgres/**", PATHS)


def test_double_star_at_the_start_matches_any_depth_including_the_root():
    assert matching("**/*.tf", PATHS) == [
        "main.tf",
        "modules/postgres/main.tf",
        "modules/postgresql/main.tf",
        "modules/redis/main.tf",
    ]


def test_double_star_in_the_middle_matches_zero_or_more_segments():
    matches = compile_pattern("modules/**/main.tf")
    assert matches("modules/main.tf")
    assert matches("modules/postgres/main.tf")
    assert matches("modules/a/b/main.tf")
    assert not matches("modules/postgres/main.tfx")
    assert not matches("other/modules/main.tf")


def test_star_stays_within_a_segment():
    assert matching("modules/*/main.tf", PATHS) == [
        "modules/postgres/main.tf",
        "modules/postgresql/main.tf",
        "modules/redis/main.tf",
    ]
    assert matching("runbooks/postgres-*.md", PATHS) == ["runbooks/postgres-failover.md"]
    assert not compile_pattern("modules/*")("modules/postgres/main.tf")


def test_question_mark_is_one_character_of_a_segment():
    matches = compile_pattern("env/prod-?.tf")
    assert matches("env/prod-1.tf")
    assert not matches("env/prod-12.tf")
    assert not compile_pattern("a?b")("a/b")


def test_double_star_inside_a_segment_is_a_plain_star():
    assert compile_pattern("modules/post**")("modules/postgres")
    assert not compile_pattern("modules/post**")("modules/postgres/main.tf")


def test_a_pattern_without_a_slash_matches_a_top_level_path_exactly():
    assert matching("Makefile", PATHS) == ["Makefile"]
    assert matching("*.tf", PATHS) == ["main.tf"]


def test_everything_else_is_literal_and_case_counts():
    assert compile_pattern("docs/[a].md")("docs/[a].md")
    assert not compile_pattern("docs/[a].md")("docs/a.md")
    assert not compile_pattern("docs/a.md")("docs/aXmd")
    assert not compile_pattern("Makefile")("makefile")


def test_compiled_patterns_are_kept():
    compile_pattern.cache_clear()
    compile_pattern("modules/**")
    compile_pattern("modules/**")
    assert compile_pattern.cache_info().hits == 1


@pytest.mark.parametrize("pattern", ["", "   ", "/modules/postgres/**", "modules//postgres", "/"])
def test_empty_absolute_or_gapped_patterns_are_refused(pattern):
    with pytest.raises(ValidationError):
        validate_pattern(pattern)


@pytest.mark.parametrize("pattern", ["modules/postgres/**", "**/*.tf", "Makefile", "modules/postgres/"])
def test_ordinary_patterns_are_accepted(pattern):
    validate_pattern(pattern)


@pytest.mark.parametrize(
    ("pattern", "prefix"),
    [
        ("modules/postgres/**", "modules/postgres/"),
        ("modules/postgres/", "modules/postgres/"),
        ("**/*.tf", ""),
        ("*.tf", ""),
        ("Makefile", "Makefile"),
        ("a/**/b", "a/"),
        ("charts/redis-?/values.yaml", "charts/redis-"),
    ],
)
def test_the_literal_prefix_is_the_pattern_up_to_its_first_wildcard(pattern, prefix):
    assert literal_prefix(pattern) == prefix
    assert all(path.startswith(prefix) for path in matching(pattern, PATHS))


SEGMENTS = st.sampled_from(["a", "b", "ab", "a.tf", "b.md", "x-1"])
PATTERN_SEGMENTS = st.sampled_from(["a", "b", "*", "**", "?", "a*", "*.tf", "x-?"])


@settings(max_examples=200, deadline=None)
@given(
    patterns=st.lists(st.lists(PATTERN_SEGMENTS, min_size=1, max_size=4).map("/".join), min_size=1, max_size=4),
    paths=st.lists(st.lists(SEGMENTS, min_size=1, max_size=4).map("/".join), max_size=30, unique=True),
)
def test_the_files_of_a_system_found_by_prefix_are_those_any_pattern_matches(patterns, paths):
    # The selector searches a sorted list from each pattern's literal prefix; trying every pattern
    # on every path must give the same files.
    ordered = sorted(paths)
    system = System(pk=1, name="s", slug="s")
    mappings = [PathMapping(pattern=p, system=system) for p in patterns]
    [(_, positions)] = selectors._files_of_systems(mappings, ordered)
    expected = [i for i, path in enumerate(ordered) if any(compile_pattern(p)(path) for p in patterns)]
    assert positions == expected
