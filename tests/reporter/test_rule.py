"""The certification rule, clause by clause (issue 6), each with its own small fixture."""

from __future__ import annotations

import hashlib
from datetime import date

from .conftest import hotel as h
from .conftest import roster, run, staff, statement, void


def team(hotel_id: str, n: int, **kw):  # type: ignore[no-untyped-def]
    return [statement(f"p{i}.{hotel_id}@example.org", hotel=hotel_id, **kw) for i in range(n)]


def test_exactly_sixty_percent_is_certified():
    cert = run(team("H", 6), roster(("H", 10)))
    assert h(cert, "H")["certified"] is True
    assert h(cert, "H")["trained_pct"] == 60.0 and h(cert, "H")["needed"] == 0


def test_just_below_sixty_percent_is_not_certified_and_says_how_many_more():
    cert = run(team("H", 5), roster(("H", 10)))
    assert h(cert, "H")["certified"] is False and h(cert, "H")["needed"] == 1


def test_threshold_is_compared_exactly_not_in_floating_point():
    # In floats 0.07 x 100 = 7.000000000000001, whose ceiling is 8; exactly it is 7.
    cert = run(team("H", 7), roster(("H", 100)), threshold="0.07")
    assert h(cert, "H")["certified"] is True and h(cert, "H")["needed"] == 0
    assert h(cert, "H")["certified_on"] is not None
    # 0.55 x 100 = 55.00000000000001 in floats: 55 of 100 is exactly enough.
    cert = run(team("H", 55), roster(("H", 100)), threshold="0.55")
    assert h(cert, "H")["needed"] == 0 and h(cert, "H")["certified"] is True


def test_zero_employees_is_never_certified_and_has_no_percentage():
    cert = run(team("H", 3), roster(("H", 0)))
    assert h(cert, "H")["certified"] is False
    assert h(cert, "H")["trained_pct"] is None and h(cert, "H")["needed"] is None


def test_more_trained_than_employees_stays_certified_and_is_flagged():
    cert = run(team("H", 7), roster(("H", 5)))
    assert h(cert, "H")["certified"] is True and h(cert, "H")["trained_pct"] == 140.0
    assert cert.data_quality["hotels_over_100pct"] == 1


def test_voided_completion_does_not_count_whether_void_comes_before_or_after():
    sts = team("H", 6)
    before = [void(sts[0])] + sts
    after = sts + [void(sts[0])]
    for order in (before, after):
        cert = run(order, roster(("H", 10)))
        assert h(cert, "H")["trained"] == 5 and h(cert, "H")["certified"] is False
        assert cert.data_quality["voided"] == 1


def test_a_void_of_a_void_is_ignored():
    sts = team("H", 1)
    first = void(sts[0])
    cert = run(sts + [first, void(first)], roster(("H", 1)))
    assert h(cert, "H")["trained"] == 0


def test_duplicate_statement_ids_count_once():
    sts = team("H", 1)
    cert = run(sts + [dict(sts[0])], roster(("H", 1)))
    assert cert.data_quality["duplicates"] == 1 and h(cert, "H")["trained"] == 1


def test_email_case_variants_are_one_learner():
    sts = [statement("Ann@Example.org", hotel="H"), statement("ann@example.ORG", hotel="H")]
    assert h(run(sts, roster(("H", 10))), "H")["trained"] == 1


def test_sha1_of_the_lower_cased_mailto_matches_the_staff_email():
    sha = hashlib.sha1(b"mailto:ann@example.org").hexdigest()
    sts = [statement({"mbox_sha1sum": sha.upper()})]
    cert = run(sts, roster(("H", 1)), staff(("H", "ANN@example.org")))
    assert h(cert, "H")["trained"] == 1


def test_accounts_match_ignoring_homepage_case_and_trailing_slash_but_not_name_case():
    acct = {"account": {"homePage": "https://LMS.example/", "name": "E001"}}
    other = {"account": {"homePage": "https://lms.example", "name": "e001"}}
    from lrs_reporter.identity import staff_keys

    listed = {k: {"H"} for k in staff_keys("", "https://lms.example", "E001")}
    cert = run([statement(acct), statement(other)], roster(("H", 10)), listed)
    assert h(cert, "H")["trained"] == 1
    assert cert.data_quality["unmatched_learners"] == 1


def test_staff_in_two_hotels_counts_for_both():
    cert = run([statement("ann@example.org")], roster(("A", 1), ("B", 1)),
               staff(("A", "ann@example.org"), ("B", "ann@example.org")))
    assert h(cert, "A")["trained"] == 1 and h(cert, "B")["trained"] == 1


def test_staff_list_beats_the_hotel_extension():
    cert = run([statement("ann@example.org", hotel="B")], roster(("A", 1), ("B", 1)),
               staff(("A", "ann@example.org")))
    assert h(cert, "A")["trained"] == 1 and h(cert, "B")["trained"] == 0


def test_learner_off_the_staff_list_with_unknown_or_no_hotel_is_unmatched():
    sts = [statement("x@example.org", hotel="NOPE"), statement("y@example.org")]
    cert = run(sts, roster(("A", 1)))
    assert h(cert, "A")["trained"] == 0
    assert cert.data_quality["unmatched_learners"] == 2
    assert cert.data_quality["unknown_hotels"] == 1


def test_only_completed_and_passed_about_the_course_count():
    sts = [statement("a@x.org", "failed", hotel="H"), statement("b@x.org", "attempted", hotel="H"),
           statement("c@x.org", "completed", hotel="H", obj="https://other.example/course"),
           statement("d@x.org", "completed", hotel="H", obj=f"{run.__module__}"),
           statement("e@x.org", "passed", hotel="H")]
    cert = run(sts, roster(("H", 10)))
    assert h(cert, "H")["trained"] == 1
    assert cert.data_quality["other_activities"] == 2


def test_module_activities_below_the_course_never_count(course):
    cert = run([statement("a@x.org", hotel="H", obj=f"{course}/module/signals")], roster(("H", 1)))
    assert h(cert, "H")["trained"] == 0


def test_as_of_is_the_end_of_the_day_in_utc_across_time_zones():
    # 23:30 in Amsterdam (+01:00) on 1 Nov is 22:30 UTC on 1 Nov: counts.
    # 00:30 on 2 Nov in +02:00 is 22:30 UTC on 1 Nov: counts.
    # 23:30 on 1 Nov in -05:00 is 04:30 UTC on 2 Nov: does not count.
    sts = [statement("a@x.org", when="2026-11-01T23:30:00+01:00", hotel="H"),
           statement("b@x.org", when="2026-11-02T00:30:00+02:00", hotel="H"),
           statement("c@x.org", when="2026-11-01T23:30:00-05:00", hotel="H")]
    assert h(run(sts, roster(("H", 10)), as_of="2026-11-01"), "H")["trained"] == 2


def test_stored_is_used_when_there_is_no_timestamp():
    st = statement("a@x.org", hotel="H")
    del st["timestamp"]
    st["stored"] = "2026-12-01T00:00:00Z"
    assert h(run([st], roster(("H", 1)), as_of="2026-11-30"), "H")["trained"] == 0
    assert h(run([st], roster(("H", 1)), as_of="2026-12-01"), "H")["trained"] == 1


def test_valid_months_window_excludes_old_training():
    sts = [statement("old@x.org", when="2024-11-01T23:59:59Z", hotel="H"),
           statement("edge@x.org", when="2024-11-02T00:00:01Z", hotel="H")]
    cert = run(sts, roster(("H", 10)), as_of="2026-11-01", valid_months=24)
    assert h(cert, "H")["trained"] == 1


def test_certified_on_is_the_date_the_required_learner_qualified():
    sts = [statement(f"p{i}@x.org", when=f"2026-0{i + 1}-15T12:00:00Z", hotel="H")
           for i in range(8)]
    cert = run(sts, roster(("H", 10)), valid_months=12)
    # ceil(0.6 x 10) = 6: the sixth learner in time order qualified on 15 June.
    assert h(cert, "H")["certified_on"] == date(2026, 6, 15)
    assert h(cert, "H")["valid_until"] == date(2027, 6, 15)


def test_certified_on_uses_each_learners_earliest_qualifying_statement():
    sts = [statement("a@x.org", when="2026-03-01T00:00:00Z", hotel="H"),
           statement("a@x.org", when="2026-01-01T00:00:00Z", hotel="H")]
    assert h(run(sts, roster(("H", 1))), "H")["certified_on"] == date(2026, 1, 1)


def test_chains_sum_their_hotels():
    cert = run(team("A", 6) + team("B", 1), roster(("A", 10), ("B", 10), chain="Blue"))
    (chain,) = cert.chains.to_dict("records")
    assert chain == {"chain": "Blue", "hotels": 2, "certified_hotels": 1, "employees": 20,
                     "trained": 7}
