"""Property: repeated natural keys are never resolved silently (no database needed).

Whatever rows a platform sends, every distinct row is either the one kept for its key or listed
as discarded (or rejected), and only keys that really repeat are reported.
"""

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ads.models import AdStatDaily
from integrations.bulk import _Plan

KEY = ["organization_id", "campaign_id", "day"]
METRIC = st.none() | st.integers(0, 500)
ROWS = st.lists(
    st.fixed_dictionaries(
        {
            "organization_id": st.just(1),
            "account_id": st.just(1),
            "campaign_id": st.integers(1, 3),
            "day": st.sampled_from([date(2026, 6, 10), date(2026, 6, 11)]),
            "spend": st.none() | st.decimals(0, 100, places=2).map(Decimal),
            "impressions": METRIC,
            "clicks": METRIC,
            "leads": METRIC,
        }
    ),
    max_size=12,
)


@settings(max_examples=60, derandomize=True, deadline=None, database=None)
@given(rows=ROWS, policy=st.sampled_from(["last", "most_complete", "reject"]))
def test_every_distinct_row_is_kept_or_reported(rows, policy):
    if not rows:
        return
    plan = _Plan(AdStatDaily, KEY, None, rows[0])

    kept, duplicates = plan.dedupe(rows, policy)

    keys = [tuple(r[k] for k in KEY) for r in rows]
    repeated = {k for k in keys if keys.count(k) > 1}
    assert {d.key for d in duplicates} == repeated
    reported = {d.key: d for d in duplicates}
    kept_keys = [tuple(r[k] for k in KEY) for r in kept]
    assert len(kept_keys) == len(set(kept_keys))  # one row per key goes to the database
    for key in set(keys):
        group = [r for r, k in zip(rows, keys, strict=True) if k == key]
        distinct = [r for i, r in enumerate(group) if r not in group[:i]]
        if key not in repeated:
            assert group[0] in kept
            continue
        entry = reported[key]
        assert entry.rows == len(group)
        if len(distinct) == 1:
            assert entry.action == "identical"
            assert distinct[0] in kept
        elif policy == "reject":
            assert entry.action == "rejected"
            assert key not in kept_keys
            assert list(entry.discarded) == distinct
        else:
            assert entry.kept in kept
            assert sorted(map(repr, [entry.kept, *entry.discarded])) == sorted(map(repr, distinct))
            if policy == "last":
                assert entry.kept == distinct[-1]
            else:  # most complete: no discarded row reports more values than the kept one

                def reported_values(row):
                    return sum(v is not None for v in row.values())

                assert all(reported_values(entry.kept) >= reported_values(r) for r in entry.discarded)
